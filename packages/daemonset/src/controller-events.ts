/**
 * The Kubernetes Events a decision stands for, as the DaemonSet controller
 * records them (`RealPodControl` and `podsShouldBeOnNode`): what
 * `describe ds` lists under Events.
 */
import type { ControllerEvent, Decision } from './state.ts';

export function eventsOf(decision: Decision): ControllerEvent[] {
  switch (decision.type) {
    case 'PodCreateRequested':
      return [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${decision.pod.metadata.name}` }];
    case 'PodDeleteRequested': {
      const deleted: ControllerEvent = { type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${decision.name}` };
      const pod = `${decision.namespace}/${decision.name}`;
      if (decision.reason === 'Failed') {
        const message = `Found failed daemon pod ${pod} on node ${decision.node}, will try to kill it`;
        return [{ type: 'Warning', reason: 'FailedDaemonPod', message }, deleted];
      }
      if (decision.reason === 'Succeeded') {
        const message = `Found succeeded daemon pod ${pod} on node ${decision.node}, will try to delete it`;
        return [{ type: 'Normal', reason: 'SucceededDaemonPod', message }, deleted];
      }
      return [deleted];
    }
    default:
      return [];
  }
}
