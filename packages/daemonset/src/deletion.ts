/**
 * Deleting a DaemonSet under the three propagation policies of Kubernetes'
 * garbage collector (`pkg/controller/garbagecollector`). everynode has no
 * separate collector: the DaemonSet's own pass plays it for its pods.
 *
 * - `Background`: the DaemonSet goes at once (its record a tombstone); the
 *   next pass deletes its pods.
 * - `Orphan`: the DaemonSet goes at once, its tombstone marked with the
 *   `orphan` finalizer; the next pass releases its pods (removes their owner
 *   reference) and deletes none. Upstream keeps the object, finalizer and
 *   all, until the collector has orphaned the pods; here it is gone at once
 *   and the pods keep their owner reference for one pass longer.
 * - `Foreground`: the DaemonSet stays, with a `deletionTimestamp` and the
 *   `foregroundDeletion` finalizer; passes delete its pods, and once the last
 *   is gone (confirmed by its agent, or forced off a removed node) the
 *   finalizer is removed and the DaemonSet goes, as upstream.
 *
 * The apiserver's half (`deletionFinalizersForGarbageCollection`): a new
 * request replaces the deletion finalizers of an earlier one, so a
 * `Background` delete of a DaemonSet being deleted in the foreground removes
 * it at once.
 */
import { Finalizer, PropagationPolicy, type DaemonSet, type ObjectMeta, type Pod } from '@everynode/api';
import { podDeleteRequested } from './decisions.ts';
import { nodeToDaemonPods } from './pods-by-node.ts';
import { isControlledBy, isTerminating, timestamp } from './pod-util.ts';
import { DeleteReason, type DaemonSetView, type Decision, type Millis } from './state.ts';

const deletionFinalizers: readonly string[] = [Finalizer.ForegroundDeletion, Finalizer.Orphan];

const finalizerFor: Record<PropagationPolicy, Finalizer | undefined> = {
  [PropagationPolicy.Background]: undefined,
  [PropagationPolicy.Foreground]: Finalizer.ForegroundDeletion,
  [PropagationPolicy.Orphan]: Finalizer.Orphan,
};

/** Whether the DaemonSet goes at once under `policy` (it stays, marked, only for `Foreground`). */
export function goesAtOnce(policy: PropagationPolicy): boolean {
  return policy !== PropagationPolicy.Foreground;
}

/**
 * The DaemonSet once its deletion under `policy` is requested at `at`: the
 * deletion finalizer of the policy in place of any earlier one's, and a
 * `deletionTimestamp` (the first request's) when a finalizer holds it. A
 * `Background` deletion of a DaemonSet not already being deleted leaves it
 * as it was: it goes at once and nothing reads its tombstone's metadata.
 */
export function deletionRequested(ds: DaemonSet, policy: PropagationPolicy, at: Millis): DaemonSet {
  const finalizer = finalizerFor[policy];
  if (finalizer === undefined && ds.metadata.deletionTimestamp === undefined) return ds;
  const kept = (ds.metadata.finalizers ?? []).filter((f) => !deletionFinalizers.includes(f));
  const finalizers = finalizer === undefined ? kept : [...kept, finalizer];
  const { finalizers: _old, ...metadata } = ds.metadata;
  return {
    ...ds,
    metadata: { ...metadata, deletionTimestamp: ds.metadata.deletionTimestamp ?? timestamp(at), ...(finalizers.length > 0 ? { finalizers } : {}) },
  };
}

/**
 * `metadata` as written by a create (`stored` undefined) or an update of the
 * stored object's: a client cannot set or clear a `deletionTimestamp`
 * (`rest.BeforeCreate` / `BeforeUpdate`), nor change the finalizers of a
 * DaemonSet being deleted here (upstream lets it remove them; here only the
 * pass that deals with the pods does).
 */
export function withDeletionOf(stored: ObjectMeta | undefined, metadata: ObjectMeta): ObjectMeta {
  const { deletionTimestamp: _sent, ...rest } = metadata;
  if (stored?.deletionTimestamp === undefined) return rest;
  const { finalizers: _finalizers, ...others } = rest;
  return { ...others, deletionTimestamp: stored.deletionTimestamp, ...(stored.finalizers ? { finalizers: stored.finalizers } : {}) };
}

/** Whether the DaemonSet is marked for deletion (it may still be served, for `Foreground`). */
export function isBeingDeleted(ds: DaemonSet): boolean {
  return ds.metadata.deletionTimestamp !== undefined;
}

/** Whether `finalizer` still holds the DaemonSet's deletion. */
export function hasFinalizer(ds: DaemonSet, finalizer: Finalizer): boolean {
  return ds.metadata.finalizers?.includes(finalizer) ?? false;
}

/**
 * A DaemonSet marked for deletion that no deletion finalizer holds any more:
 * it goes. Finalizers other than the deletion ones are kept as data and hold
 * nothing back (nothing here would ever remove them).
 */
export function isDeletionComplete(ds: DaemonSet): boolean {
  return isBeingDeleted(ds) && !(ds.metadata.finalizers ?? []).some((f) => deletionFinalizers.includes(f));
}

/**
 * What a pass over a DaemonSet being deleted decides about its pods:
 * release them all (`Orphan`), delete them all (`Background`,
 * `Foreground`), and for `Foreground`, once none is left (none was, or the
 * last ones were forced off removed nodes in this pass), remove the
 * finalizer. Nothing when the work is done, so a repeated pass is harmless.
 */
export function dependentsDecisions(view: DaemonSetView): Decision[] {
  const ds = view.daemonSet;
  if (view.deleted && hasFinalizer(ds, Finalizer.Orphan)) return releaseAll(ds, view.pods.values());
  if (view.deleted) return deleteAll(view);
  if (!hasFinalizer(ds, Finalizer.ForegroundDeletion)) return [];
  const deletes = deleteAll(view);
  const forced = deletes.filter((d) => d.type === 'PodDeleteRequested' && d.force).length;
  const remaining = [...nodeToDaemonPods(ds, view.pods.values(), true).values()].reduce((n, pods) => n + pods.length, 0) - forced;
  return remaining > 0 ? deletes : [...deletes, { type: 'FinalizerRemoved', finalizer: Finalizer.ForegroundDeletion }];
}

/** Every pod the DaemonSet controls goes; one on a removed node at once (no agent will confirm). */
function deleteAll(view: DaemonSetView): Decision[] {
  const decisions: Decision[] = [];
  for (const [node, pods] of nodeToDaemonPods(view.daemonSet, view.pods.values(), true)) {
    const nodeExists = view.nodes.has(node);
    for (const pod of pods) {
      if (nodeExists && isTerminating(pod)) continue;
      decisions.push(podDeleteRequested(pod, node, DeleteReason.DaemonSetDeleted, !nodeExists));
    }
  }
  return decisions;
}

/** Every pod the DaemonSet controls is released: its owner reference to the DaemonSet removed. */
function releaseAll(ds: DaemonSet, pods: Iterable<Pod>): Decision[] {
  const decisions: Decision[] = [];
  for (const pod of pods) {
    if (isControlledBy(pod, ds)) decisions.push({ type: 'PodReleased', namespace: pod.metadata.namespace, name: pod.metadata.name });
  }
  return decisions;
}
