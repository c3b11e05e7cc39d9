/**
 * Replay: the projection rebuilt from the log alone, with the same core
 * functions the live workers use (`evolve` for events, `applyPass` for
 * passes), and compared with the live projection.
 *
 * Replay reads the log through its index and folds most entries from their
 * index lines alone: see `lazy-fold.ts`.
 */
import type { ControllerRevision, Node, Pod } from '@everynode/api';
import { type ClusterState, emptyClusterState, type ObjectVersion } from '@everynode/daemonset';
import { HeaderFoldedTypes, LazyFold } from './lazy-fold.ts';
import { type IndexCursor, readIndexPage } from './log-index.ts';
import { BaseGone, podsOfRecords } from './pod-bases.ts';
import { parseRecord, recordJson } from './slice.ts';
import { latestSnapshot, loadSnapshot, logHorizon, saveSnapshot, type Snapshot } from './snapshot.ts';
import { entryOf, type EventStore } from './store.ts';

export { applyEntry } from './lazy-fold.ts';

/** Where a replay stops. Both bounds may be given; the first one reached stops it. */
export interface ReplayBounds {
  /** Apply entries up to and including this seq. Default: all. */
  readonly toSeq?: number;
  /**
   * Apply entries whose `at` is at or before this moment (ms since the
   * epoch). The log's order is the truth, so replay stops at the first entry
   * later than this: a prefix, never a state the engine did not pass through.
   * Default: no bound.
   */
  readonly atOrBefore?: number;
  /** Entries per read. Default 10,000. */
  readonly batch?: number;
  /**
   * Start from the newest snapshot within the bounds rather than from the
   * first entry. Default true; once the log is trimmed there is no other way.
   */
  readonly useSnapshots?: boolean;
}

/** The cluster as the log implies it up to the bounds; `seq` and `at` are the last entry applied's (0 and undefined for none). */
export async function replay(
  store: EventStore,
  { toSeq = Infinity, atOrBefore = Infinity, batch = 10_000, useSnapshots = true }: ReplayBounds = {},
): Promise<{ state: ClusterState; seq: number; at?: string; fromSnapshot?: number }> {
  const [horizon, lastSeq] = await Promise.all([logHorizon(store), store.lastSeq()]);
  const snapshot = useSnapshots || horizon > 0 ? await latestSnapshot(store, toSeq, atOrBefore) : undefined;
  if (horizon > 0 && (snapshot === undefined || snapshot.seq < horizon)) {
    throw new RangeError(`the log up to seq ${horizon} was trimmed behind a snapshot: the earliest point to replay to is seq ${horizon}`);
  }
  const fold = new LazyFold(store, snapshot ? await loadSnapshot(store, snapshot.seq) : emptyClusterState());
  let after = snapshot?.seq ?? 0;
  let at: string | number | undefined = snapshot?.at;
  const pages: Promise<IndexCursor>[] = [];
  const done = async () => {
    // Pages read ahead past the bound are dropped; a failure reading them no longer matters.
    for (const page of pages) page.catch(() => undefined);
    const state = await fold.finish();
    const atText = typeof at === 'number' ? new Date(at).toISOString() : at;
    return { state, seq: after, ...(atText === undefined ? {} : { at: atText }), ...(snapshot ? { fromSnapshot: snapshot.seq } : {}) };
  };
  const end = Math.min(toSeq, lastSeq);
  const read = (from: number) => readIndexPage(store, from, Math.min(from + batch - 1, end), HeaderFoldedTypes);
  // Pages are read two ahead of the fold: Redis, the wire and the fold overlap.
  let nextFrom = after + 1;
  const readAhead = () => {
    while (pages.length < 2 && nextFrom <= end) {
      pages.push(read(nextFrom));
      nextFrom += batch;
    }
  };
  readAhead();
  for (let page = pages.shift(); page !== undefined; page = pages.shift()) {
    const cursor = await page;
    readAhead();
    while (cursor.next()) {
      if (cursor.json === undefined) {
        if (cursor.at > atOrBefore) return done();
        fold.line(cursor);
        at = cursor.at;
      } else {
        const entry = entryOf(cursor.json, cursor.seq);
        if (Date.parse(entry.at) > atOrBefore) return done();
        await fold.entry(entry);
        at = entry.at;
      }
      after = cursor.seq;
    }
  }
  return done();
}

/**
 * Snapshot the cluster as the log implies it now: the newest snapshot plus
 * the entries after it. Returns the snapshot, or undefined when fewer than
 * `minEntries` entries came since the last one.
 */
export async function takeSnapshot(store: EventStore, { minEntries = 1 }: { minEntries?: number } = {}): Promise<Snapshot | undefined> {
  const lastSeq = await store.lastSeq();
  const previous = await latestSnapshot(store);
  if (lastSeq - (previous?.seq ?? 0) < minEntries) return undefined;
  const { state, seq, at } = await replay(store, { toSeq: lastSeq });
  if (at === undefined || seq === previous?.seq) return undefined;
  const snapshot = { seq, at };
  await saveSnapshot(store, snapshot, state);
  return snapshot;
}

/** The live projection, whole, as a `ClusterState`. */
export async function liveState(store: EventStore): Promise<ClusterState> {
  return (await liveStateAt(store)).state;
}

/**
 * The live projection and the seq of the last entry it includes, read as
 * one: the objects in one MULTI with the seq, then the revisions, again if
 * an entry came in between (every commit changes the seq and the projection
 * together).
 */
async function liveStateAt(store: EventStore): Promise<{ state: ClusterState; seq: number }> {
  const { redis, keys } = store;
  for (let attempt = 0; ; attempt++) {
    const replies = (await redis.multi().get(keys.seq).hgetall(keys.nodes).hgetall(keys.pods).hgetall(keys.daemonSets).hgetall(keys.versions).exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const [seq, nodes, pods, records, versions] = replies.map(([, value]) => value) as [string | null, Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    const dsKeys = Object.keys(records);
    const pipeline = redis.pipeline();
    for (const dsKey of dsKeys) pipeline.hgetall(keys.revisions(dsKey));
    pipeline.get(keys.seq);
    const after = (await pipeline.exec()) ?? [];
    if (after.at(-1)?.[1] !== seq && attempt < 20) continue;
    const podKeys = Object.keys(pods);
    const podObjects = await podsOfRecords(redis, keys, Object.values(pods));
    if (podObjects === BaseGone) {
      if (attempt < 20) continue;
      throw new Error('verify: the bases of the pods read kept being dropped before they were read');
    }
    const state = emptyClusterState();
    for (const [name, json] of Object.entries(nodes)) state.nodes.set(name, JSON.parse(json) as Node);
    podKeys.forEach((key, i) => state.pods.set(key, podObjects[i] as Pod));
    for (const [key, json] of Object.entries(versions)) state.versions.set(key, JSON.parse(json) as ObjectVersion);
    dsKeys.forEach((dsKey, i) => {
      const revisions = (after[i]?.[1] ?? {}) as Record<string, string>;
      const parsed = new Map(Object.entries(revisions).map(([n, r]) => [n, JSON.parse(r) as ControllerRevision]));
      state.daemonSets.set(dsKey, parseRecord(records[dsKey] as string, parsed));
    });
    return { state, seq: Number(seq ?? 0) };
  }
}

/** Every object of a state as `kind/key → JSON`, to compare two states. */
function flatten(state: ClusterState): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, node] of state.nodes) out.set(`node/${name}`, canonical(node));
  for (const [key, pod] of state.pods) out.set(`pod/${key}`, canonical(pod));
  for (const [key, version] of state.versions) out.set(`version/${key}`, canonical(version));
  for (const [key, record] of state.daemonSets) {
    out.set(`daemonset/${key}`, canonical(JSON.parse(recordJson(record))));
    for (const [name, revision] of record.revisions) out.set(`revision/${key}/${name}`, canonical(revision));
  }
  return out;
}

/** Differences between two states, one line per object. */
export function diffStates(live: ClusterState, replayed: ClusterState): string[] {
  const a = flatten(live);
  const b = flatten(replayed);
  const differences: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === y) continue;
    if (y === undefined) differences.push(`${key}: live has it, the log does not imply it`);
    else if (x === undefined) differences.push(`${key}: the log implies it, live does not have it`);
    else differences.push(`${key}: live ${x} ≠ log ${y}`);
  }
  return differences.sort();
}

/** Rebuild the present from the log and compare it with the live projection, both as of the same entry. */
export async function verify(store: EventStore): Promise<{ consistent: boolean; differences: string[]; seq: number }> {
  const live = await liveStateAt(store);
  // From the first entry while the log is whole: the log alone must imply the state (snapshots are only used once it is trimmed).
  const replayed = await replay(store, { toSeq: live.seq, useSnapshots: false });
  const differences = diffStates(live.state, replayed.state);
  return { consistent: differences.length === 0, differences, seq: replayed.seq };
}

function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
