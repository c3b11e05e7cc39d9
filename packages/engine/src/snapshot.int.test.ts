/** Snapshots and retention against a real Redis: replay from a snapshot equals replay from the start; a trimmed log still replays. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent } from '@everynode/api';
import { dedupeField, diffStates, EventStore, forgetExpiredSeen, exportLog, importLog, latestSnapshot, loadSnapshot, logHorizon, replay, serializeState, takeSnapshot, trimLog, verify } from '@everynode/eventlog/internal';
import { acceptEvents, runPass } from './internal.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
let store: EventStore;
let n = 0;
const t0 = Date.parse('2026-04-01T00:00:00Z');
const event = (type: string, data: unknown): ClusterEvent =>
  ({ specversion: '1.0', id: `s${++n}`, source: 'test', type, time: new Date(t0 + n).toISOString(), data }) as ClusterEvent;
const node = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const ds = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
};

beforeEach(() => {
  redis = openRedis(url);
  store = new EventStore(redis, `test-snapshot-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
});
afterEach(async () => {
  await store.destroy();
  await redis.quit();
});

async function history(from: number, to: number): Promise<void> {
  await acceptEvents(store, Array.from({ length: to - from }, (_, i) => event('io.everynode.node.joined', node(`n${from + i}`))), t0);
  await runPass(store, 'kube-system/agent', t0 + 10_000 + from);
}

describe('snapshots', () => {
  it('replay from a snapshot plus the tail equals replay of the whole log, at every point', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    await history(0, 20);
    const snapshot = await takeSnapshot(store);
    expect(snapshot?.seq).toBe(await store.lastSeq());
    await history(20, 30);
    await acceptEvents(store, [event('io.everynode.node.removed', { metadata: { name: 'n3' } })], t0);
    await runPass(store, 'kube-system/agent', t0 + 50_000);
    for (const toSeq of [snapshot!.seq - 5, snapshot!.seq, snapshot!.seq + 3, await store.lastSeq()]) {
      const [fromSnapshot, whole] = await Promise.all([replay(store, { toSeq }), replay(store, { toSeq, useSnapshots: false })]);
      expect(diffStates(fromSnapshot.state, whole.state), `at seq ${toSeq}`).toEqual([]);
      expect(fromSnapshot.seq).toBe(whole.seq);
      expect(fromSnapshot.fromSnapshot).toBe(toSeq >= snapshot!.seq ? snapshot!.seq : undefined);
    }
  });

  it('stores a snapshot as a list of texts, and still reads one an older engine stored as one string', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    await history(0, 20);
    const snapshot = await takeSnapshot(store);
    const key = `${store.keys.tag}:snapshot:${snapshot!.seq}`;
    expect(await redis.type(key)).toBe('list');
    const listed = await loadSnapshot(store, snapshot!.seq);
    expect(listed.pods.size).toBe(20);
    await redis.multi().del(key).set(key, serializeState(listed)).exec();
    const older = await replay(store, { toSeq: snapshot!.seq });
    expect(older.fromSnapshot).toBe(snapshot!.seq);
    expect(serializeState(older.state)).toBe(serializeState(listed));
    await redis.del(key);
    await expect(loadSnapshot(store, snapshot!.seq)).rejects.toThrow(`snapshot ${snapshot!.seq} is listed but missing`);
  });

  it('takes no snapshot when too few entries came since the last one', async () => {
    await history(0, 3);
    expect(await takeSnapshot(store, { minEntries: 1 })).toBeDefined();
    await history(3, 4);
    expect(await takeSnapshot(store, { minEntries: 10 })).toBeUndefined();
  });
});

describe('retention', () => {
  it('trims the log only behind a snapshot; what remains still replays and verifies; the horizon is known', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    await history(0, 10);
    expect(await trimLog(store)).toBe(0); // no snapshot yet: nothing may go
    const snapshot = (await takeSnapshot(store))!;
    await history(10, 15);
    expect(await trimLog(store)).toBe(snapshot.seq);
    expect(await logHorizon(store)).toBe(snapshot.seq);
    const [first] = await store.readLog({ after: 0, limit: 1 });
    expect(first?.seq).toBe(snapshot.seq + 1);
    expect(await verify(store)).toMatchObject({ consistent: true });
    const now = await replay(store);
    expect(now.state.nodes.size).toBe(15);
    await expect(replay(store, { toSeq: snapshot.seq - 1 })).rejects.toThrow(/trimmed/);
    expect(await latestSnapshot(store)).toEqual(snapshot);
  });

  it('keeps the idempotency keys of the events it trims inside the dedupe window: a late copy of one is still a duplicate', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    const early = event('io.everynode.node.joined', node('n0'));
    const [first] = (await acceptEvents(store, [early], t0)).results;
    await history(1, 5);
    await takeSnapshot(store);
    await history(5, 6);
    expect(await trimLog(store, Infinity, { now: t0 + 60_000 })).toBeGreaterThan(first!.seq);
    const last = await store.lastSeq();
    const [copy] = (await acceptEvents(store, [early], t0)).results;
    expect(copy).toMatchObject({ duplicate: true, seq: first!.seq });
    expect(await store.lastSeq()).toBe(last);
  });

  it('forgets a key once its entry is trimmed and the window has passed, never while the entry is in the log', async () => {
    const window = 60_000;
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    const early = event('io.everynode.node.joined', node('n0'));
    await acceptEvents(store, [early], t0);
    await history(1, 5);
    const snapshot = (await takeSnapshot(store))!;
    const kept = event('io.everynode.node.joined', node('n9'));
    await acceptEvents(store, [kept], t0);
    const seenBefore = await redis.hlen(store.keys.seen);

    // Trimmed inside the window: every key kept, waiting in seen-expiry.
    await trimLog(store, Infinity, { dedupeWindowMs: window, now: t0 + 1000 });
    expect(await redis.hlen(store.keys.seen)).toBe(seenBefore);
    // The window not yet over: nothing forgotten.
    expect(await forgetExpiredSeen(store, t0 + window - 1000, window)).toBe(0);
    // Past it: the trimmed events' keys go (the DaemonSet's and n0…n4's), the entry still in the log keeps its own.
    const trimmedEvents = (await redis.hlen(store.keys.seen)) - 1;
    expect(trimmedEvents).toBeGreaterThan(0);
    expect(await forgetExpiredSeen(store, t0 + window + 1000, window)).toBe(trimmedEvents);
    expect(await redis.hexists(store.keys.seen, dedupeField(early))).toBe(0);
    expect(await redis.hexists(store.keys.seen, dedupeField(kept))).toBe(1);
    expect(await forgetExpiredSeen(store, t0 + 10 * window, window)).toBe(0);

    // A late copy of a forgotten event is logged again and, stale, changes nothing.
    const before = await replay(store);
    const [copy] = (await acceptEvents(store, [early], t0 + window + 2000)).results;
    expect(copy?.duplicate).toBe(false);
    expect(copy?.seq).toBeGreaterThan(snapshot.seq);
    expect(diffStates((await replay(store)).state, before.state)).toEqual([]);
  });

  it('forgets at once the keys of trimmed events older than the window', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    await history(0, 5);
    await takeSnapshot(store);
    await history(5, 6);
    await trimLog(store, Infinity, { dedupeWindowMs: 1000, now: t0 + 10_000 });
    // Only the one event after the snapshot keeps its key.
    expect(await redis.hlen(store.keys.seen)).toBe(1);
    expect(await redis.exists(`${store.keys.tag}:seen-expiry`)).toBe(0);
  });
});

describe('export of a trimmed log', () => {
  it('starts with the snapshot at the horizon; importing it elsewhere gives the same cluster', async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
    await history(0, 8);
    await takeSnapshot(store);
    await history(8, 12);
    const horizon = await trimLog(store);
    expect(horizon).toBeGreaterThan(0);
    const lines: string[] = [];
    for await (const chunk of exportLog(store)) lines.push(chunk);
    const text = lines.join('');
    expect(text.startsWith(`{"kind":"snapshot","seq":${horizon},`)).toBe(true);
    const other = new EventStore(redis, `${store.keys.prefix}-copy`);
    try {
      const result = await importLog(other, [text]);
      expect(result.lastSeq).toBe(await store.lastSeq());
      expect(await other.logHorizon()).toBe(horizon);
      const [a, b] = await Promise.all([replay(store), replay(other)]);
      expect(diffStates(a.state, b.state)).toEqual([]);
      expect(await verify(other)).toMatchObject({ consistent: true });
    } finally {
      await other.destroy();
    }
  });
});

