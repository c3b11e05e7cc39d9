/**
 * `fetchTrusting`: fetch's call shape over node:https with a CA of its own,
 * against a real HTTPS server with a self-signed certificate — what the
 * client reads of an answer (status, headers, body, a stream read as it
 * comes), what it sends (method, headers, a body, a streamed body), and how
 * it fails as fetch fails (an untrusted certificate, nothing listening, an
 * abort before and during the answer).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SelfSigned, selfSigned } from '../../../test/support/tls.ts';
import { describeFetchFailure } from './errors.ts';
import { fetchTrusting } from './tls.ts';

let cert: SelfSigned;
let other: SelfSigned;
let server: Server;
let base: string;

beforeAll(async () => {
  cert = selfSigned();
  other = selfSigned();
  server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (url.pathname === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-twice': ['a', 'b'] });
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, body: Buffer.concat(chunks).toString('utf8') }));
      });
      return;
    }
    if (url.pathname === '/empty') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/stream') {
      // Two lines, the second 100 ms after the first: a watch's shape.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"n":1}\n');
      setTimeout(() => res.end('{"n":2}\n'), 100);
      return;
    }
    if (url.pathname === '/forever') {
      res.writeHead(200);
      res.write('x');
      return; // never ends
    }
    res.writeHead(404).end('no');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  cert.remove();
  other.remove();
});

describe('fetchTrusting', () => {
  it('reads status, headers (any case, repeated ones joined) and the body; sends method, headers and body', async () => {
    const res = await fetchTrusting(cert.cert)(`${base}/echo`, { method: 'post', headers: { Authorization: 'Bearer t0k' }, body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('x-twice')).toBe('a, b');
    expect(res.headers.get('x-none')).toBeNull();
    expect(JSON.parse(await res.text())).toEqual({ method: 'POST', auth: 'Bearer t0k', body: 'hello' });
  });

  it('sends bytes and a streamed body (an async iterable, as `import` sends a file)', async () => {
    const f = fetchTrusting(cert.cert);
    const bytes = await f(`${base}/echo`, { method: 'PUT', body: new TextEncoder().encode('bytes') });
    expect((JSON.parse(await bytes.text()) as { body: string }).body).toBe('bytes');
    async function* lines() {
      yield Buffer.from('line 1\n');
      yield Buffer.from('line 2\n');
    }
    const streamed = await f(`${base}/echo`, { method: 'POST', body: lines(), duplex: 'half' } as unknown as RequestInit);
    expect((JSON.parse(await streamed.text()) as { body: string }).body).toBe('line 1\nline 2\n');
  });

  it('gives a bodiless answer no body, and a non-2xx its body', async () => {
    const f = fetchTrusting(cert.cert);
    const empty = await f(`${base}/empty`, {});
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const missing = await f(`${base}/nope`, {});
    expect([missing.status, missing.ok, await missing.text()]).toEqual([404, false, 'no']);
  });

  it('streams the body as it comes', async () => {
    const res = await fetchTrusting(cert.cert)(`${base}/stream`, {});
    const chunks: string[] = [];
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) chunks.push(new TextDecoder().decode(chunk));
    // Two reads: the first line arrived and was read before the second was written.
    expect(chunks).toEqual(['{"n":1}\n', '{"n":2}\n']);
  });

  it('trusts only the given CA, failing as fetch fails: a TypeError whose cause names the problem', async () => {
    const error = await fetchTrusting(other.cert)(`${base}/echo`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(describeFetchFailure(error)).toMatch(/self[- ]signed|unable to verify|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT/i);
  });

  it('nothing listening: connect ECONNREFUSED, as the client reports it', async () => {
    const error = await fetchTrusting(cert.cert)('https://127.0.0.1:1/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(describeFetchFailure(error)).toBe('connect ECONNREFUSED');
  });

  it('an abort: before the request and during the body, with the signal’s reason', async () => {
    const f = fetchTrusting(cert.cert);
    const early = new AbortController();
    early.abort(new Error('early'));
    await expect(f(`${base}/echo`, { signal: early.signal })).rejects.toThrow('early');

    const late = new AbortController();
    const res = await f(`${base}/forever`, { signal: late.signal });
    const reader = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    expect((await reader.next()).done).toBe(false);
    late.abort(new Error('late'));
    await expect(reader.next()).rejects.toThrow();
  });

  it('without a CA: the global fetch', () => {
    expect(fetchTrusting(undefined)).toBe(globalThis.fetch);
  });
});
