/**
 * redisStreamsSink against the shared Redis (one stream per test, deleted
 * after): the entry's fields as documented, in both modes, and read back by
 * the Redis Streams source's mapping; `maxLen` trims; a delivery with the
 * server gone fails at once, transiently; and (c) of the outbound contract
 * against a private, password-protected redis-server stopped and started
 * again mid-stream (the password never in the bridge's log).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { openRedis, type RedisClient } from '@everynode/engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, redisUrl } from '../../../../test/support/cluster.ts';
import { type PrivateServer, startPrivateServer } from '../../../../test/support/private-server.ts';
import { decodeMessage } from '../decode.ts';
import { describeOutboundOutage } from '../outbound-contract.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';
import { toMessage } from '../sources/redis-streams.ts';
import { redisStreamsSink } from './redis-streams.ts';
import { followStream } from './stream-follower.ts';
import { sampleCommand } from '../outbound-contract.ts';

let redis: RedisClient;
const streams: string[] = [];
const sinks: CommandSink[] = [];

beforeAll(() => {
  redis = openRedis(redisUrl);
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const stream of streams.splice(0)) await redis.del(stream);
});
afterAll(() => {
  redis.disconnect();
});

function newStream(): string {
  const stream = `test-sink-${randomUUID()}`;
  streams.push(stream);
  return stream;
}

function sink(stream: string, options: { mode?: 'binary' | 'structured'; maxLen?: number; url?: string } = {}): CommandSink {
  const s = redisStreamsSink({ url: options.url ?? redisUrl, stream, timeoutMs: 1_000, ...(options.mode ? { mode: options.mode } : {}), ...(options.maxLen ? { maxLen: options.maxLen } : {}) });
  sinks.push(s);
  return s;
}

const command = sampleCommand;

/** The stream's entries as [id, [field, value, …]]. */
const entries = (stream: string) => redis.xrange(stream, '-', '+');

describe('redisStreamsSink', () => {
  it('binary: content-type, a ce- field per attribute, then data — and the source reads it back as the same event', async () => {
    const stream = newStream();
    await sink(stream).deliver(command('cmd-1'));
    const [[id, fields] = ['', []]] = await entries(stream);
    expect(fields).toEqual([
      'content-type', 'application/json',
      'ce-specversion', '1.0',
      'ce-id', 'cmd-1',
      'ce-source', 'everynode/daemonset-controller',
      'ce-type', 'io.everynode.pod.delete',
      'ce-time', '2026-12-01T10:00:00.000Z',
      'ce-subject', 'worker01',
      'data', JSON.stringify(command('cmd-1').data),
    ]);
    const decoded = decodeMessage(toMessage(stream, id, fields.map((f) => Buffer.from(f))));
    expect(decoded).toEqual({ ok: true, event: command('cmd-1') });
  });

  it('structured: content-type application/cloudevents+json and data the whole event', async () => {
    const stream = newStream();
    await sink(stream, { mode: 'structured' }).deliver(command('cmd-2'));
    const [[, fields] = ['', []]] = await entries(stream);
    expect(fields).toEqual(['content-type', 'application/cloudevents+json; charset=utf-8', 'data', JSON.stringify(command('cmd-2'))]);
  });

  it('no trimming by default; with maxLen the stream is trimmed to about that many entries', async () => {
    const [kept, trimmed] = [newStream(), newStream()];
    const [all, few] = [sink(kept), sink(trimmed, { maxLen: 10 })];
    for (let i = 0; i < 300; i++) {
      await all.deliver(command(`c-${i}`));
      await few.deliver(command(`c-${i}`));
    }
    expect(await redis.xlen(kept)).toBe(300);
    // `MAXLEN ~` trims whole macro nodes (100 entries by default): at least 10 kept, far fewer than 300.
    const left = await redis.xlen(trimmed);
    expect(left).toBeGreaterThanOrEqual(10);
    expect(left).toBeLessThan(200);
  });

  it('with no server there, a delivery fails at once with a transient error; once there is one, a delivery goes through', async () => {
    const server = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '']);
    try {
      await server.stop();
      const s = sink('later', { url: `redis://127.0.0.1:${server.port}` });
      const started = Date.now();
      const error = await s.deliver(command('nowhere')).then(() => undefined, (e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentDeliveryError);
      expect(Date.now() - started).toBeLessThan(1_500);
      await server.start();
      await eventually(() => s.deliver(command('there')).then(() => true, () => false), 10_000, 'a delivery once the server is up');
      const there = new Redis(`redis://127.0.0.1:${server.port}`);
      expect((await there.xrange('later', '-', '+')).map(([, fields]) => fields[fields.indexOf('ce-id') + 1])).toEqual(['there']);
      there.disconnect();
    } finally {
      await server.remove();
    }
  });
});

describe('with a private redis-server stopped and started again', () => {
  const password = `pw-${randomUUID()}`;
  let server: PrivateServer;
  let reader: Redis;
  beforeAll(async () => {
    server = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--requirepass', password]);
    reader = new Redis(`redis://:${password}@127.0.0.1:${server.port}`, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    reader.on('error', () => undefined);
  });
  afterAll(async () => {
    reader.disconnect();
    await server.remove();
  });

  describeOutboundOutage<{ readonly stream: string }>('redis-streams', {
    secret: password,
    async setup(name) {
      return { stream: `outage-${name}` };
    },
    makeSink: (ctx, mode) => redisStreamsSink({ url: `redis://:${password}@127.0.0.1:${server.port}`, stream: ctx.stream, mode, timeoutMs: 1_000 }),
    async subscribe(ctx, onMessage) {
      return followStream(reader, ctx.stream, onMessage);
    },
    down: () => server.stop(),
    up: () => server.start(),
    async teardown(ctx) {
      await reader.del(ctx.stream);
    },
  });
});
