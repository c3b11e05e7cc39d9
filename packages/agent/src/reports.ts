/**
 * The events the agent reports back (docs/contract.md §2), built from the command
 * that caused them. Pure: time is an argument. An event's id derives from
 * its command's id, so a command executed twice reports the same event twice
 * and the engine's (source, id) idempotency drops the copy.
 */
import {
  EventType,
  type CreatePodCommand,
  type DeletePodCommand,
  type PodDeleted,
  type PodStatusReported,
} from '@everynode/api';

/** The default CloudEvents `source` of the agent's reports. */
export const agentSource = 'everynode/agent';

export interface PodStartedInput {
  readonly command: CreatePodCommand;
  /** Whether the pod fails (`sim.everynode.io/fail-pods` on the pod or its node). */
  readonly failed: boolean;
  /** When the agent accepted the pod (`status.startTime`). */
  readonly startedAt: Date;
  /** When the pod became Running (or Failed): the Ready transition and the event's time. */
  readonly now: Date;
  readonly source: string;
}

/** `io.everynode.pod.status` for a pod that started on the command's node. */
export function podStartedReport({ command, failed, startedAt, now, source }: PodStartedInput): PodStatusReported {
  const pod = command.data;
  const at = now.toISOString();
  const ready = failed
    ? { type: 'Ready', status: 'False' as const, lastTransitionTime: at, reason: 'PodFailed' }
    : { type: 'Ready', status: 'True' as const, lastTransitionTime: at };
  return {
    specversion: '1.0',
    id: `${command.id}/status`,
    source,
    type: EventType.PodStatus,
    time: at,
    datacontenttype: 'application/json',
    data: {
      ...pod,
      // The agent plays the scheduler too: the pod is bound to the node it was sent to.
      spec: { ...pod.spec, nodeName: command.subject },
      status: {
        phase: failed ? 'Failed' : 'Running',
        conditions: [ready],
        startTime: startedAt.toISOString(),
        ...(failed ? { reason: 'SimulatedFailure', message: 'the pod or its node is annotated sim.everynode.io/fail-pods=true' } : {}),
      },
    },
  };
}

/** `io.everynode.pod.deleted` for the pod the command names. */
export function podDeletedReport(command: DeletePodCommand, now: Date, source: string): PodDeleted {
  const at = now.toISOString();
  return {
    specversion: '1.0',
    id: `${command.id}/deleted`,
    source,
    type: EventType.PodDeleted,
    time: at,
    datacontenttype: 'application/json',
    data: { metadata: { namespace: command.data.metadata.namespace, name: command.data.metadata.name } },
  };
}

/** The BullMQ job id for a reported event: `jobIdFor` its id (`@everynode/api` `queues.ts`). */
export { jobIdFor as eventJobId } from '@everynode/api';
