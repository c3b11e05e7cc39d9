/**
 * Real processes against a private, password-protected redis-server:
 *
 * - a bad Redis URL (wrong password, none, TLS to a plain server, nothing
 *   listening) ends `everynode up` and the api, worker, bridge and agent
 *   services with exit status 1 within seconds, on one line that names the
 *   cause — instead of retrying forever;
 * - with Redis paused (SIGSTOP: connections stay open, nothing answers),
 *   `/readyz` of `up` and of the api service says 503 within 2 s and
 *   `POST /events` answers 503 with `Retry-After` within a bound; resumed
 *   (SIGCONT), all is well again and nothing that was accepted is lost;
 * - and no line any of them printed carries a password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import { cloudEvent, eventually, uniquePrefix } from './support/cluster.ts';
import { type PrivateServer, startPrivateServer } from './support/private-server.ts';
import { freePort } from './support/random.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const everynode = ['packages/cli/bin/everynode.mjs'];
const service = (name: string) => [`services/${name}/dist/main.mjs`];

const secret = `s3cret-${process.pid}-${Date.now().toString(36)}`;
const wrongSecret = `wr0ng-${process.pid}-${Date.now().toString(36)}`;
/** The API token the processes are given: as secret as the passwords, and as absent from the logs. */
const token = `t0ken-${process.pid}-${Date.now().toString(36)}`;
/** `up` serves HTTPS with a certificate it made for the run: trusted here without checking it. */
const insecureTls = new Agent({ connect: { rejectUnauthorized: false } });
/** Everything every process printed, stdout and stderr, for the secret grep at the end. */
const printed: string[] = [];
const running: ChildProcess[] = [];
let redis: PrivateServer;

beforeAll(async () => {
  redis = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--requirepass', secret]);
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.remove();
});

interface Started {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  readonly exited: Promise<{ code: number | null; ms: number }>;
}

/** Start `node ARGS…` in the repository root with `env` added, capturing everything it prints. */
function start(args: readonly string[], env: Record<string, string> = {}): Started {
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let text = '';
  const keep = (chunk: Buffer) => (text += chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('close', (code) => {
      printed.push(text);
      resolve({ code, ms: Date.now() - started });
    }),
  );
  return { child, output: () => text, exited };
}

/** The lines of `output` that say Redis cannot be reached. */
const cannotConnect = (output: string) => output.split('\n').filter((line) => line.includes('cannot connect to Redis'));

describe('a bad Redis URL ends the process with one line', () => {
  const wrong = () => `redis://:${wrongSecret}@127.0.0.1:${redis.port}`;
  const cases = [
    { name: 'a wrong password', url: wrong, says: /WRONGPASS .*\(check the password in --redis \/ REDIS_URL\)$/ },
    { name: 'no password, one required', url: () => `redis://127.0.0.1:${redis.port}`, says: /NOAUTH .*\(the server requires a password: give it in --redis \/ REDIS_URL as redis:\/\/:PASSWORD@host:port\)$/ },
    { name: 'TLS to a plain server', url: () => `rediss://:${secret}@127.0.0.1:${redis.port}`, says: /use redis:\/\/ rather than rediss:\/\/ in --redis \/ REDIS_URL\)$/ },
    { name: 'nothing listening', url: async () => `redis://:${secret}@127.0.0.1:${await freePort()}`, says: /ECONNREFUSED .*\(nothing listens there: is Redis running\? check the host and port in --redis \/ REDIS_URL\)$/ },
  ];

  for (const { name, url, says } of cases) {
    it(`everynode up, ${name}: exit 1 within 10 s, one "error:" line`, async () => {
      const run = start([...everynode, 'up', '--redis', await url(), '--port', String(await freePort()), '--prefix', uniquePrefix('bad-url')]);
      const { code, ms } = await run.exited;
      expect(code).toBe(1);
      expect(ms).toBeLessThan(10_000);
      const lines = cannotConnect(run.output());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: cannot connect to Redis at rediss?:\/\/(:\*\*\*@)?127\.0\.0\.1:\d+: /);
      expect(lines[0]).toMatch(says);
      expect(run.output()).not.toMatch(/\[ioredis\]| {4}at /); // no stack, no ioredis complaint
    }, 20_000);
  }

  const services = [
    { name: 'api', args: service('api'), line: /^everynode api: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .*\(check the password in REDIS_URL\)$/ },
    { name: 'worker', args: service('worker'), line: /^everynode worker: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .*\(check the password in REDIS_URL\)$/ },
    { name: 'agent', args: service('agent'), line: /^everynode agent: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .*\(check the password in REDIS_URL\)$/ },
    { name: 'bridge', args: service('bridge'), line: /^\{"level":60,.*"msg":"cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .*\(check the password in REDIS_URL\)"\}$/ },
  ];
  for (const { name, args, line } of services) {
    it(`services/${name}, a wrong password: exit 1 within 10 s, one line`, async () => {
      const run = start(args, {
        REDIS_URL: wrong(),
        EVERYNODE_PREFIX: uniquePrefix('bad-url'),
        PORT: String(await freePort()),
        EVERYNODE_TOKEN: token,
        EVERYNODE_BRIDGES: 'bridges: [{ name: edge, kind: redis-streams, url: "redis://127.0.0.1:1", stream: s }]',
      });
      const { code, ms } = await run.exited;
      expect(code).toBe(1);
      expect(ms).toBeLessThan(10_000);
      const lines = cannotConnect(run.output());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(run.output()).not.toMatch(/\[ioredis\]| {4}at /);
    }, 20_000);
  }
});

describe('Redis paused', () => {
  it('/readyz says 503 within 2 s, POST /events 503 with Retry-After within 8 s; resumed, all is well and nothing accepted is lost', async () => {
    const url = `redis://:${secret}@127.0.0.1:${redis.port}`;
    const prefix = uniquePrefix('paused');
    const upPort = await freePort();
    const apiPort = await freePort();
    const up = start([...everynode, 'up', '--redis', url, '--port', String(upPort), '--prefix', prefix], { EVERYNODE_TOKEN: token });
    const api = start(service('api'), { REDIS_URL: url, EVERYNODE_PREFIX: prefix, PORT: String(apiPort), HOST: '127.0.0.1', EVERYNODE_TOKEN: token });
    const base = (port: number) => (port === upPort ? `https://127.0.0.1:${port}` : `http://127.0.0.1:${port}`);
    const authorization = `Bearer ${token}`;
    const get = async (port: number, path: string) => {
      const res = await fetch(`${base(port)}${path}`, { headers: { authorization }, dispatcher: insecureTls, signal: AbortSignal.timeout(15_000) });
      return { status: res.status, body: await res.text() };
    };
    const post = async (events: unknown[]) => {
      const started = Date.now();
      const res = await fetch(`${base(upPort)}/events`, {
        method: 'POST',
        dispatcher: insecureTls,
        headers: { 'content-type': 'application/cloudevents-batch+json', authorization },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text(), ms: Date.now() - started };
    };
    const joined = (name: string) => cloudEvent('io.everynode.node.joined', { metadata: { name } }, { id: `joined-${name}`, source: 'outage-test' });

    for (const port of [upPort, apiPort]) await eventually(async () => (await get(port, '/readyz').catch(() => undefined))?.status === 200, 30_000, `:${port} to be ready`);
    const before = await post([joined('before-1'), joined('before-2')]);
    expect(before.status).toBe(202);

    redis.signal('SIGSTOP');
    const paused = Date.now();
    const linesBefore = up.output().split('\n').length;
    for (const port of [upPort, apiPort]) {
      await eventually(async () => (await get(port, '/readyz')).status === 503, 2000, `:${port}/readyz to say 503`);
    }
    expect(Date.now() - paused).toBeLessThan(2000 + 200);
    expect((await get(upPort, '/healthz')).status).toBe(200); // alive all the same

    const during = await post([joined('during')]);
    expect(during).toMatchObject({ status: 503, retryAfter: '1' });
    expect(JSON.parse(during.body)).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect(during.ms).toBeLessThan(8000);
    // A handful of lines for the outage, not a flood.
    expect(up.output().split('\n').length - linesBefore).toBeLessThan(10);

    redis.signal('SIGCONT');
    for (const port of [upPort, apiPort]) await eventually(async () => (await get(port, '/readyz')).status === 200, 10_000, `:${port}/readyz to pass again`);
    // The client retries what got a 503 (the same id: a repeat is harmless), and goes on.
    const after = await post([joined('during'), joined('after')]);
    expect(after.status).toBe(202);
    for (const name of ['before-1', 'before-2', 'during', 'after']) expect((await get(upPort, `/api/v1/nodes/${name}`)).status).toBe(200);

    for (const run of [up, api]) run.child.kill('SIGTERM');
    expect((await up.exited).code).toBe(0);
    expect((await api.exited).code).toBe(0);
  }, 120_000);
});

describe('secrets', () => {
  it('no line any process printed carries a password', () => {
    expect(printed.length).toBeGreaterThanOrEqual(10);
    const all = printed.join('\n');
    expect(all).toContain('redis://:***@127.0.0.1'); // the URLs were printed, redacted
    expect(all).not.toContain(secret);
    expect(all).not.toContain(wrongSecret);
    expect(all).not.toContain(token);
  });
});
