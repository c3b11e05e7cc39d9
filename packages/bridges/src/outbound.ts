/**
 * An outbound bridge: the engine's pod commands (and only those its `types`
 * allow), in log order, delivered to a sink — a bus or a webhook — as
 * CloudEvents. The bridge keeps a checkpoint, the last log seq it
 * delivered, in the engine's storage: after a restart it resumes from it
 * with no gap and sends again at most the pass it was delivering. Each
 * command's id is deterministic, so a consumer (or the bus, by message id)
 * drops the repeat.
 *
 * A sink that fails transiently is retried with backoff, never skipped; a
 * command it refuses for good (`PermanentDeliveryError`) is parked in the
 * dead-letter queue with the reason, and the bridge goes on.
 */
import type { PodCommand } from '@everynode/api';
import type { Admin, EventIngress, History } from '@everynode/engine';
import type { Logger } from 'pino';

/** Where commands go. `deliver` resolves once the sink has taken the command. */
export interface CommandSink {
  /** `webhook`, `nats`, …: named in dead letters and logs. */
  readonly kind: string;
  /** The URL, subject or topic, without credentials. */
  readonly target: string;
  deliver(command: PodCommand): Promise<void>;
  close(): Promise<void>;
}

/** A sink's "no, never": the command is parked instead of retried. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

export interface OutboundBridgeOptions {
  /** The checkpoint's name: unique per bridge, kept across restarts. */
  readonly name: string;
  readonly history: Pick<History, 'readCommands' | 'lastSeq'>;
  readonly checkpoints: Admin['checkpoints'];
  /** Where commands refused for good are parked. */
  readonly ingress: Pick<EventIngress, 'park'>;
  readonly sink: CommandSink;
  /** Command types to deliver (`io.everynode.pod.create`, `…delete`). Default: all. */
  readonly types?: readonly string[];
  /** How often to look for new passes when caught up. Default 100 ms. */
  readonly pollMs?: number;
  /** First retry delay after a transient failure, doubled up to `maxBackoffMs`. Default 100 ms. */
  readonly backoffMs?: number;
  /** Default 10 s. */
  readonly maxBackoffMs?: number;
  readonly logger: Logger;
}

export interface OutboundBridge {
  /** Commands delivered by this process (a restart counts from 0). */
  readonly delivered: number;
  /** False while its last delivery, or its last read of the log, failed and it is retrying. */
  healthy(): boolean;
  /** Stop after the command under way; the checkpoint stays where the last whole pass left it. */
  close(): Promise<void>;
}

/** Start delivering from the checkpoint. */
export async function startOutboundBridge(options: OutboundBridgeOptions): Promise<OutboundBridge> {
  const { name, history, checkpoints, sink, logger } = options;
  const pollMs = options.pollMs ?? 100;
  const wanted = options.types ? new Set(options.types) : undefined;
  let stopping = false;
  let delivered = 0;
  let failing = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** Deliver one command until the sink takes it, parks it, or the bridge stops; false when stopped first. */
  const deliver = async (seq: number, command: PodCommand): Promise<boolean> => {
    let backoff = options.backoffMs ?? 100;
    while (!stopping) {
      try {
        await sink.deliver(command);
        delivered++;
        failing = false;
        return true;
      } catch (error) {
        if (error instanceof PermanentDeliveryError) {
          logger.warn({ bridge: name, commandId: command.id, reason: error.message }, 'command refused by the sink: parked');
          await options.ingress.park(command, `${sink.kind} ${sink.target}: ${error.message}`, { bus: sink.kind, subject: sink.target, offset: String(seq) });
          failing = false;
          return true;
        }
        failing = true;
        logger.warn({ bridge: name, commandId: command.id, err: error, retryInMs: backoff }, 'delivery failed: retrying');
        await pause(backoff);
        backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 10_000);
      }
    }
    return false;
  };

  /** One round: deliver what the log holds past the checkpoint; the new checkpoint. */
  const round = async (after: number): Promise<number> => {
    const { items, next } = await history.readCommands({ after });
    let done = after;
    for (const { seq, command } of items) {
      // A pass's commands all delivered: the checkpoint moves past it.
      if (seq > done && done > after) await checkpoints.set(name, done);
      if (!wanted || wanted.has(command.type)) {
        if (!(await deliver(seq, command))) return done;
      }
      done = seq;
    }
    if (next > after) await checkpoints.set(name, next);
    if (next >= (await history.lastSeq())) await pause(pollMs);
    return next;
  };

  const run = async () => {
    let after: number | undefined;
    let backoff = options.backoffMs ?? 100;
    while (!stopping) {
      try {
        after ??= await checkpoints.get(name);
        after = await round(after);
        failing = false;
        backoff = options.backoffMs ?? 100;
      } catch (error) {
        // The engine's storage is unreachable: wait and read the checkpoint again.
        failing = true;
        logger.warn({ bridge: name, err: error, retryInMs: backoff }, 'reading the log failed: retrying');
        after = undefined;
        await pause(backoff);
        backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 10_000);
      }
    }
  };

  const running = run().catch((error: unknown) => {
    logger.error({ bridge: name, err: error }, 'outbound bridge stopped');
  });

  return {
    get delivered() {
      return delivered;
    },
    healthy: () => !failing,
    async close() {
      stopping = true;
      wake?.();
      await running;
      await sink.close();
    },
  };
}
