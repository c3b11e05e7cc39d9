import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { findOrStartRedis, redisConnectionOptions, spawnRedisServer, type RedisHandle, type SpawnedRedisServer } from './redis-connect.ts';

/** PING over a raw socket, independent of the module under test. */
function answersPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let reply = '';
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/** A port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Sets (or, with `undefined`, unsets) env vars for one test; `restoreEnv` puts them back. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(name: string, value: string | undefined): void {
  if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
function restoreEnv(): void {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  savedEnv.clear();
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  restoreEnv();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stopLater<T extends SpawnedRedisServer | RedisHandle>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

describe('findOrStartRedis', () => {
  it('uses REDIS_URL when it is set', async () => {
    const server = stopLater(await spawnRedisServer({}));
    setEnv('REDIS_URL', server.url);

    const handle = await findOrStartRedis();

    expect(handle).toMatchObject({ url: server.url, how: 'env' });
    await handle.stop(); // a no-op: the server is not ours to stop
    expect(await answersPing(server.port)).toBe(true);
  });

  it('uses the URL it is given before REDIS_URL', async () => {
    setEnv('REDIS_URL', 'redis://127.0.0.1:1');
    const handle = await findOrStartRedis({ url: 'redis://example.invalid:6379' });
    expect(handle).toMatchObject({ url: 'redis://example.invalid:6379', how: 'env' });
  });

  it('uses 127.0.0.1:6379 when it answers, and otherwise starts its own', async () => {
    setEnv('REDIS_URL', undefined);
    const defaultAnswers = await answersPing(6379);

    const handle = stopLater(await findOrStartRedis());

    if (defaultAnswers) {
      expect(handle).toMatchObject({ url: 'redis://127.0.0.1:6379', how: 'default' });
    } else {
      expect(handle.how).toBe('spawned');
      expect(await answersPing(portOf(handle.url))).toBe(true);
    }
  });

  it('starts redis-server when the default address does not answer, and stops it', async () => {
    setEnv('REDIS_URL', undefined);
    const logged: object[] = [];
    const defaultUrl = `redis://127.0.0.1:${await closedPort()}`;

    const handle = stopLater(await findOrStartRedis({ defaultUrl, logger: { info: (obj) => logged.push(obj) } }));

    expect(handle.how).toBe('spawned');
    expect(handle.url).not.toBe(defaultUrl);
    const port = portOf(handle.url);
    expect(await answersPing(port)).toBe(true);
    expect(logged).toEqual([expect.objectContaining({ how: 'spawned', url: handle.url })]);
    await handle.stop();
    expect(await answersPing(port)).toBe(false);
  });

  it('names every way it tried when none works', async () => {
    setEnv('REDIS_URL', undefined);
    setEnv('PATH', '/nonexistent'); // no redis-server
    setEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock'); // no engine, whatever this machine has
    const port = await closedPort();

    const attempt = findOrStartRedis({ defaultUrl: `redis://127.0.0.1:${port}` });

    await expect(attempt).rejects.toThrow(
      `no Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:${port}, redis-server is not on PATH, ` +
        'and no Docker engine answers — set REDIS_URL or install redis-server',
    );
  });
});

describe('spawnRedisServer', () => {
  it('answers PING until stop(), then is gone with its temporary directory', async () => {
    const server = await spawnRedisServer({});

    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await answersPing(server.port)).toBe(true);
    expect(existsSync(server.dir)).toBe(true);

    await server.stop();
    await server.stop(); // twice is harmless

    expect(isAlive(server.pid)).toBe(false);
    expect(await answersPing(server.port)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });

  it('with AOF on, keeps what was written through SIGKILL and a restart on the same dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'everynode-aof-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = stopLater(await spawnRedisServer({ appendOnly: true, dir }));
    const writer = new Redis(redisConnectionOptions(first.url));
    await writer.set('everynode:test:aof', 'survives');
    await writer.quit();

    await first.stop('SIGKILL');
    expect(isAlive(first.pid)).toBe(false);
    const second = stopLater(await spawnRedisServer({ appendOnly: true, dir }));
    const reader = new Redis(redisConnectionOptions(second.url));
    const value = await reader.get('everynode:test:aof');
    await reader.quit();

    expect(value).toBe('survives');
    expect(existsSync(dir)).toBe(true); // a caller's dir is never removed
  });

  it('says so when the port is taken', async () => {
    const taken = stopLater(await spawnRedisServer({}));
    await expect(spawnRedisServer({ port: taken.port })).rejects.toThrow(/redis-server on port \d+ exited/);
  });

  it('throws RedisServerNotFoundError when redis-server is not on PATH', async () => {
    setEnv('PATH', '/nonexistent');
    await expect(spawnRedisServer({})).rejects.toThrow('redis-server is not on PATH');
  });
});

describe('redisConnectionOptions', () => {
  const forBullMQ = { maxRetriesPerRequest: null, enableReadyCheck: true };

  it('reads host and port', () => {
    expect(redisConnectionOptions('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379, ...forBullMQ });
    expect(redisConnectionOptions('redis://redis')).toEqual({ host: 'redis', port: 6379, ...forBullMQ });
  });

  it('reads a password and a database', () => {
    expect(redisConnectionOptions('redis://:s3cret@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      password: 's3cret',
      db: 2,
      ...forBullMQ,
    });
  });

  it('reads an ACL user and decodes escapes', () => {
    expect(redisConnectionOptions('redis://worker:p%40ss%2Fword@10.0.0.5:7000/0')).toEqual({
      host: '10.0.0.5',
      port: 7000,
      username: 'worker',
      password: 'p@ss/word',
      db: 0,
      ...forBullMQ,
    });
  });

  it('turns TLS on for rediss:', () => {
    expect(redisConnectionOptions('rediss://:pw@redis.example.com:6380')).toEqual({
      host: 'redis.example.com',
      port: 6380,
      password: 'pw',
      tls: {},
      ...forBullMQ,
    });
  });

  it('takes an IPv6 host without brackets', () => {
    expect(redisConnectionOptions('redis://[::1]:6379')).toMatchObject({ host: '::1', port: 6379 });
  });

  it('refuses other protocols and a database that is not a number, without printing the password', () => {
    expect(() => redisConnectionOptions('http://127.0.0.1:6379')).toThrow('protocol must be redis: or rediss:, not http:');
    expect(() => redisConnectionOptions('redis://:hunter2@h:6379/zero')).toThrow('database must be a number, not "zero"');
    expect(() => redisConnectionOptions('redis://:hunter2@h:6379/zero')).not.toThrow(/hunter2/);
  });
});
