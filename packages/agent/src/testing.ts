/** Fixtures shared by the agent's tests: commands as the engine would send them. */
import { CommandType, type CreatePodCommand, type DeletePodCommand } from '@everynode/api';

export function createPodCommand(node: string, pod: string, id = `create-${pod}-uid`): CreatePodCommand {
  return {
    specversion: '1.0',
    id,
    source: 'everynode/daemonset-controller',
    type: CommandType.CreatePod,
    time: '2025-01-01T00:00:00.000Z',
    subject: node,
    data: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        namespace: 'kube-system',
        name: pod,
        uid: `${pod}-uid`,
        labels: { app: 'fluentd', 'controller-revision-hash': 'abc123', 'pod-template-generation': '1' },
      },
      spec: { containers: [{ name: 'fluentd', image: 'fluentd:v1' }] },
      status: { phase: 'Pending' },
    },
  };
}

export function deletePodCommand(node: string, pod: string, id = `delete-${pod}-uid`): DeletePodCommand {
  return {
    specversion: '1.0',
    id,
    source: 'everynode/daemonset-controller',
    type: CommandType.DeletePod,
    time: '2025-01-01T00:00:00.000Z',
    subject: node,
    data: { metadata: { namespace: 'kube-system', name: pod }, spec: { nodeName: node }, reason: 'NodeRemoved' },
  };
}
