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
import type { Redis } from 'ioredis';
import type { CommitBuilder } from './commit.ts';
import type { Keys } from './keys.ts';

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

export class Slice {
  readonly state: ClusterState = emptyClusterState();
  /** JSON as read, per object key, for objects loaded for writing (undefined: absent). */
  private readonly original = new Map<string, string | undefined>();
  private readonly originalPods = new Map<string, Pod | undefined>();
  private readonly originalRevisions = new Map<string, Map<string, string>>();
  private readonly originalVersions = new Map<string, string | undefined>();
  private readonly rv = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Nodes, for writing (with rv and versions). */
  async loadNodes(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const objectKeys = names.map((n) => `node/${n}`);
    const [nodes, rvs, versions] = await this.multiGet(this.keys.nodes, names, objectKeys);
    names.forEach((name, i) => {
      const key = objectKeys[i] as string;
      this.original.set(key, nodes[i] ?? undefined);
      this.rv.set(key, rvs[i] ?? '0');
      this.setVersion(key, versions[i]);
      const node = parse<Node>(nodes[i]);
      if (node) this.state.nodes.set(name, node);
    });
  }

  /** Every node, read-only (a full pass never writes nodes). */
  async loadAllNodes(): Promise<void> {
    const all = await this.redis.hgetall(this.keys.nodes);
    for (const [name, json] of Object.entries(all)) this.state.nodes.set(name, JSON.parse(json) as Node);
  }

  /** Pods by `ns/name`, for writing. */
  async loadPods(podKeys: readonly string[]): Promise<void> {
    if (podKeys.length === 0) return;
    const objectKeys = podKeys.map((k) => `pod/${k}`);
    const [pods, rvs, versions] = await this.multiGet(this.keys.pods, podKeys, objectKeys);
    podKeys.forEach((podKey, i) => {
      const key = objectKeys[i] as string;
      this.original.set(key, pods[i] ?? undefined);
      this.rv.set(key, rvs[i] ?? '0');
      this.setVersion(key, versions[i]);
      const pod = parse<Pod>(pods[i]);
      this.originalPods.set(podKey, pod);
      if (pod) this.state.pods.set(podKey, pod);
    });
  }

  /** One DaemonSet record with its revisions, for writing. */
  async loadDaemonSet(dsKey: string): Promise<DaemonSetRecord | undefined> {
    const key = `ds/${dsKey}`;
    const [[, json], [, revisions], [, rv], [, version]] = (await this.redis
      .multi()
      .hget(this.keys.daemonSets, dsKey)
      .hgetall(this.keys.revisions(dsKey))
      .hget(this.keys.rv, key)
      .hget(this.keys.versions, key)
      .exec()) as [unknown, unknown][] as [[null, string | null], [null, Record<string, string>], [null, string | null], [null, string | null]];
    this.original.set(key, json ?? undefined);
    this.rv.set(key, rv ?? '0');
    this.setVersion(key, version);
    this.originalRevisions.set(dsKey, new Map(Object.entries(revisions)));
    if (!json) return undefined;
    const record = parseRecord(json, new Map(Object.entries(revisions).map(([n, r]) => [n, JSON.parse(r) as ControllerRevision])));
    this.state.daemonSets.set(dsKey, record);
    return record;
  }

  /** A pod as it was read, before any change in this slice. */
  podAsRead(podKey: string): Pod | undefined {
    return this.originalPods.get(podKey);
  }

  /** Every DaemonSet record, read-only (to see which a pod concerns), without revisions. */
  async loadAllDaemonSets(): Promise<void> {
    const all = await this.redis.hgetall(this.keys.daemonSets);
    for (const [dsKey, json] of Object.entries(all)) {
      if (!this.state.daemonSets.has(dsKey)) this.state.daemonSets.set(dsKey, parseRecord(json, new Map()));
    }
  }

  private setVersion(objectKey: string, json: string | null | undefined): void {
    this.originalVersions.set(objectKey, json ?? undefined);
    const version = parse<ObjectVersion>(json);
    if (version) this.state.versions.set(objectKey, version);
  }

  private async multiGet(hash: string, fields: readonly string[], objectKeys: readonly string[]) {
    const [[, values], [, rvs], [, versions]] = (await this.redis
      .multi()
      .hmget(hash, ...fields)
      .hmget(this.keys.rv, ...objectKeys)
      .hmget(this.keys.versions, ...objectKeys)
      .exec()) as [[null, (string | null)[]], [null, (string | null)[]], [null, (string | null)[]]];
    return [values, rvs, versions] as const;
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

  private writePods(commit: CommitBuilder): void {
    const seen = new Set<string>();
    const write = (podKey: string, before: Pod | undefined, beforeJson: string | undefined) => {
      seen.add(podKey);
      const pod = this.state.pods.get(podKey);
      const after = pod ? JSON.stringify(pod) : undefined;
      if (after === beforeJson) return;
      commit.touch(`pod/${podKey}`);
      if (pod === undefined) commit.hdel(this.keys.pods, podKey);
      else commit.hset(this.keys.pods, podKey, after as string);
      this.writePodIndexes(commit, podKey, before, pod);
    };
    for (const [podKey, before] of this.originalPods) write(podKey, before, this.original.get(`pod/${podKey}`));
    for (const podKey of this.state.pods.keys()) if (!seen.has(podKey)) write(podKey, undefined, undefined);
  }

  /** Keep `node-pods`, `ds-pods` and `orphans` in step with one pod's change. */
  private writePodIndexes(commit: CommitBuilder, podKey: string, before: Pod | undefined, after: Pod | undefined): void {
    const placed = (pod: Pod | undefined) => {
      if (!pod) return [] as string[];
      const node = targetNodeName(pod);
      const ref = controllerOf(pod.metadata);
      const sets = node ? [this.keys.nodePods(node)] : [];
      if (ref === undefined) sets.push(this.keys.orphans(pod.metadata.namespace));
      else if (ref.kind === 'DaemonSet') sets.push(this.keys.daemonSetPods(`${pod.metadata.namespace}/${ref.name}`));
      return sets;
    };
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
