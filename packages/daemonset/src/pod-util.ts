/**
 * Small questions about pods, as `k8s.io/kubernetes/pkg/api/v1/pod` and the
 * DaemonSet controller's helpers answer them.
 */
import { controllerOf, type DaemonSet, type Pod } from '@everynode/api';
import type { Millis } from './state.ts';

/** `podutil.IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * `podutil.IsPodAvailable`: Ready, and Ready for longer than `minReadySeconds`
 * (strictly: a pod ready exactly `minReadySeconds` ago is not yet available).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Millis): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** When the pod turned Ready, if it is Ready and says so. */
export function readySince(pod: Pod): Millis | undefined {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True' || ready.lastTransitionTime === undefined) return undefined;
  const at = Date.parse(ready.lastTransitionTime);
  return Number.isNaN(at) ? undefined : at;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** A pod whose deletion was requested and not yet confirmed. */
export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

/** `Succeeded` or `Failed`: a daemon pod that has stopped for good. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Whether the DaemonSet is the pod's controller (by uid, as `ClaimPods` resolves it). */
export function isControlledBy(pod: Pod, ds: DaemonSet): boolean {
  const ref = controllerOf(pod.metadata);
  return ref !== undefined && ref.kind === 'DaemonSet' && ref.uid === ds.metadata.uid;
}

/**
 * `podByCreationTimestampAndPhase`: pods bound to a node first, then the
 * older, then by name — the pod kept when a node has too many.
 */
export function compareByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = a.spec.nodeName ? 1 : 0;
  const bBound = b.spec.nodeName ? 1 : 0;
  if (aBound !== bBound) return bBound - aBound;
  const at = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (at !== bt) return at - bt;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** `namespace/name` of a pod: its key in every map of pods. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** RFC 3339 with milliseconds, as every timestamp the core writes. */
export function timestamp(now: Millis): string {
  return new Date(now).toISOString();
}
