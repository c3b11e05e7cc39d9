/**
 * Adoption and release of pods by label: `PodControllerRefManager.ClaimPods`
 * (pkg/controller/controller_ref_manager.go), as `getDaemonPods` uses it.
 */
import { controllerOf, type DaemonSet, type Pod, selectorMatches } from '@everynode/api';
import { controllerRef } from './new-pod.ts';
import { isTerminating } from './pod-util.ts';
import type { Decision } from './state.ts';

/**
 * Orphans whose labels match the selector are adopted; pods the DaemonSet
 * controls whose labels no longer match are released. Pods owned by another
 * controller, pods being deleted, and everything of a DaemonSet being deleted
 * are left alone.
 */
export function claimPods(ds: DaemonSet, pods: Iterable<Pod>, dsDeleted: boolean): Decision[] {
  if (dsDeleted) return [];
  const decisions: Decision[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== (ds.metadata.namespace ?? 'default') || isTerminating(pod)) continue;
    const ref = controllerOf(pod.metadata);
    const matches = selectorMatches(ds.spec.selector, pod.metadata.labels);
    const { namespace, name } = pod.metadata;
    if (ref === undefined) {
      if (matches) decisions.push({ type: 'PodAdopted', namespace, name, owner: controllerRef(ds) });
    } else if (ref.uid === ds.metadata.uid && !matches) {
      decisions.push({ type: 'PodReleased', namespace, name });
    }
  }
  return decisions;
}
