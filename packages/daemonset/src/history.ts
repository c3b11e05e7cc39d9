/**
 * A DaemonSet's history: its ControllerRevisions, one per distinct template, as
 * `pkg/controller/daemon/update.go` keeps them. A revision's hash label is what
 * pods carry to say which template they run, so rollbacks, rolling updates and
 * history cleanup all hinge on it.
 *
 * Pure: every function reads a view and returns decisions; applying them is the
 * caller's. Ties (same revision number) break by name, so replays agree.
 */
import {
  ControllerRevisionHashLabel,
  DefaultRevisionHistoryLimit,
  PodTemplateGenerationLabel,
  TemplateGenerationAnnotation,
  controllerOf,
} from '@everynode/api';
import type { ControllerRevision, DaemonSet, Pod } from '@everynode/api';
import { canonicalJson, computeHash } from './hash.ts';
import { controllerRef } from './new-pod.ts';
import { timestamp } from './pod-util.ts';
import type { DaemonSetView, Decision, Millis } from './state.ts';

/** What {@link constructHistory} found or decided. */
export interface History {
  /** The revision of the DaemonSet's current template, as it stands after `decisions`. */
  readonly current: ControllerRevision;
  /** Its `controller-revision-hash`: the label pods of the current template carry. */
  readonly hash: string;
  /** `status.collisionCount` to record: bumped once per hash collision met. */
  readonly collisionCount: number;
  readonly decisions: Decision[];
}

/**
 * `getPatch`: the patch that restores the DaemonSet's template — what a revision
 * stores. Deep-copied (via JSON, which is also what drops `undefined`s).
 */
export function revisionPatch(ds: DaemonSet): { spec: { template: Record<string, unknown> } } {
  const template = JSON.parse(JSON.stringify(ds.spec.template)) as Record<string, unknown>;
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** `Match`: whether `rev` stores the DaemonSet's current template. */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  return canonicalJson(rev.data) === canonicalJson(revisionPatch(ds));
}

/**
 * `constructHistory` (+ `dedupCurHistories`, `snapshot`): find the revision of the
 * current template, or decide to create it; renumber it to be the newest; drop
 * duplicates after moving their pods' hash label to the one kept.
 *
 * Revisions without a hash label are read as labelled with their own name, as
 * upstream labels them (no decision: the name is stable, so every pass agrees).
 * A revision created is stamped with the pass's `now` as its creationTimestamp.
 */
export function constructHistory(view: DaemonSetView, now: Millis): History {
  const ds = view.daemonSet;
  const revisions = byRevision([...view.revisions.values()].map(withHashLabel));
  const matching = revisions.filter((rev) => revisionMatches(ds, rev));
  const nextRevision = maxRevision(revisions.filter((rev) => !revisionMatches(ds, rev))) + 1;
  if (matching.length === 0) return snapshot(view, nextRevision, now);

  const { keep, decisions } = dedupCurHistories(view, matching);
  let current = keep;
  // A rollback reuses the old revision (and its hash) but makes it the newest.
  if (keep.revision < nextRevision) {
    current = { ...keep, revision: nextRevision };
    decisions.push({ type: 'RevisionRenumbered', name: keep.metadata.name, revision: nextRevision });
  }
  return { current, hash: hashOf(current), collisionCount: ds.status?.collisionCount ?? 0, decisions };
}

/**
 * `dedupCurHistories`: of several revisions storing the current template, keep
 * the newest; relabel the DaemonSet's pods that name a duplicate, then delete
 * the duplicates.
 */
function dedupCurHistories(
  view: DaemonSetView,
  matching: readonly ControllerRevision[],
): { keep: ControllerRevision; decisions: Decision[] } {
  const keep = matching[matching.length - 1] as ControllerRevision;
  const duplicates = matching.slice(0, -1);
  const keepHash = hashOf(keep);
  const duplicateHashes = new Set(duplicates.map(hashOf).filter((hash) => hash !== keepHash));
  const decisions: Decision[] = [];
  for (const pod of controlledPods(view)) {
    const podHash = pod.metadata.labels?.[ControllerRevisionHashLabel];
    if (podHash !== undefined && duplicateHashes.has(podHash)) {
      const { namespace, name } = pod.metadata;
      decisions.push({ type: 'PodRelabeled', namespace, name, hash: keepHash });
    }
  }
  for (const duplicate of duplicates) {
    decisions.push({ type: 'RevisionDeleted', name: duplicate.metadata.name });
  }
  return { keep, decisions };
}

/**
 * `snapshot`: a new revision of the current template, numbered `revision`. Where
 * its name is already taken by other data (a hash collision), upstream bumps
 * `status.collisionCount` and retries on the next sync; we retry at once.
 */
function snapshot(view: DaemonSetView, revision: number, now: Millis): History {
  const ds = view.daemonSet;
  // Upstream hashes with the count only once one is recorded; `undefined` ≠ 0.
  let count = ds.status?.collisionCount;
  for (let attempt = 0; attempt <= view.revisions.size; attempt++) {
    const hash = computeHash(ds.spec.template, count);
    const name = `${ds.metadata.name ?? ''}-${hash}`;
    const taken = view.revisions.get(name);
    if (taken === undefined) {
      const current = newRevision(ds, name, hash, revision, now);
      return { current, hash, collisionCount: count ?? 0, decisions: [{ type: 'RevisionCreated', revision: current }] };
    }
    count = (count ?? 0) + 1;
  }
  // n revisions can block n+1 attempts only if two counts hash alike: not an
  // input to retry but a broken invariant, so it is thrown, not swallowed.
  throw new Error(`no free ControllerRevision name for DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}`);
}

/** The ControllerRevision `snapshot` creates at `now`. */
function newRevision(ds: DaemonSet, name: string, hash: string, revision: number, now: Millis): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: ds.metadata.namespace ?? 'default',
      creationTimestamp: timestamp(now),
      labels: { ...ds.spec.template.metadata?.labels, [ControllerRevisionHashLabel]: hash },
      ...(ds.metadata.annotations === undefined ? {} : { annotations: { ...ds.metadata.annotations } }),
      ownerReferences: [controllerRef(ds)],
    },
    data: revisionPatch(ds),
    revision,
  };
}

/**
 * `cleanupHistory`: delete the oldest revisions beyond `revisionHistoryLimit`
 * (default 10), sparing any whose hash a pod of the DaemonSet still carries —
 * terminating and finished pods included, as they may still be rolled back to.
 * The current revision, and any other storing the current template (a duplicate
 * {@link constructHistory} already deletes), are never counted as old.
 */
export function cleanupHistory(view: DaemonSetView, current: ControllerRevision): Decision[] {
  const ds = view.daemonSet;
  const old = byRevision([...view.revisions.values()].map(withHashLabel)).filter(
    (rev) => rev.metadata.name !== current.metadata.name && !revisionMatches(ds, rev),
  );
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? DefaultRevisionHistoryLimit);
  if (toKill <= 0) return [];

  const liveHashes = new Set<string>();
  for (const pod of controlledPods(view)) {
    const hash = pod.metadata.labels?.[ControllerRevisionHashLabel];
    if (hash) liveHashes.add(hash);
  }
  const decisions: Decision[] = [];
  for (const rev of old) {
    if (toKill <= 0) break;
    if (liveHashes.has(hashOf(rev))) continue;
    decisions.push({ type: 'RevisionDeleted', name: rev.metadata.name });
    toKill--;
  }
  return decisions;
}

/**
 * `util.IsPodUpdated`: whether `pod` runs the current template — its hash label
 * is `hash`, or (pods from before hashes) its `pod-template-generation` label
 * is the DaemonSet's template generation.
 *
 * @param generation the template generation, or the DaemonSet to read it from
 *   ({@link templateGenerationOf}); omitted, only the hash counts.
 */
export function isPodUpdated(pod: Pod, hash: string, generation?: number | DaemonSet): boolean {
  const templateGeneration = typeof generation === 'object' ? templateGenerationOf(generation) : generation;
  const labels = pod.metadata.labels ?? {};
  const hashMatches = hash.length > 0 && labels[ControllerRevisionHashLabel] === hash;
  const generationMatches =
    templateGeneration !== undefined && labels[PodTemplateGenerationLabel] === String(templateGeneration);
  return hashMatches || generationMatches;
}

/**
 * `util.GetTemplateGeneration`: the `deprecated.daemonset.template.generation`
 * annotation as a number; `undefined` when absent or not an integer (upstream's
 * callers treat a parse error as no generation).
 */
export function templateGenerationOf(ds: DaemonSet): number | undefined {
  const raw = ds.metadata.annotations?.[TemplateGenerationAnnotation];
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** A revision's hash label, or its name where it has none (see {@link withHashLabel}). */
function hashOf(rev: ControllerRevision): string {
  return rev.metadata.labels?.[ControllerRevisionHashLabel] ?? rev.metadata.name;
}

/** The revision as upstream relabels it: a missing hash label becomes its name. */
function withHashLabel(rev: ControllerRevision): ControllerRevision {
  if (rev.metadata.labels?.[ControllerRevisionHashLabel] !== undefined) return rev;
  const labels = { ...rev.metadata.labels, [ControllerRevisionHashLabel]: rev.metadata.name };
  return { ...rev, metadata: { ...rev.metadata, labels } };
}

/** `maxRevision`: the highest revision number, 0 for none. */
function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, rev) => Math.max(max, rev.revision), 0);
}

/** Oldest first (`historiesByRevision`), ties by name so the order never depends on map order. */
function byRevision(revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.sort((a, b) => a.revision - b.revision || compareStrings(a.metadata.name, b.metadata.name));
}

/** The pods the DaemonSet controls (its uid in their controller reference), in key order. */
function controlledPods(view: DaemonSetView): Pod[] {
  const uid = view.daemonSet.metadata.uid;
  return [...view.pods.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, pod]) => pod)
    .filter((pod) => uid !== undefined && controllerOf(pod.metadata)?.uid === uid);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
