/**
 * Redis going wrong, against real redis-servers of our own: a bad URL fails
 * the start at once with one line that names the cause and keeps the
 * password out; a Redis that stops answering makes commands fail within the
 * command timeout instead of hanging, while BullMQ's blocking connections
 * (which wait for seconds by design) are left without one.
 */
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, redisUrl, uniquePrefix } from '../../../test/support/cluster.ts';
import { type PrivateServer, startPrivateServer } from '../../../test/support/private-server.ts';
import { freePort } from '../../../test/support/random.ts';
import { startEngine, type EngineInternals } from './engine.ts';
import { checkRedis, RedisUnreachableError } from './redis-check.ts';
import { spawnRedisServer, type SpawnedRedisServer } from './redis-connect.ts';

const password = `pw-${process.pid}-${Date.now().toString(36)}`;
let guarded: PrivateServer;

beforeAll(async () => {
  guarded = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--requirepass', password]);
});
afterAll(async () => {
  await guarded?.remove();
});

/** What `checkRedis(url)` failed with, and how long it took. */
async function failure(url: string, timeoutMs?: number): Promise<{ error: RedisUnreachableError; ms: number }> {
  const started = Date.now();
  const error = await checkRedis(url, { timeoutMs, urlSource: '--redis / REDIS_URL' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RedisUnreachableError)) throw new Error(`expected a RedisUnreachableError, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toContain(password);
  return { error, ms: Date.now() - started };
}

describe('checkRedis', () => {
  it('passes when Redis answers with the right password', async () => {
    await expect(checkRedis(`redis://:${password}@127.0.0.1:${guarded.port}`)).resolves.toBeUndefined();
  });

  it('a wrong password: WRONGPASS, the URL with its password redacted, and what to check', async () => {
    const { error } = await failure(`redis://:wrong-${password}@127.0.0.1:${guarded.port}`);
    expect(error.message).toMatch(
      new RegExp(`^cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${guarded.port}: WRONGPASS .* \\(check the password in --redis / REDIS_URL\\)$`),
    );
  });

  it('no password where one is required: NOAUTH, and where to give it', async () => {
    const { error } = await failure(`redis://127.0.0.1:${guarded.port}`);
    expect(error.reason).toMatch(/^NOAUTH/);
    expect(error.hint).toBe('the server requires a password: give it in --redis / REDIS_URL as redis://:PASSWORD@host:port');
  });

  it('TLS to a plain server: gives up after the timeout and suggests redis://', async () => {
    const { error, ms } = await failure(`rediss://:${password}@127.0.0.1:${guarded.port}`, 1000);
    expect(ms).toBeLessThan(3000);
    expect(error.hint).toContain('use redis:// rather than rediss://');
  });

  it('nothing listening: ECONNREFUSED, at once', async () => {
    const port = await freePort();
    const { error, ms } = await failure(`redis://127.0.0.1:${port}`);
    expect(ms).toBeLessThan(1000);
    expect(error.message).toBe(`cannot connect to Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (nothing listens there: is Redis running? check the host and port in --redis / REDIS_URL)`);
  });

  it('startEngine makes the same check before it connects for good', async () => {
    const start = startEngine({ redisUrl: `redis://:nope@127.0.0.1:${guarded.port}`, prefix: uniquePrefix('check'), logger: pino({ level: 'silent' }) });
    await expect(start).rejects.toBeInstanceOf(RedisUnreachableError);
    await expect(start).rejects.toThrow(/WRONGPASS .*\(check the password in REDIS_URL\)$/);
  });
});

describe('command timeouts', () => {
  let server: SpawnedRedisServer | undefined;
  let engine: EngineInternals | undefined;
  afterAll(async () => {
    if (server) process.kill(server.pid, 'SIGCONT');
    await engine?.close();
    await server?.stop();
  });

  it('a paused Redis: commands fail within the timeout and readiness says no within a second; resumed, all works again', async () => {
    server = await spawnRedisServer({});
    engine = await startEngine({ redisUrl: server.url, prefix: uniquePrefix('timeout'), logger: pino({ level: 'silent' }), commandTimeoutMs: 500 });
    expect(await engine.admin.ready()).toBe(true);

    process.kill(server.pid, 'SIGSTOP');
    let started = Date.now();
    expect(await engine.admin.ready()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    started = Date.now();
    await expect(engine.reader.getNode('n1')).rejects.toThrow('Command timed out');
    expect(Date.now() - started).toBeLessThan(1500);

    process.kill(server.pid, 'SIGCONT');
    expect(await engine.admin.ready()).toBe(true);
    const result = await engine.ingress.submit([cloudEvent('io.everynode.node.joined', { metadata: { name: 'n1' } })], { wait: true });
    expect(result.accepted).toHaveLength(1);
    expect(await engine.reader.getNode('n1')).toBeDefined();
  });

  it("BullMQ's blocking connections have none: an idle worker still takes the next job at once, with no error", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, done) => done(void lines.push(chunk.toString())) }));
    const prefix = uniquePrefix('blocking');
    // A timeout far below BullMQ's block time (seconds): a blocking connection with it would fail every wait.
    const idle = await startEngine({ redisUrl, prefix, logger, commandTimeoutMs: 200 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const started = Date.now();
      const result = await idle.ingress.submit([cloudEvent('io.everynode.node.joined', { metadata: { name: 'idle-node' } })], { wait: true, timeoutMs: 5000 });
      expect(result.accepted).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(lines.join('')).not.toContain('timed out');
    } finally {
      await idle.close();
      await destroyPrefix(prefix);
    }
  });
});
