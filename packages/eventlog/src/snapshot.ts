/**
 * Snapshots: the cluster as the log implies it at some seq, stored so that
 * replaying to a recent point reads a snapshot plus the tail instead of the
 * whole log — and so that the log can be trimmed behind one (retention).
 *
 * `{p}:snapshots` is a sorted set scored by seq whose members are `seq|at`;
 * `{p}:snapshot:<seq>` holds the state (`snapshot-codec.ts`); `{p}:horizon` is the seq of
 * the snapshot the log was last trimmed behind (entries up to it are gone).
 */
import type { ClusterState } from '@everynode/daemonset';
import { defaultDedupeWindowMs, retire, seenToRetire } from './dedupe-window.ts';
import { indexBlockOf } from './log-index.ts';
import { decodeSnapshot, deserializeState, encodeSnapshot } from './snapshot-codec.ts';
import type { EventStore } from './store.ts';

export interface Snapshot {
  readonly seq: number;
  /** The time of the last entry it includes (RFC 3339). */
  readonly at: string;
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

/** The snapshot at `seq`: a list of texts (`snapshot-codec.ts`), or — written by an older engine — one string of JSON. */
export async function loadSnapshot(store: EventStore, seq: number): Promise<ClusterState> {
  const key = snapshotKey(store, seq);
  const type = await store.redis.type(key);
  if (type === 'none') throw new Error(`snapshot ${seq} is listed but missing`);
  if (type === 'string') return deserializeState((await store.redis.get(key)) ?? '');
  // As buffers: ioredis reads a list of 1 MB strings many times faster than one 30 MB string.
  const texts = (await store.redis.lrangeBuffer(key, 0, -1)).map((b) => b.toString());
  return decodeSnapshot(texts);
}

/** Store `state` as the snapshot at `seq` (the seq and time of the last entry it includes). */
export async function saveSnapshot(store: EventStore, snapshot: Snapshot, state: ClusterState): Promise<void> {
  const key = snapshotKey(store, snapshot.seq);
  await store.redis
    .multi()
    .del(key)
    .rpush(key, ...encodeSnapshot(state))
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
 * older snapshots; replay starts from it. The trimmed events' dedupe keys
 * are forgotten, or queued to be once `dedupeWindowMs` has passed
 * (`dedupe-window.ts`), in the same MULTI. Returns the new horizon, or the
 * old one when there is no snapshot to trim behind.
 */
export async function trimLog(store: EventStore, behindSeq = Infinity, { dedupeWindowMs = defaultDedupeWindowMs, now = Date.now() } = {}): Promise<number> {
  const snapshot = await latestSnapshot(store, behindSeq);
  const horizon = await logHorizon(store);
  if (!snapshot || snapshot.seq <= horizon) return horizon;
  const older = await store.redis.zrangebyscore(snapshotsKey(store), '-inf', `(${snapshot.seq}`);
  const retirement = await seenToRetire(store, horizon + 1, snapshot.seq, now, dedupeWindowMs);
  const multi = store.redis.multi();
  retire(store, multi, retirement);
  multi
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
