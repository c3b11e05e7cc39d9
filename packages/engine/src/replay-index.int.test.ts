/**
 * Replay through the log index (node events and pod status reports folded
 * from their index lines, a few bodies per object) against a real Redis: for
 * random histories — nodes joining, changing and leaving, DaemonSet passes
 * creating and deleting pods, reports about those pods and others, right or
 * wrong uids, late, with and without labels — it rebuilds exactly the state
 * of folding every entry whole with `evolve` / `applyPass`: to any bound,
 * from a snapshot, and with index lines missing (entries written before the
 * index existed) or impossible (a name with a space).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent } from '@everynode/api';
import { type ClusterState, emptyClusterState, targetNodeName } from '@everynode/daemonset';
import { applyEntry, diffStates, entryHeader, EventStore, indexBlockOf, IndexBlockSize, parseHeader, replay, saveSnapshot, serializeState } from '@everynode/eventlog/internal';
import { acceptEvents, runPass } from './internal.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
beforeAll(() => {
  redis = openRedis(url);
});
afterAll(async () => {
  await redis.quit();
});

const t0 = Date.parse('2026-04-01T00:00:00Z');
const names = ['n1', 'n2', 'n3', 'odd name'];

type Op =
  | { kind: 'join' | 'update'; node: string; time: number; label: number; creation?: number }
  | { kind: 'remove'; node: string; time: number }
  | { kind: 'status'; pod: number; uid: 'own' | 'none' | 'other'; labels: 'none' | 'match' | 'other'; time: number }
  | { kind: 'podDeleted'; pod: number; uid: 'own' | 'none' | 'other'; time: number }
  | { kind: 'ds'; time: number }
  | { kind: 'pass'; time: number };

const time = fc.integer({ min: 0, max: 30 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('join' as const, 'update' as const), node: fc.constantFrom(...names), time, label: fc.nat(5), creation: fc.option(fc.nat(1000), { nil: undefined }) }, { requiredKeys: ['kind', 'node', 'time', 'label'] }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), node: fc.constantFrom(...names), time }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('status' as const), pod: fc.nat(6), uid: fc.constantFrom('own' as const, 'none' as const, 'other' as const), labels: fc.constantFrom('none' as const, 'match' as const, 'other' as const), time }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('podDeleted' as const), pod: fc.nat(6), uid: fc.constantFrom('own' as const, 'none' as const, 'other' as const), time }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ds' as const), time }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pass' as const), time }) },
);

let id = 0;
const iso = (time: number) => new Date(t0 + time * 1000).toISOString();

/** The pods a report may be about: two that only reports create, and those that exist now. */
async function podTargets(store: EventStore): Promise<{ name: string; namespace: string; uid?: string; nodeName: string }[]> {
  const existing = (await store.listPods()).map((p) => ({ name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid as string | undefined, nodeName: targetNodeName(p) ?? 'n1' }));
  return [{ name: 'p1', namespace: 'default', uid: 'uid-p1', nodeName: 'n1' }, { name: 'p2', namespace: 'default', nodeName: 'n2' }, ...existing];
}

async function eventOf(o: Exclude<Op, { kind: 'pass' }>, store: EventStore): Promise<ClusterEvent> {
  const base = { specversion: '1.0', id: `e${++id}`, source: 'test', time: iso(o.time) };
  switch (o.kind) {
    case 'join':
    case 'update': {
      const metadata = { name: o.node, labels: { l: String(o.label) }, ...(o.creation === undefined ? {} : { creationTimestamp: new Date(t0 - o.creation * 1000).toISOString() }) };
      return { ...base, type: `io.everynode.node.${o.kind === 'join' ? 'joined' : 'updated'}`, data: { apiVersion: 'v1', kind: 'Node', metadata, status: { conditions: [{ type: 'Ready', status: 'True' }] } } } as ClusterEvent;
    }
    case 'remove':
      return { ...base, type: 'io.everynode.node.removed', data: { metadata: { name: o.node } } } as ClusterEvent;
    case 'status':
    case 'podDeleted': {
      const targets = await podTargets(store);
      const pod = targets[o.pod % targets.length] as (typeof targets)[number];
      const uid = o.uid === 'own' ? pod.uid : o.uid === 'other' ? `other-${o.time}` : undefined;
      const metadata = { name: pod.name, namespace: pod.namespace, ...(uid ? { uid } : {}) };
      if (o.kind === 'podDeleted') return { ...base, type: 'io.everynode.pod.deleted', data: { metadata } } as ClusterEvent;
      const labels = o.labels === 'match' ? { a: 'b' } : o.labels === 'other' ? { x: String(o.time) } : undefined;
      const status = { phase: o.time % 3 === 0 ? 'Pending' : 'Running', conditions: [{ type: 'Ready', status: o.time % 2 === 0 ? 'True' : 'False', lastProbeTime: iso(o.time) }] };
      return { ...base, type: 'io.everynode.pod.status', data: { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, ...(labels ? { labels } : {}) }, spec: { nodeName: pod.nodeName }, status } } as ClusterEvent;
    }
    case 'ds':
      return {
        ...base,
        type: 'io.everynode.daemonset.applied',
        data: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: `i:${o.time % 2}` }] } } } },
      } as ClusterEvent;
  }
}

/** Accept a chunk of ops at `at` (passes run where they stand, between the events around them). */
async function play(store: EventStore, chunk: readonly Op[], at: number): Promise<void> {
  let events: ClusterEvent[] = [];
  const flush = async () => {
    if (events.length > 0) await acceptEvents(store, events, at);
    events = [];
  };
  for (const o of chunk) {
    if (o.kind === 'pass') {
      await flush();
      await runPass(store, 'default/d', t0 + o.time * 1000);
    } else events.push(await eventOf(o, store));
  }
  await flush();
}

/** Fold every entry whole, as replay did before the index, up to the bounds. */
async function foldWhole(store: EventStore, toSeq: number, atOrBefore: number, from?: { state: ClusterState; seq: number }): Promise<ClusterState> {
  const state = from ? structuredClone(from.state) : emptyClusterState();
  for (const entry of await store.readLog({ after: from?.seq ?? 0, limit: 100_000 })) {
    if (entry.seq > toSeq || Date.parse(entry.at) > atOrBefore) break;
    applyEntry(state, entry);
  }
  return state;
}

/** Drop the index lines of `seqs`, as if an engine without the index had written those entries. */
async function dropIndexLines(store: EventStore, seqs: ReadonlySet<number>): Promise<void> {
  const last = await store.lastSeq();
  for (let block = 0; block <= indexBlockOf(last); block++) {
    const text = (await redis.get(store.keys.indexBlock(block))) ?? '';
    const kept = text.split('\n').filter((line) => line !== '' && !seqs.has(Number(line.split(' ')[0])));
    await redis.set(store.keys.indexBlock(block), kept.map((line) => `${line}\n`).join(''));
  }
}

const order = (state: ClusterState) => ({ nodes: [...state.nodes.keys()], pods: [...state.pods.keys()], versions: [...state.versions.keys()] });

describe('replay through the log index', () => {
  it('writes one index line per entry, the header of the entry it indexes', async () => {
    const store = new EventStore(redis, `test-index-${process.pid}-${Date.now()}`);
    try {
      await acceptEvents(store, [await eventOf({ kind: 'join', node: 'n1', time: 1, label: 1, creation: 5 }, store), await eventOf({ kind: 'join', node: 'odd name', time: 2, label: 1 }, store)], t0);
      const text = await redis.get(store.keys.indexBlock(0));
      const [first, second] = await store.readLog({ limit: 2 });
      expect(text).toBe(`1 ${entryHeader(first!)}\n2\n`);
      expect(parseHeader(entryHeader(first!))).toEqual({ at: t0, type: 'io.everynode.node.joined', time: t0 + 1000, object: 'node/n1', extras: [new Date(t0 - 5000).toISOString()] });
      expect(entryHeader(second!)).toBe('');
    } finally {
      await store.destroy();
    }
  });

  it('rebuilds what folding every entry whole does: any history, any bound, from a snapshot, lines missing', async () => {
    let compared = 0;
    let statusLines = 0;
    let passes = 0;
    let pods = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.nat(80), { maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        async (chunks, boundAt, snapshotAt, dropped, batch) => {
          const store = new EventStore(redis, `test-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
          try {
            // Each chunk is accepted at its own moment, so `at` bounds fall between entries.
            for (const [i, chunk] of chunks.entries()) await play(store, chunk, t0 + i * 1000);
            await dropIndexLines(store, new Set(dropped));
            const index = (await redis.get(store.keys.indexBlock(0))) ?? '';
            statusLines += index.split('io.everynode.pod.status').length - 1;
            passes += index.split(' pass ').length - 1;
            const last = await store.lastSeq();
            const toSeq = Math.round(boundAt * last);
            const atOrBefore = t0 + Math.floor(boundAt * chunks.length) * 1000;
            for (const bounds of [{}, { toSeq }, { atOrBefore }]) {
              const whole = await foldWhole(store, bounds.toSeq ?? Infinity, bounds.atOrBefore ?? Infinity);
              const { state } = await replay(store, { ...bounds, batch, useSnapshots: false });
              expect(diffStates(whole, state)).toEqual([]);
              expect(order(state)).toEqual(order(whole));
              compared++;
              pods += state.pods.size;
            }
            // From a snapshot: its nodes are built already; the tail's events continue them.
            const snapSeq = Math.max(1, Math.round(snapshotAt * last));
            const atSnapshot = await foldWhole(store, snapSeq, Infinity);
            await saveSnapshot(store, { seq: snapSeq, at: new Date(t0).toISOString() }, structuredClone(atSnapshot));
            const fromSnapshot = await replay(store, { batch });
            const whole = await foldWhole(store, Infinity, Infinity, { state: atSnapshot, seq: snapSeq });
            expect(fromSnapshot.fromSnapshot).toBe(snapSeq);
            expect(diffStates(whole, fromSnapshot.state)).toEqual([]);
            expect(serializeState(fromSnapshot.state)).toBe(serializeState(whole));
          } finally {
            await store.destroy();
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(compared).toBeGreaterThanOrEqual(180);
    // The histories really had reports folded from their lines, passes, and pods.
    expect(statusLines).toBeGreaterThan(100);
    expect(passes).toBeGreaterThan(20);
    expect(pods).toBeGreaterThan(100);
  });

  it('reads, for a selector, the entries it selects, judging an entry without an index line whole', async () => {
    const store = new EventStore(redis, `test-index-${process.pid}-${Date.now()}-where`);
    try {
      const ops: Op[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'join', node: `n${i % 3}`, time: i, label: i }));
      await acceptEvents(store, await Promise.all(ops.map((o) => eventOf(o as Exclude<Op, { kind: 'pass' }>, store))), t0);
      await dropIndexLines(store, new Set([4, 5]));
      const { entries, next } = await store.readLogWhere({ after: 2, limit: 20, where: { object: 'node/n1' } });
      // n1 joined at seqs 2, 5, 8, …; 4 and 5 have no line and are judged whole (4 is n0's).
      expect(entries.map((e) => e.seq)).toEqual([5, 8, 11, 14, 17, 20]);
      expect(next).toBe(22);
      const either = await store.readLogWhere({ after: 0, limit: 30, where: [{ seqs: new Set([4, 7]) }, { object: 'node/n2', since: t0 }] });
      expect(either.entries.map((e) => e.seq)).toEqual([3, 4, 6, 7, 9, 12, 15, 18, 21, 24, 27, 30]);
      expect((await store.readLogWhere({ after: 22, limit: 100, where: {} })).next).toBe(30);
    } finally {
      await store.destroy();
    }
  });

  it('reads entries across index blocks and pages', async () => {
    const store = new EventStore(redis, `test-index-${process.pid}-${Date.now()}-blocks`);
    try {
      const n = IndexBlockSize * 2 + 7;
      const ops: Op[] = Array.from({ length: n }, (_, i) => ({ kind: i % 3 === 0 ? 'join' : 'update', node: `n${i % 50}`, time: i, label: i % 4 }));
      for (let i = 0; i < n; i += 500) await acceptEvents(store, await Promise.all(ops.slice(i, i + 500).map((o) => eventOf(o as Exclude<Op, { kind: 'pass' }>, store))), t0);
      await dropIndexLines(store, new Set([IndexBlockSize - 1, IndexBlockSize, IndexBlockSize + 1]));
      const whole = await foldWhole(store, Infinity, Infinity);
      for (const batch of [333, IndexBlockSize, 10_000]) {
        const { state, seq } = await replay(store, { batch, useSnapshots: false });
        expect(seq).toBe(n);
        expect(diffStates(whole, state)).toEqual([]);
        expect(state.nodes.size).toBe(50);
      }
    } finally {
      await store.destroy();
    }
  });
});
