/**
 * The HTTP server's limits on clients, over raw sockets against a listening
 * server (short limits, so that the test is quick): headers sent a line at a
 * time, a connection that sends nothing, a body that never ends and an idle
 * keep-alive connection are all cut; a watch that streams, quiet for longer
 * than any limit, and an import whose body streams for longer than the
 * request limit, are not.
 */
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';
import { httpTimeouts } from './timeouts.ts';

const timeouts = { headersMs: 1000, requestMs: 2000, idleMs: 1500, keepAliveMs: 1000 };
let engine: Engine;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  engine = await testEngine('timeouts', { workers: false });
  app = buildServer({ ...engine, timeouts });
  // A stand-in for a watch: a line now, then quiet for longer than the idle and request limits, then a line and the end.
  app.get('/test/stream', async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('first\n');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    reply.raw.end('last\n');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

/** Open a raw connection, let `act` write to it, and resolve with what came back and when the server closed it. */
function session(act: (write: (text: string) => void) => void): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, closedAfterMs: Date.now() - started }));
    socket.on('connect', () => act((text) => socket.writable && socket.write(text)));
    // Nothing here may hold a socket for 10 s.
    setTimeout(() => socket.destroy(new Error('still open after 10 s')), 10_000).unref();
  });
}

/** Write `lines` one every `everyMs`, for as long as the socket is open. */
function trickle(write: (text: string) => void, lines: string[], everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => (i < lines.length ? write(lines[i++]!) : clearInterval(timer)), everyMs);
  timer.unref();
}

describe('HTTP timeouts', () => {
  it('headers sent a line at a time: 408 and closed once the header limit passes', async () => {
    const lines = ['GET /healthz HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: yes\r\n`)];
    const { reply, closedAfterMs } = await session((write) => trickle(write, lines, 200));
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(timeouts.headersMs);
    expect(closedAfterMs).toBeLessThan(timeouts.headersMs + 1500);
  });

  it('a connection that sends nothing is closed after the header limit', async () => {
    const { closedAfterMs } = await session(() => undefined);
    expect(closedAfterMs).toBeLessThan(timeouts.headersMs + 1500);
  });

  it('a body that never ends: 408 and closed once the request limit passes', async () => {
    const head = 'POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 1000\r\n\r\n{';
    const { reply, closedAfterMs } = await session((write) => {
      write(head);
      trickle(write, Array.from({ length: 50 }, () => ' '), 200);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(timeouts.requestMs);
    expect(closedAfterMs).toBeLessThan(timeouts.requestMs + 1500);
  });

  it('an idle keep-alive connection is closed after the keep-alive limit', async () => {
    const { reply, closedAfterMs } = await session((write) => write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(timeouts.keepAliveMs);
    expect(closedAfterMs).toBeLessThan(timeouts.keepAliveMs + 1500);
  });

  it('a watch streams on, quiet for longer than the idle and request limits', async () => {
    const { reply, closedAfterMs } = await session((write) => write('GET /test/stream?watch=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    expect(reply).toMatch(/^HTTP\/1\.1 200 [\s\S]*first\n[\s\S]*last\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(3000);
  });

  it('an import whose body streams for longer than the request limit is spared it', async () => {
    const source = await testEngine('timeouts-export');
    let ndjson = '';
    try {
      await source.ingress.submit([cloudEvent('io.everynode.node.joined', { metadata: { name: 'n1' } })], { wait: true });
      const { lines } = await source.admin.exportLog();
      for await (const line of lines) ndjson += line;
    } finally {
      await source.close();
      await destroyPrefix(source.prefix);
    }
    expect(ndjson).toMatch(/^[\x20-\x7e\n]+$/); // ASCII: its pieces are cut by characters, its length counted in bytes
    const pieces = Array.from({ length: 7 }, (_, i) => ndjson.slice(Math.floor((i * ndjson.length) / 7), Math.floor(((i + 1) * ndjson.length) / 7)));
    const head = `POST /log/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${ndjson.length}\r\nConnection: close\r\n\r\n`;
    const { reply, closedAfterMs } = await session((write) => {
      write(head);
      trickle(write, pieces, 500); // 3.5 s in all: past the request limit, never idle for the idle limit
    });
    expect(reply).toMatch(/^HTTP\/1\.1 201 /);
    expect(closedAfterMs).toBeGreaterThan(timeouts.requestMs);
  });

  it('the same quiet response, not a watch, is cut by the idle limit', async () => {
    const { reply, closedAfterMs } = await session((write) => write('GET /test/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    expect(reply).toContain('first\n');
    expect(reply).not.toContain('last\n');
    expect(closedAfterMs).toBeLessThan(3000);
  });
});

describe('httpTimeouts', () => {
  it('takes what it is given, then the environment, then the defaults', () => {
    expect(httpTimeouts({ idleMs: 5 }, { EVERYNODE_HTTP_HEADERS_TIMEOUT_MS: '7000', EVERYNODE_HTTP_IDLE_TIMEOUT_MS: '9' })).toEqual({
      headersMs: 7000,
      requestMs: 30_000,
      idleMs: 5,
      keepAliveMs: 5000,
    });
  });

  it('names a variable that is not a number of milliseconds', () => {
    expect(() => httpTimeouts({}, { EVERYNODE_HTTP_REQUEST_TIMEOUT_MS: '30s' })).toThrow('EVERYNODE_HTTP_REQUEST_TIMEOUT_MS: "30s" is not a whole number of milliseconds');
  });
});
