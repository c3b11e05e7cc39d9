/**
 * The cluster as the log implies it: `evolve(state, event)` folds one accepted
 * event into the state, `applyPass` one pass's decisions. The same functions
 * serve the live projection, replay and the tests.
 *
 * Delivery may be duplicated, late or reordered (docs/contract.md §2). Each object
 * remembers the newest event applied to it, also after it is gone (a
 * tombstone), and an older event does not roll it back — it is still recorded
 * as seen by the log. An event as old as the newest known one is not older,
 * so it applies: a producer that reports twice within a millisecond is heard.
 */
import {
  type ClusterEvent,
  type ControllerRevision,
  type DaemonSet,
  type Node,
  type Pod,
  controllerOf,
  EventType,
  PropagationPolicy,
  selectorMatches,
  TemplateGenerationAnnotation,
  withDaemonSetDefaults,
} from '@everynode/api';
import { applyDecisions, type DecisionTarget } from './apply.ts';
import { deletionRequested, goesAtOnce, isDeletionComplete, withDeletionOf } from './deletion.ts';
import { canonicalJson, deterministicUid } from './hash.ts';
import { timestamp } from './pod-util.ts';
import { emptyControllerRecord, type ControllerRecord, type DaemonSetView, type Decision, type Millis } from './state.ts';

/** One DaemonSet with the controller's bookkeeping beside it. */
export interface DaemonSetRecord {
  daemonSet: DaemonSet;
  revisions: Map<string, ControllerRevision>;
  controller: ControllerRecord;
  /**
   * Gone for the user (a tombstone): kept so that the cascade can deal with
   * its pods and older events are known to be older. A DaemonSet deleted in
   * the foreground is not yet `deleted`: it has a `deletionTimestamp` until
   * its pods are gone.
   */
  deleted: boolean;
}

/** Where an object stands in event order: the newest event applied to it. */
export interface ObjectVersion {
  readonly at: Millis;
  /** The object is gone; events about it no longer bring it back. */
  readonly deleted: boolean;
  /** For pods: the uid of the incarnation the version belongs to. */
  readonly uid?: string;
}

export interface ClusterState {
  readonly nodes: Map<string, Node>;
  /** Keyed `namespace/name`. */
  readonly daemonSets: Map<string, DaemonSetRecord>;
  /** Keyed `namespace/name`. */
  readonly pods: Map<string, Pod>;
  /** Keyed `node/NAME`, `pod/NS/NAME`, `ds/NS/NAME`. */
  readonly versions: Map<string, ObjectVersion>;
}

export function emptyClusterState(): ClusterState {
  return { nodes: new Map(), daemonSets: new Map(), pods: new Map(), versions: new Map() };
}

/** What an event changed: whether it was applied, and which DaemonSets must look again. */
export interface Evolution {
  readonly applied: boolean;
  /** DaemonSet keys to reconcile; `'all'` when a node changed (any DaemonSet may care). */
  readonly affected: readonly string[] | 'all';
  /** Why the event changed nothing, when it did not. */
  readonly ignored?: string;
}

const unchanged = (ignored: string): Evolution => ({ applied: false, affected: [], ignored });

/** Fold one validated event into `state` (mutated in place, and returned changes described). */
export function evolve(state: ClusterState, event: ClusterEvent): Evolution {
  const version: ObjectVersion = { at: Date.parse(event.time), deleted: false };
  switch (event.type) {
    case EventType.NodeJoined:
    case EventType.NodeUpdated:
      return upsertNode(state, event.data, version);
    case EventType.NodeRemoved:
      return removeNode(state, event.data.metadata.name, version);
    case EventType.PodStatus:
      return reportPodStatus(state, event.data, version);
    case EventType.PodDeleted:
      return deletePod(state, event.data.metadata.namespace, event.data.metadata.name, event.data.metadata.uid as string | undefined, version);
    case EventType.DaemonSetApplied:
      return applyDaemonSet(state, event.data, version, event);
    case EventType.DaemonSetDeleted:
      return deleteDaemonSet(state, `${event.data.metadata.namespace}/${event.data.metadata.name}`, event.data.propagationPolicy ?? PropagationPolicy.Background, version);
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Whether an event at `version` may change an object last changed at `known`. */
function isNewer(version: ObjectVersion, known: ObjectVersion | undefined): boolean {
  return known === undefined || version.at >= known.at;
}

/**
 * What a node event at `at` leaves as the node's version: undefined when it
 * is stale (a newer event of this node is known) and changes nothing. Node
 * events touch only the node and its version — nothing else in the fold reads
 * nodes — so replay can fold them from a log entry's header and parse only
 * the last body of each node (see `nodeAsStored`).
 */
export function nodeVersionAfter(known: ObjectVersion | undefined, at: Millis, removed: boolean): ObjectVersion | undefined {
  return nodeEventApplies(known, at) ? { at, deleted: removed } : undefined;
}

/** Whether a node event at `at` applies over `known` (`nodeVersionAfter` without the new version). */
export function nodeEventApplies(known: ObjectVersion | undefined, at: Millis): boolean {
  return isNewer({ at, deleted: false }, known);
}

/**
 * The creation time a node upserted at `at` is stored with: that of the
 * incarnation it continues (`previous`), else the one it gives, else `at`.
 */
export function nodeCreationTimestamp(previous: Pick<Node, 'metadata'> | undefined, given: string | undefined, at: Millis): string {
  return previous?.metadata.creationTimestamp ?? given ?? timestamp(at);
}

/** A node as stored: the reported object with its creation time. */
export function nodeAsStored(node: Node, creationTimestamp: string): Node {
  return { ...node, metadata: { ...node.metadata, creationTimestamp } };
}

function upsertNode(state: ClusterState, node: Node, version: ObjectVersion): Evolution {
  const key = `node/${node.metadata.name}`;
  const after = nodeVersionAfter(state.versions.get(key), version.at, false);
  if (after === undefined) return unchanged('stale: a newer event of this node is known');
  const creation = nodeCreationTimestamp(state.nodes.get(node.metadata.name), node.metadata.creationTimestamp, version.at);
  state.nodes.set(node.metadata.name, nodeAsStored(node, creation));
  state.versions.set(key, after);
  return { applied: true, affected: 'all' };
}

function removeNode(state: ClusterState, name: string, version: ObjectVersion): Evolution {
  const key = `node/${name}`;
  const after = nodeVersionAfter(state.versions.get(key), version.at, true);
  if (after === undefined) return unchanged('stale: a newer event of this node is known');
  const existed = state.nodes.delete(name);
  state.versions.set(key, after);
  return existed ? { applied: true, affected: 'all' } : { applied: true, affected: [] };
}

/**
 * Why a status report at `at` about a pod changes nothing, or undefined when
 * it applies. `current` is the pod as it stands (undefined: none), `known`
 * the pod's version. Replay applies the same rule to reports it folds from
 * their index lines (`reportedUid` and `at` are all it needs).
 */
export function podReportIgnored(
  current: { readonly metadata: { readonly uid?: string | undefined } } | undefined,
  known: ObjectVersion | undefined,
  reportedUid: string | undefined,
  at: Millis,
): string | undefined {
  const uid = reportedUid ?? current?.metadata.uid;
  if (current === undefined && known?.deleted && (known.uid === undefined || known.uid === uid)) return 'the pod was deleted';
  if (current !== undefined && reportedUid !== undefined && reportedUid !== current.metadata.uid) return 'the report is about another pod of the same name';
  if (current !== undefined && !isNewer({ at, deleted: false }, known)) return 'stale: a newer status of this pod is known';
  return undefined;
}

/** The version an applied status report leaves: its time, and the pod's uid (the report's, else the pod's). */
export function podVersionAfterReport(at: Millis, uid: string | undefined): ObjectVersion {
  return { at, deleted: false, ...(uid ? { uid } : {}) };
}

/**
 * The pod an applied status report leaves: a new pod from the report (no
 * `current`), else `current` with the report's labels (when it gives any),
 * node and status.
 */
export function podAfterReport(current: Pod | undefined, reported: Pick<Pod, 'metadata' | 'spec' | 'status'>, at: Millis): Pod {
  if (current === undefined) {
    return { ...(reported as Pod), metadata: { ...reported.metadata, creationTimestamp: reported.metadata.creationTimestamp ?? timestamp(at) } };
  }
  return {
    ...current,
    metadata: { ...current.metadata, ...(reported.metadata.labels ? { labels: reported.metadata.labels } : {}) },
    spec: { ...current.spec, nodeName: reported.spec.nodeName ?? current.spec.nodeName },
    status: reported.status,
  };
}

function reportPodStatus(state: ClusterState, reported: Pod, version: ObjectVersion): Evolution {
  const key = `${reported.metadata.namespace}/${reported.metadata.name}`;
  const known = state.versions.get(`pod/${key}`);
  const current = state.pods.get(key);
  const ignored = podReportIgnored(current, known, reported.metadata.uid, version.at);
  if (ignored !== undefined) return unchanged(ignored);
  const next = podAfterReport(current, reported, version.at);
  state.pods.set(key, next);
  state.versions.set(`pod/${key}`, podVersionAfterReport(version.at, reported.metadata.uid ?? current?.metadata.uid));
  return { applied: true, affected: daemonSetsConcernedBy(state, next) };
}

function deletePod(state: ClusterState, namespace: string, name: string, uid: string | undefined, version: ObjectVersion): Evolution {
  const key = `${namespace}/${name}`;
  const current = state.pods.get(key);
  // Only the producer's uid tells incarnations apart; times from the agents' clocks and
  // the controller's are not compared.
  if (current === undefined || (uid !== undefined && current.metadata.uid !== undefined && uid !== current.metadata.uid)) {
    const known = state.versions.get(`pod/${key}`);
    if (current === undefined && (known === undefined || isNewer(version, known))) {
      state.versions.set(`pod/${key}`, { ...version, deleted: true, ...((uid ?? known?.uid) ? { uid: uid ?? known?.uid } : {}) });
    }
    return unchanged('no such pod');
  }
  const affected = daemonSetsConcernedBy(state, current);
  state.pods.delete(key);
  const podUid = current.metadata.uid;
  state.versions.set(`pod/${key}`, { ...version, deleted: true, ...(podUid ? { uid: podUid } : {}) });
  return { applied: true, affected };
}

/** The DaemonSets a pod matters to: its controller, or — for an orphan — those whose selector matches it. */
function daemonSetsConcernedBy(state: ClusterState, pod: Pod): string[] {
  const ref = controllerOf(pod.metadata);
  if (ref !== undefined) {
    if (ref.kind !== 'DaemonSet') return [];
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return state.daemonSets.get(key)?.daemonSet.metadata.uid === ref.uid ? [key] : [];
  }
  const keys: string[] = [];
  for (const [key, record] of state.daemonSets) {
    const ds = record.daemonSet;
    if (!record.deleted && ds.metadata.namespace === pod.metadata.namespace && selectorMatches(ds.spec.selector, pod.metadata.labels)) {
      keys.push(key);
    }
  }
  return keys;
}

function applyDaemonSet(state: ClusterState, applied: DaemonSet, version: ObjectVersion, event: ClusterEvent): Evolution {
  const ds = withDaemonSetDefaults(applied);
  const key = `${ds.metadata.namespace}/${ds.metadata.name}`;
  if (!isNewer(version, state.versions.get(`ds/${key}`))) return unchanged('stale: a newer version of this DaemonSet is known');
  state.versions.set(`ds/${key}`, version);
  const record = state.daemonSets.get(key);
  const live = record && !record.deleted ? record : undefined;
  state.daemonSets.set(key, live ? updatedRecord(live, ds) : createdRecord(ds, version, event));
  return { applied: true, affected: [key] };
}

/** A new DaemonSet: the apiserver's create strategy (uid, generation 1, template generation 1). */
function createdRecord(ds: DaemonSet, version: ObjectVersion, event: ClusterEvent): DaemonSetRecord {
  const { status: _ignored, ...rest } = ds;
  const daemonSet: DaemonSet = {
    ...rest,
    metadata: {
      ...withDeletionOf(undefined, ds.metadata),
      uid: deterministicUid(['daemonset', event.source, event.id]),
      generation: 1,
      creationTimestamp: timestamp(version.at),
      annotations: { ...ds.metadata.annotations, [TemplateGenerationAnnotation]: '1' },
    },
  };
  return { daemonSet, revisions: new Map(), controller: emptyControllerRecord, deleted: false };
}

/** An update: generation moves on a spec change, template generation on a template change. */
function updatedRecord(record: DaemonSetRecord, ds: DaemonSet): DaemonSetRecord {
  const old = record.daemonSet;
  const specChanged = canonicalJson(old.spec) !== canonicalJson(ds.spec);
  const templateChanged = canonicalJson(old.spec.template) !== canonicalJson(ds.spec.template);
  const templateGeneration = Number(old.metadata.annotations?.[TemplateGenerationAnnotation] ?? '1');
  const daemonSet: DaemonSet = {
    ...ds,
    metadata: {
      ...withDeletionOf(old.metadata, ds.metadata),
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: (old.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      annotations: {
        ...ds.metadata.annotations,
        [TemplateGenerationAnnotation]: String(templateGeneration + (templateChanged ? 1 : 0)),
      },
    },
    ...(old.status ? { status: old.status } : {}),
  };
  return { ...record, daemonSet };
}

function deleteDaemonSet(state: ClusterState, key: string, policy: PropagationPolicy, version: ObjectVersion): Evolution {
  if (!isNewer(version, state.versions.get(`ds/${key}`))) return unchanged('stale: a newer version of this DaemonSet is known');
  const record = state.daemonSets.get(key);
  const atOnce = goesAtOnce(policy);
  if (!record || record.deleted) {
    state.versions.set(`ds/${key}`, { ...version, deleted: true });
    return unchanged('no such DaemonSet');
  }
  state.versions.set(`ds/${key}`, { ...version, deleted: atOnce });
  record.daemonSet = deletionRequested(record.daemonSet, policy, version.at);
  record.deleted = atOnce;
  return { applied: true, affected: [key] };
}

/** What a pass over `key` reads: the DaemonSet, every node, and the pods of its namespace that concern it. */
export function viewOf(state: ClusterState, key: string): DaemonSetView | undefined {
  const record = state.daemonSets.get(key);
  if (record === undefined) return undefined;
  const ds = record.daemonSet;
  const pods = new Map<string, Pod>();
  for (const [podKey, pod] of state.pods) {
    if (pod.metadata.namespace !== ds.metadata.namespace) continue;
    const ref = controllerOf(pod.metadata);
    const concerns = ref === undefined ? selectorMatches(ds.spec.selector, pod.metadata.labels) : ref.uid === ds.metadata.uid;
    if (concerns) pods.set(podKey, pod);
  }
  return {
    daemonSet: ds,
    nodes: state.nodes,
    pods,
    revisions: record.revisions,
    controller: record.controller,
    ...(record.deleted ? { deleted: true } : {}),
  };
}

/** Record a pass over `key`, taken at `now`, in `state`. */
export function applyPass(state: ClusterState, key: string, decisions: readonly Decision[], now: Millis): void {
  const record = state.daemonSets.get(key);
  if (record === undefined) throw new Error(`no DaemonSet ${key} to apply a pass to`);
  const target: DecisionTarget = {
    daemonSet: record.daemonSet,
    controller: record.controller,
    pods: state.pods,
    revisions: record.revisions,
  };
  applyDecisions(target, decisions, now);
  record.daemonSet = target.daemonSet;
  record.controller = target.controller;
  // The last deletion finalizer removed: the DaemonSet goes, as of its deletion request.
  if (!record.deleted && isDeletionComplete(record.daemonSet)) {
    record.deleted = true;
    const known = state.versions.get(`ds/${key}`);
    state.versions.set(`ds/${key}`, { at: known?.at ?? now, deleted: true });
  }
  // A pod the controller creates has no producer version yet: its first status report applies,
  // whatever the reporter's clock says. A force-deleted one is tombstoned: no report revives it.
  for (const d of decisions) {
    if (d.type === 'PodDeleteRequested' && d.force) {
      const podKey = `pod/${d.namespace}/${d.name}`;
      const known = state.versions.get(podKey);
      state.versions.set(podKey, { at: now, deleted: true, ...(known?.uid ? { uid: known.uid } : {}) });
    }
  }
}
