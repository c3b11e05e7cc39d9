/**
 * The commands a pass's decisions emit (docs/contract.md §3): the engine's only
 * effects. Pure: the same decision always yields the same command.
 */
import { CommandType, type PodCommand } from '@everynode/api';
import { timestamp } from './pod-util.ts';
import type { Decision, Millis } from './state.ts';

/** The CloudEvents `source` of every command. */
export const commandSource = 'everynode/daemonset-controller';

/** The command a decision emits, if it emits one; `now` is the pass's time. */
export function commandOf(decision: Decision, now: Millis): PodCommand | undefined {
  return commandAt(decision, timestamp(now));
}

/** `commandOf` with the pass's time already written (`timestamp(now)`). */
function commandAt(decision: Decision, time: string): PodCommand | undefined {
  // Literals, not an envelope spread into each: the same keys in the same order, made at once.
  switch (decision.type) {
    case 'PodCreateRequested':
      return {
        specversion: '1.0',
        source: commandSource,
        time,
        datacontenttype: 'application/json',
        id: decision.commandId,
        type: CommandType.CreatePod,
        subject: decision.node,
        data: decision.pod,
      };
    case 'PodDeleteRequested':
      return {
        specversion: '1.0',
        source: commandSource,
        time,
        datacontenttype: 'application/json',
        id: decision.commandId,
        type: CommandType.DeletePod,
        subject: decision.node,
        data: {
          metadata: { namespace: decision.namespace, name: decision.name },
          spec: { nodeName: decision.node },
          reason: decision.reason,
        },
      };
    default:
      return undefined;
  }
}

/** The commands of a pass, in decision order. */
export function commandsOf(decisions: readonly Decision[], now: Millis): PodCommand[] {
  // The time written once: a pass may emit 10,000 commands.
  const time = timestamp(now);
  const commands: PodCommand[] = [];
  for (const d of decisions) {
    const command = commandAt(d, time);
    if (command !== undefined) commands.push(command);
  }
  return commands;
}
