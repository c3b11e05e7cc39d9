/**
 * Carries out one pod command the way a node would: a create waits out the
 * start delay (the pod's, else its node's) and reports the pod Running (or
 * Failed, when the pod or its node is annotated to fail); a delete
 * cancels a pending start and reports the pod gone. Every effect is an event
 * handed to `report`.
 */
import {
  CommandType,
  objectKey,
  type CreatePodCommand,
  type DeletePodCommand,
  type PodCommand,
  type PodDeleted,
  type PodStatusReported,
} from '@everynode/api';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AnnotationsCache } from './annotations-cache.ts';
import { PendingStarts } from './pending-starts.ts';
import { podDeletedReport, podStartedReport } from './reports.ts';
import { podBehaviourOf } from './sim-annotations.ts';

/** What became of a command: reported as `Running`/`Failed`/deleted, or a start cancelled by a delete. */
export type CommandOutcome = 'running' | 'failed' | 'deleted' | 'cancelled';

export interface ExecutorDeps {
  readonly annotations: AnnotationsCache;
  readonly report: (event: PodStatusReported | PodDeleted) => Promise<void>;
  readonly source: string;
  readonly defaultStartDelayMs: number;
  readonly deleteDelayMs: number;
}

export type Executor = (command: PodCommand, log: Logger) => Promise<CommandOutcome>;

export function createExecutor(deps: ExecutorDeps): Executor {
  const pending = new PendingStarts();

  async function startPod(command: CreatePodCommand, log: Logger): Promise<CommandOutcome> {
    const startedAt = new Date();
    const nodeAnnotations = await deps.annotations.get(command.subject);
    const { behaviour, warning } = podBehaviourOf(nodeAnnotations, command.data.metadata.annotations, deps.defaultStartDelayMs);
    if (warning !== undefined) log.warn({ node: command.subject }, warning);
    if (!(await pending.wait(objectKey(command.data.metadata), behaviour.startDelayMs))) {
      log.info('pod deleted before it started; no status reported');
      return 'cancelled';
    }
    const event = podStartedReport({ command, failed: behaviour.failPods, startedAt, now: new Date(), source: deps.source });
    await deps.report(event);
    log.info({ eventId: event.id, phase: event.data.status.phase, startDelayMs: behaviour.startDelayMs }, 'pod started');
    return behaviour.failPods ? 'failed' : 'running';
  }

  async function deletePod(command: DeletePodCommand, log: Logger): Promise<CommandOutcome> {
    const cancelledStarts = pending.cancel(objectKey(command.data.metadata));
    await sleep(deps.deleteDelayMs);
    const event = podDeletedReport(command, new Date(), deps.source);
    await deps.report(event);
    log.info({ eventId: event.id, reason: command.data.reason, cancelledStarts }, 'pod deleted');
    return 'deleted';
  }

  return (command, log) => {
    switch (command.type) {
      case CommandType.CreatePod:
        return startPod(command, log);
      case CommandType.DeletePod:
        return deletePod(command, log);
      default: {
        const unknown: never = command;
        throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
      }
    }
  };
}
