/**
 * The log waiter against a real Redis: many waiters share one blocked
 * connection and wake on the commit that passes their seq; timeouts,
 * aborts and close settle them without polling; the engine's
 * `history.waitForSeq` is the same waiter over real commits.
 */
import type { ClusterEvent } from '@everynode/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, type Engine, testEngine, uniquePrefix } from '../../../test/support/cluster.ts';
import { acceptEvents } from './internal.ts';
import { LogWaiter } from './log-waiter.ts';
import { isCluster } from '@everynode/eventlog';
import type { Cluster, Redis } from 'ioredis';
import { openRedis, type RedisClient } from './redis-client.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
let prefix: string;
let keys: { log: string; seq: string };
let waiter: LogWaiter;
let connections = 0;
let name: string;

/** Append seq `seq` as a commit does: the entry `<seq>-0` and the last seq, together. */
async function commit(seq: number): Promise<void> {
  await redis.multi().xadd(keys.log, `${seq}-0`, 'e', '{}').set(keys.seq, seq).exec();
}

/** The Redis clients named `name`: what `CLIENT LIST` says of each. */
async function clientsNamed(clientName: string): Promise<{ flags: string; cmd: string }[]> {
  // On a cluster, a client holds a connection per node it has talked to (the slot map is read from any):
  // the one that reads the log is the one to the master serving the log's slot.
  const list = isCluster(redis) ? await (await masterOf(redis, keys.log)).client('LIST') : await redis.client('LIST');
  return (list as string)
    .split('\n')
    .filter((line) => line.includes(` name=${clientName} `))
    .map((line) => Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string])) as { flags: string; cmd: string });
}

/** The connection of cluster client `redis` to the master serving `key`'s slot. */
async function masterOf(redis: Cluster, key: string): Promise<Redis> {
  const address = redis.slots[Number(await redis.cluster('KEYSLOT', key))]?.[0];
  const node = redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
  if (!node) throw new Error(`no master known for ${key}`);
  return node;
}

const settledWithin = async <T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

beforeAll(() => {
  redis = openRedis(url);
});
afterAll(async () => {
  await redis.quit();
});

describe('LogWaiter', () => {
  afterEach(async () => {
    await waiter.close();
    await redis.del(keys.log, keys.seq);
  });

  const start = (blockMs?: number) => {
    prefix = uniquePrefix('log-waiter');
    keys = { log: `{${prefix}}:log`, seq: `{${prefix}}:seq` };
    name = prefix.replace(/[^A-Za-z0-9-]/g, '-');
    connections = 0;
    waiter = new LogWaiter({
      connect: () => {
        connections++;
        return openRedis(url, { redisOptions: { connectionName: name } });
      },
      keys,
      lastSeq: async () => Number((await redis.get(keys.seq)) ?? 0),
      ...(blockMs === undefined ? {} : { blockMs }),
    });
  };

  it('wakes at once when the log is already past the seq', async () => {
    start();
    await commit(1);
    await commit(2);
    expect(await waiter.wait(1, 5000)).toBe(true);
    expect(await waiter.wait(0, 5000)).toBe(true);
  });

  it('50 waiters share ONE blocked connection, and one commit past their seq wakes them all', async () => {
    start();
    await commit(1);
    const waits = Array.from({ length: 50 }, () => waiter.wait(1, 10_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(waiter.waiting).toBe(50);
    const clients = await clientsNamed(name);
    expect(clients).toHaveLength(1);
    expect(clients[0]?.cmd).toBe('xread');
    expect(clients[0]?.flags).toContain('b'); // blocked in XREAD, not polling
    const before = Date.now();
    await commit(2);
    expect(await Promise.all(waits)).toEqual(Array(50).fill(true));
    expect(Date.now() - before).toBeLessThan(1000);
    expect(connections).toBe(1);
    expect(waiter.waiting).toBe(0);
  });

  it('wakes only the waiters a commit passes; a waiter on a later seq waits on', async () => {
    start();
    await commit(3);
    const onThree = waiter.wait(3, 10_000);
    const onFour = waiter.wait(4, 10_000);
    await commit(4);
    expect(await onThree).toBe(true);
    expect(await settledWithin(onFour, 300)).toBe('pending');
    await commit(5);
    expect(await onFour).toBe(true);
  });

  it('a waiter behind the blocked read (the log passed it while nobody waited) is woken at once, not when the read ends', async () => {
    start();
    await commit(1);
    const first = waiter.wait(1, 10_000);
    await commit(2);
    expect(await first).toBe(true);
    for (let seq = 3; seq <= 10; seq++) await commit(seq); // nobody waits: the waiter learns nothing of these
    const ahead = waiter.wait(10, 10_000); // the read blocks past 10
    await new Promise((r) => setTimeout(r, 100));
    const before = Date.now();
    expect(await waiter.wait(5, 10_000)).toBe(true);
    expect(Date.now() - before).toBeLessThan(1000); // not the 5 s BLOCK
    expect(await settledWithin(ahead, 100)).toBe('pending');
  });

  it('a timeout resolves false; an abort resolves false at once and leaves no waiter behind', async () => {
    start(200);
    await commit(1);
    const before = Date.now();
    expect(await waiter.wait(1, 400)).toBe(false);
    expect(Date.now() - before).toBeGreaterThanOrEqual(390);
    const controller = new AbortController();
    const aborted = waiter.wait(1, 60_000, controller.signal);
    expect(waiter.waiting).toBe(1);
    controller.abort();
    expect(await settledWithin(aborted, 100)).toBe(false);
    expect(waiter.waiting).toBe(0);
    // With nobody waiting the loop ends after its current BLOCK (200 ms here): the connection stays idle.
    await new Promise((r) => setTimeout(r, 500));
    expect((await clientsNamed(name))[0]?.flags).not.toContain('b');
  });

  it('close settles every waiter with false and ends the blocked read at once, BLOCK 5 s notwithstanding', async () => {
    start();
    await commit(1);
    const waits = [waiter.wait(1, 60_000), waiter.wait(1, 60_000)];
    await new Promise((r) => setTimeout(r, 100));
    const before = Date.now();
    await waiter.close();
    expect(await Promise.all(waits)).toEqual([false, false]);
    expect(Date.now() - before).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await clientsNamed(name)).toEqual([]);
    expect(await waiter.wait(0, 1000)).toBe(false); // closed: no new wait starts a read
  });
});

describe("the engine's history.waitForSeq", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await testEngine('wait-for-seq', { workers: false });
  });
  afterAll(async () => {
    await engine.close();
    await destroyPrefix(engine.prefix);
  });

  const joined = (id: string): ClusterEvent =>
    ({ specversion: '1.0', id, source: 'test', type: 'io.everynode.node.joined', time: new Date().toISOString(), data: { apiVersion: 'v1', kind: 'Node', metadata: { name: id } } }) as ClusterEvent;

  it('wakes on a real commit and times out without one; engine.close does not wait for a pending waiter', async () => {
    const last = await engine.history.lastSeq();
    const woken = engine.history.waitForSeq(last, { timeoutMs: 10_000 });
    await acceptEvents(engine.store, [joined('n1')], Date.now());
    expect(await woken).toBe(true);
    expect(await engine.history.waitForSeq(last + 1, { timeoutMs: 200 })).toBe(false);

    const other = await testEngine('wait-for-seq-close', { workers: false });
    const pending = other.history.waitForSeq(0, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    const before = Date.now();
    await other.close();
    expect(await pending).toBe(false);
    expect(Date.now() - before).toBeLessThan(2000);
    await destroyPrefix(other.prefix);
  });
});
