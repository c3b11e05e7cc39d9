/**
 * A slice of the projection read from Redis into the core's `ClusterState`,
 * changed there by the core's own `evolve` / `applyPass`, and written back as
 * the difference — with an rv check on every object read for writing, so a
 * concurrent change to any of them aborts the commit instead of being lost.
 */
import { controllerOf, type ControllerRevision, type Node, type Pod } from '@everynode/api';
import {
  type ClusterState,
  type DaemonSetRecord,
  emptyClusterState,
  type ObjectVersion,
  targetNodeName,
} from '@everynode/daemonset';
import type { RedisClient } from './redis-client.ts';
import type { CommitBuilder } from './commit.ts';
import { podJson } from './json.ts';
import type { Keys } from './keys.ts';
import { BaseGone, podsOfRecords, readingPods } from './pod-bases.ts';
import { encodePod, podRecordBase } from './pod-record.ts';

/** What a DaemonSet record is stored as (revisions live in their own hash). */
interface StoredRecord {
  daemonSet: DaemonSetRecord['daemonSet'];
  controller: DaemonSetRecord['controller'];
  deleted: boolean;
}

const parse = <T>(json: string | null | undefined): T | undefined => (json ? (JSON.parse(json) as T) : undefined);

export function recordJson(record: DaemonSetRecord): string {
  const stored: StoredRecord = { daemonSet: record.daemonSet, controller: record.controller, deleted: record.deleted };
  return JSON.stringify(stored);
}

export function parseRecord(json: string, revisions: Map<string, ControllerRevision>): DaemonSetRecord {
  const stored = JSON.parse(json) as StoredRecord;
  return { ...stored, revisions };
}

/**
 * The index sets a pod belongs to: `node-pods` of the node it targets,
 * `ds-pods` of the DaemonSet controlling it, or `orphans` of its namespace
 * when nothing controls it (a pod another kind controls is in neither).
 */
export function podIndexSets(keys: Keys, pod: Pod): string[] {
  const node = targetNodeName(pod);
  const ref = controllerOf(pod.metadata);
  const sets = node ? [keys.nodePods(node)] : [];
  if (ref === undefined) sets.push(keys.orphans(pod.metadata.namespace));
  else if (ref.kind === 'DaemonSet') sets.push(keys.daemonSetPods(`${pod.metadata.namespace}/${ref.name}`));
  return sets;
}

/** What to read into a slice. */
export interface SliceRequest {
  readonly nodes?: readonly string[];
  readonly pods?: readonly string[];
  readonly daemonSets?: readonly string[];
  /** Every node, read-only (a full pass never writes nodes). */
  readonly allNodes?: boolean;
  /** Every DaemonSet record without revisions, read-only (to see which a pod concerns). */
  readonly allDaemonSets?: boolean;
}

export class Slice {
  readonly state: ClusterState = emptyClusterState();
  /** JSON as read, per object key, for objects loaded for writing (undefined: absent). */
  private readonly original = new Map<string, string | undefined>();
  private readonly originalPods = new Map<string, Pod | undefined>();
  private readonly originalRevisions = new Map<string, Map<string, string>>();
  private readonly originalVersions = new Map<string, string | undefined>();
  private readonly rv = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** The resourceVersion (`node/NAME`, `pod/NS/NAME`, `ds/NS/NAME`) an object loaded for writing had when read ('0': absent); undefined when it was not loaded. */
  rvOf(objectKey: string): string | undefined {
    return this.rv.get(objectKey);
  }

  /**
   * Read, in one round trip: `nodes`, `pods` and `daemonSets` for writing
   * (with their rv and versions), and — read-only — every node and every
   * DaemonSet record when asked.
   */
  async load(request: SliceRequest): Promise<void> {
    const nodes = request.nodes ?? [];
    const pods = request.pods ?? [];
    const daemonSets = request.daemonSets ?? [];
    const k = this.keys;
    const objectKeys = [...nodes.map((n) => `node/${n}`), ...pods.map((p) => `pod/${p}`), ...daemonSets.map((d) => `ds/${d}`)];
    // Read again if a pod's base was dropped before it was read (pod-bases.ts): nothing is kept of a read until its pods are whole.
    const { replies, podObjects } = await readingPods(async () => {
      const multi = this.redis.multi();
      if (nodes.length > 0) multi.hmget(k.nodes, ...nodes);
      if (pods.length > 0) multi.hmget(k.pods, ...pods);
      for (const ds of daemonSets) multi.hget(k.daemonSets, ds).hgetall(k.revisions(ds));
      if (objectKeys.length > 0) multi.hmget(k.rv, ...objectKeys).hmget(k.versions, ...objectKeys);
      if (request.allNodes) multi.hgetall(k.nodes);
      if (request.allDaemonSets) multi.hgetall(k.daemonSets);
      const replies = ((await multi.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      });
      const podRecords = pods.length > 0 ? (replies[nodes.length > 0 ? 1 : 0] as (string | null)[]) : [];
      const podObjects = await podsOfRecords(this.redis, k, podRecords);
      return podObjects === BaseGone ? BaseGone : { replies, podObjects };
    });
    let at = 0;
    const next = <T>() => replies[at++] as T;
    const nodeValues = nodes.length > 0 ? next<(string | null)[]>() : [];
    const podValues = pods.length > 0 ? next<(string | null)[]>() : [];
    const dsValues = daemonSets.map(() => [next<string | null>(), next<Record<string, string>>()] as const);
    const [rvs, versions] = objectKeys.length > 0 ? [next<(string | null)[]>(), next<(string | null)[]>()] : [[], []];
    objectKeys.forEach((key, i) => {
      this.rv.set(key, rvs[i] ?? '0');
      this.setVersion(key, versions[i]);
    });
    nodes.forEach((name, i) => {
      this.original.set(`node/${name}`, nodeValues[i] ?? undefined);
      const node = parse<Node>(nodeValues[i]);
      if (node) this.state.nodes.set(name, node);
    });
    pods.forEach((podKey, i) => {
      this.original.set(`pod/${podKey}`, podValues[i] ?? undefined);
      const pod = podObjects[i];
      this.originalPods.set(podKey, pod);
      if (pod) this.state.pods.set(podKey, pod);
    });
    daemonSets.forEach((dsKey, i) => {
      const [json, revisions] = dsValues[i] as readonly [string | null, Record<string, string>];
      this.original.set(`ds/${dsKey}`, json ?? undefined);
      this.originalRevisions.set(dsKey, new Map(Object.entries(revisions)));
      if (!json) return;
      const parsed = new Map(Object.entries(revisions).map(([n, r]) => [n, JSON.parse(r) as ControllerRevision]));
      this.state.daemonSets.set(dsKey, parseRecord(json, parsed));
    });
    if (request.allNodes) {
      for (const [name, json] of Object.entries(next<Record<string, string>>())) {
        if (!this.state.nodes.has(name)) this.state.nodes.set(name, JSON.parse(json) as Node);
      }
    }
    if (request.allDaemonSets) {
      for (const [dsKey, json] of Object.entries(next<Record<string, string>>())) {
        if (!this.state.daemonSets.has(dsKey)) this.state.daemonSets.set(dsKey, parseRecord(json, new Map()));
      }
    }
  }

  /** Pods by `ns/name`, for writing. */
  async loadPods(podKeys: readonly string[]): Promise<void> {
    if (podKeys.length > 0) await this.load({ pods: podKeys });
  }

  /** One DaemonSet record with its revisions, for writing. */
  async loadDaemonSet(dsKey: string): Promise<DaemonSetRecord | undefined> {
    await this.load({ daemonSets: [dsKey] });
    return this.state.daemonSets.get(dsKey);
  }

  /** A pod as it was read, before any change in this slice. */
  podAsRead(podKey: string): Pod | undefined {
    return this.originalPods.get(podKey);
  }

  private setVersion(objectKey: string, json: string | null | undefined): void {
    this.originalVersions.set(objectKey, json ?? undefined);
    const version = parse<ObjectVersion>(json);
    if (version) this.state.versions.set(objectKey, version);
  }

  /**
   * Add to `commit` the checks and writes that turn what was read into the
   * slice's state now: objects, revisions, versions and the pod indexes.
   */
  writeChanges(commit: CommitBuilder): void {
    for (const [key, rv] of this.rv) commit.check(key, rv);
    this.writeNodes(commit);
    this.writePods(commit);
    this.writeDaemonSets(commit);
    this.writeVersions(commit);
  }

  private writeNodes(commit: CommitBuilder): void {
    for (const [key, before] of this.original) {
      if (!key.startsWith('node/')) continue;
      const name = key.slice('node/'.length);
      const node = this.state.nodes.get(name);
      const after = node ? JSON.stringify(node) : undefined;
      if (after === before) continue;
      commit.touch(key);
      if (after === undefined) commit.hdel(this.keys.nodes, name);
      else commit.hset(this.keys.nodes, name, after);
    }
  }

  /**
   * Pods changed, as records (`pod-record.ts`), with the counts of the
   * bases they refer to moved along: a pod stored against a base it did not
   * refer to before adds one to its count (and the base is written with
   * it), one that no longer refers to a base takes one away.
   */
  private writePods(commit: CommitBuilder): void {
    const seen = new Set<string>();
    const refs = new Map<string, number>();
    const bases = new Map<string, string>();
    const write = (podKey: string, before: Pod | undefined, beforeRecord: string | undefined) => {
      seen.add(podKey);
      const pod = this.state.pods.get(podKey);
      // The very object read: unchanged (state objects are replaced, never changed in place).
      if (pod !== undefined && pod === before) return;
      const after = pod ? encodePod(pod) : undefined;
      if (after?.record === beforeRecord) return;
      // Stored whole by an older engine, and unchanged: left as it is.
      if (pod !== undefined && beforeRecord?.startsWith('{') && podJson(pod) === beforeRecord) return;
      commit.touch(`pod/${podKey}`);
      if (after === undefined) commit.hdel(this.keys.pods, podKey);
      else commit.hset(this.keys.pods, podKey, after.record);
      const was = beforeRecord === undefined ? undefined : podRecordBase(beforeRecord);
      const is = after?.base;
      if (was !== is?.id) {
        if (was !== undefined) refs.set(was, (refs.get(was) ?? 0) - 1);
        if (is !== undefined) {
          refs.set(is.id, (refs.get(is.id) ?? 0) + 1);
          bases.set(is.id, is.json);
        }
      }
      this.writePodIndexes(commit, podKey, before, pod);
    };
    for (const [podKey, before] of this.originalPods) write(podKey, before, this.original.get(`pod/${podKey}`));
    for (const podKey of this.state.pods.keys()) if (!seen.has(podKey)) write(podKey, undefined, undefined);
    // A base is written with every pod that newly refers to it: it may not be stored yet, or the sweep may have dropped it since no pod did.
    for (const [id, json] of bases) commit.hset(this.keys.podBases, id, json);
    for (const [id, delta] of refs) {
      if (delta > 0) commit.hincr(this.keys.podBaseRefs, id, delta);
      else if (delta < 0) commit.hdecr(this.keys.podBaseRefs, id, -delta);
    }
  }

  /** Keep `node-pods`, `ds-pods` and `orphans` in step with one pod's change. */
  private writePodIndexes(commit: CommitBuilder, podKey: string, before: Pod | undefined, after: Pod | undefined): void {
    const placed = (pod: Pod | undefined) => (pod ? podIndexSets(this.keys, pod) : []);
    const was = placed(before);
    const is = placed(after);
    for (const set of was) if (!is.includes(set)) commit.srem(set, podKey);
    for (const set of is) if (!was.includes(set)) commit.sadd(set, podKey);
  }

  private writeDaemonSets(commit: CommitBuilder): void {
    for (const [key, before] of this.original) {
      if (!key.startsWith('ds/')) continue;
      const dsKey = key.slice('ds/'.length);
      const record = this.state.daemonSets.get(dsKey);
      const after = record ? recordJson(record) : undefined;
      let changed = after !== before;
      if (changed) {
        if (after === undefined) commit.hdel(this.keys.daemonSets, dsKey);
        else commit.hset(this.keys.daemonSets, dsKey, after);
      }
      const revisionsBefore = this.originalRevisions.get(dsKey) ?? new Map<string, string>();
      const revisionsAfter = record?.revisions ?? new Map<string, ControllerRevision>();
      for (const name of revisionsBefore.keys()) {
        if (revisionsAfter.has(name)) continue;
        commit.hdel(this.keys.revisions(dsKey), name);
        changed = true;
      }
      for (const [name, revision] of revisionsAfter) {
        const json = JSON.stringify(revision);
        if (revisionsBefore.get(name) === json) continue;
        commit.hset(this.keys.revisions(dsKey), name, json);
        changed = true;
      }
      if (changed) commit.touch(key);
    }
  }

  private writeVersions(commit: CommitBuilder): void {
    for (const [key, version] of this.state.versions) {
      const after = JSON.stringify(version);
      if (this.originalVersions.get(key) === after) continue;
      commit.hset(this.keys.versions, key, after);
      // A tombstone or a newer version is a change too: a concurrent writer must re-read it.
      commit.touch(key);
    }
  }
}
