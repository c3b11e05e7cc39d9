/** Builders for the pod decisions, with their deterministic command ids. */
import type { Pod } from '@everynode/api';
import { deterministicUid } from './hash.ts';
import type { Decision, DeleteReason } from './state.ts';

/** The pod's uid, or — for a pod reported without one — a stable stand-in. */
function podIdentity(pod: Pod): string {
  return (
    pod.metadata.uid ?? deterministicUid([pod.metadata.namespace, pod.metadata.name, pod.metadata.creationTimestamp ?? ''])
  );
}

export function podCreateRequested(pod: Pod, node: string): Decision {
  return { type: 'PodCreateRequested', commandId: `create-${podIdentity(pod)}`, node, pod };
}

export function podDeleteRequested(pod: Pod, node: string, reason: DeleteReason, force = false): Decision {
  return {
    type: 'PodDeleteRequested',
    commandId: `delete-${podIdentity(pod)}`,
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    node,
    reason,
    force,
  };
}
