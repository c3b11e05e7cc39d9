/**
 * Writing a whole `ClusterState` into the projection: after an import, the
 * projection is rebuilt by replaying the log and writing what it implies.
 * Contributions (per-node status counts) are not written: every DaemonSet is
 * marked for a full pass instead, and that pass recomputes them — deciding
 * nothing when the state is already what the DaemonSet wants.
 */
import type { ClusterState } from '@everynode/daemonset';
import { encodePod } from './pod-record.ts';
import { podIndexSets, recordJson } from './slice.ts';
import type { EventStore } from './store.ts';

/** Commands per pipeline round trip. */
const chunk = 1000;

/**
 * Write `state` into `store`'s projection: nodes, pods (and the bases they are stored against), DaemonSet records
 * (tombstones too) and their revisions, object versions, and the pod indexes
 * (`node-pods`, `ds-pods`, `orphans`), and each object's rv as `seq` (the
 * replay's last: the object changed at or before it); then mark every live DaemonSet for a
 * full pass. Meant for an empty projection: objects already there and
 * absent from `state` are left alone. Not atomic: run it where nothing else
 * writes the prefix.
 */
export async function restoreProjection(store: EventStore, state: ClusterState, seq: number): Promise<{ nodes: number; pods: number; daemonSets: number }> {
  const { redis, keys } = store;
  let pipeline = redis.pipeline();
  const flushIfFull = async () => {
    if (pipeline.length < chunk) return;
    await execOrThrow(pipeline);
    pipeline = redis.pipeline();
  };
  for (const [name, node] of state.nodes) {
    pipeline.hset(keys.nodes, name, JSON.stringify(node)).hset(keys.rv, `node/${name}`, seq);
    await flushIfFull();
  }
  // Pods as records against their bases (pod-record.ts): each base written once, before the pods that refer to it, with their count.
  const bases = new Map<string, { json: string; refs: number }>();
  const records = new Map<string, string>();
  for (const [podKey, pod] of state.pods) {
    const { record, base } = encodePod(pod);
    records.set(podKey, record);
    if (base === undefined) continue;
    const known = bases.get(base.id);
    if (known) known.refs++;
    else bases.set(base.id, { json: base.json, refs: 1 });
  }
  for (const [id, { json, refs }] of bases) {
    pipeline.hset(keys.podBases, id, json).hincrby(keys.podBaseRefs, id, refs);
    await flushIfFull();
  }
  for (const [podKey, pod] of state.pods) {
    pipeline.hset(keys.pods, podKey, records.get(podKey) as string).hset(keys.rv, `pod/${podKey}`, seq);
    for (const set of podIndexSets(keys, pod)) pipeline.sadd(set, podKey);
    await flushIfFull();
  }
  for (const [dsKey, record] of state.daemonSets) {
    pipeline.hset(keys.daemonSets, dsKey, recordJson(record)).hset(keys.rv, `ds/${dsKey}`, seq);
    for (const [name, revision] of record.revisions) pipeline.hset(keys.revisions(dsKey), name, JSON.stringify(revision));
    await flushIfFull();
  }
  for (const [objectKey, version] of state.versions) {
    pipeline.hset(keys.versions, objectKey, JSON.stringify(version));
    await flushIfFull();
  }
  await execOrThrow(pipeline);
  const live = [...state.daemonSets].filter(([, record]) => !record.deleted).map(([dsKey]) => dsKey);
  for (const dsKey of live) await store.markAllDirty(dsKey);
  return { nodes: state.nodes.size, pods: state.pods.size, daemonSets: live.length };
}

/** `pipeline.exec()`, throwing the first command error instead of returning it. */
export async function execOrThrow(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<void> {
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}
