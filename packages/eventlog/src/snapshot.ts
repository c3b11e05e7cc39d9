/**
 * Snapshots: the cluster as the log implies it at some seq, stored so that
 * replaying to a recent point reads a snapshot plus the tail instead of the
 * whole log — and so that the log can be trimmed behind one (retention).
 *
 * `{p}:snapshots` is a sorted set scored by seq whose members are `seq|at`;
 * `{p}:snapshot:<seq>` holds the state as JSON; `{p}:horizon` is the seq of
 * the snapshot the log was last trimmed behind (entries up to it are gone).
 */
import type { ControllerRevision, DaemonSet, Node, Pod } from '@everynode/api';
import { type ClusterState, type ControllerRecord, emptyClusterState, type ObjectVersion } from '@everynode/daemonset';
import { indexBlockOf } from './log-index.ts';
import type { EventStore } from './store.ts';

interface SerializedState {
  nodes: [string, Node][];
  pods: [string, Pod][];
  versions: [string, ObjectVersion][];
  daemonSets: [string, { daemonSet: DaemonSet; controller: ControllerRecord; deleted: boolean; revisions: [string, ControllerRevision][] }][];
}

export interface Snapshot {
  readonly seq: number;
  /** The time of the last entry it includes (RFC 3339). */
  readonly at: string;
}

export function serializeState(state: ClusterState): string {
  const out: SerializedState = {
    nodes: [...state.nodes],
    pods: [...state.pods],
    versions: [...state.versions],
    daemonSets: [...state.daemonSets].map(([key, r]) => [key, { daemonSet: r.daemonSet, controller: r.controller, deleted: r.deleted, revisions: [...r.revisions] }]),
  };
  return JSON.stringify(out);
}

export function deserializeState(json: string): ClusterState {
  const data = JSON.parse(json) as SerializedState;
  const state = emptyClusterState();
  for (const [k, v] of data.nodes) state.nodes.set(k, v);
  for (const [k, v] of data.pods) state.pods.set(k, v);
  for (const [k, v] of data.versions) state.versions.set(k, v);
  for (const [k, r] of data.daemonSets) state.daemonSets.set(k, { ...r, revisions: new Map(r.revisions) });
  return state;
}

const snapshotsKey = (store: EventStore) => `${store.keys.tag}:snapshots`;
const snapshotKey = (store: EventStore, seq: number) => `${store.keys.tag}:snapshot:${seq}`;
const horizonKey = (store: EventStore) => `${store.keys.tag}:horizon`;

/** The newest snapshot at or before `toSeq` whose time is at or before `atOrBefore`. */
export async function latestSnapshot(store: EventStore, toSeq = Infinity, atOrBefore = Infinity): Promise<Snapshot | undefined> {
  const max = Number.isFinite(toSeq) ? String(toSeq) : '+inf';
  const members = await store.redis.zrevrangebyscore(snapshotsKey(store), max, '-inf', 'LIMIT', 0, 50);
  for (const member of members) {
    const [seq, at] = member.split('|') as [string, string];
    if (Date.parse(at) <= atOrBefore) return { seq: Number(seq), at };
  }
  return undefined;
}

export async function loadSnapshot(store: EventStore, seq: number): Promise<ClusterState> {
  const json = await store.redis.get(snapshotKey(store, seq));
  if (json === null) throw new Error(`snapshot ${seq} is listed but missing`);
  return deserializeState(json);
}

/** Store `state` as the snapshot at `seq` (the seq and time of the last entry it includes). */
export async function saveSnapshot(store: EventStore, snapshot: Snapshot, state: ClusterState): Promise<void> {
  await store.redis
    .multi()
    .set(snapshotKey(store, snapshot.seq), serializeState(state))
    .zadd(snapshotsKey(store), snapshot.seq, `${snapshot.seq}|${snapshot.at}`)
    .exec();
}

/** The seq the log was trimmed behind (0: nothing trimmed). Entries up to it are only in snapshots. */
export async function logHorizon(store: EventStore): Promise<number> {
  return store.logHorizon();
}

/** Record that the log starts after `seq` (an import of a trimmed log's export). */
export async function setHorizon(store: EventStore, seq: number): Promise<void> {
  await store.redis.multi().set(horizonKey(store), String(seq)).set(store.keys.seq, String(seq)).exec();
}

/**
 * Trim the log behind the newest snapshot (or the one at or before
 * `behindSeq`): entries up to the snapshot's seq are deleted, and so are
 * older snapshots; replay starts from it. Returns the new horizon, or the
 * old one when there is no snapshot to trim behind.
 */
export async function trimLog(store: EventStore, behindSeq = Infinity): Promise<number> {
  const snapshot = await latestSnapshot(store, behindSeq);
  const horizon = await logHorizon(store);
  if (!snapshot || snapshot.seq <= horizon) return horizon;
  const older = await store.redis.zrangebyscore(snapshotsKey(store), '-inf', `(${snapshot.seq}`);
  const multi = store.redis
    .multi()
    .xtrim(store.keys.log, 'MINID', `${snapshot.seq + 1}-0`)
    .set(horizonKey(store), String(snapshot.seq))
    .zremrangebyscore(snapshotsKey(store), '-inf', `(${snapshot.seq}`);
  // Snapshots older than the horizon serve nothing any more: the log they start from is gone.
  for (const member of older) multi.unlink(snapshotKey(store, Number(member.split('|')[0])));
  // So are the index blocks wholly behind it (replay reads none before the snapshot).
  for (let block = indexBlockOf(horizon); block < indexBlockOf(snapshot.seq + 1); block++) multi.unlink(store.keys.indexBlock(block));
  await multi.exec();
  return snapshot.seq;
}
