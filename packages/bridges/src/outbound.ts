/**
 * An outbound bridge: the engine's pod commands (and only those its `types`
 * allow), in log order, delivered to a sink — a bus or a webhook — as
 * CloudEvents. The bridge keeps a checkpoint, the last log seq it
 * delivered, in the engine's storage: after a restart it resumes from it
 * with no gap and sends again at most the pass it was delivering. Each
 * command's id is deterministic, so a consumer (or the bus, by message id)
 * drops the repeat.
 *
 * Up to `maxInFlight` commands are under way at once, sent in log order; a
 * window never holds two commands for one node, so each node's commands
 * are delivered one after the other, in log order (commands for different
 * nodes may overtake each other where the sink does not keep order, as
 * concurrent HTTP requests do not).
 *
 * A command the sink fails transiently is retried with backoff, never
 * skipped, before the next window starts; a command it refuses for good (`PermanentDeliveryError`) is parked in
 * the dead-letter queue with the reason, and the bridge goes on.
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
  /** Commands under way at once. Default 16. */
  readonly maxInFlight?: number;
  /** How often to look for new passes when caught up. Default 100 ms. */
  readonly pollMs?: number;
  /** First retry delay after a transient failure, doubled up to `maxBackoffMs`. Default 100 ms. */
  readonly backoffMs?: number;
  /** Default 10 s. */
  readonly maxBackoffMs?: number;
  readonly logger: Logger;
}

/** A command and the seq of the pass that emitted it. */
type Item = { readonly seq: number; readonly command: PodCommand };

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
  const maxInFlight = options.maxInFlight ?? 16;
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

  /**
   * Deliver a window of commands (no node twice, so their order between
   * them is free): all at once, then those that failed again, until each is
   * taken or parked; false when the bridge stopped first.
   */
  const deliverWindow = async (window: readonly Item[]): Promise<boolean> => {
    let pending = window;
    let backoff = options.backoffMs ?? 100;
    for (;;) {
      const results = await Promise.allSettled(pending.map(({ command }) => sink.deliver(command)));
      const failed: { item: Item; error: unknown }[] = [];
      results.forEach((r, k) => (r.status === 'fulfilled' ? delivered++ : failed.push({ item: pending[k] as Item, error: r.reason })));
      const transient: Item[] = [];
      for (const { item, error } of failed) {
        const { seq, command } = item;
        if (error instanceof PermanentDeliveryError) {
          logger.warn({ bridge: name, commandId: command.id, reason: error.message }, 'command refused by the sink: parked');
          await options.ingress.park(command, `${sink.kind} ${sink.target}: ${error.message}`, { bus: sink.kind, subject: sink.target, offset: String(seq) });
        } else {
          logger.warn({ bridge: name, commandId: command.id, err: error, retryInMs: backoff }, 'delivery failed: retrying');
          transient.push(item);
        }
      }
      failing = transient.length > 0;
      if (transient.length === 0) return true;
      await pause(backoff);
      if (stopping) return false;
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 10_000);
      pending = transient;
    }
  };

  /** One round: deliver what the log holds past the checkpoint; the new checkpoint. */
  const round = async (after: number): Promise<number> => {
    const { items, next } = await history.readCommands({ after });
    const due = wanted ? items.filter(({ command }) => wanted.has(command.type)) : items;
    const at = (k: number) => due[k] as Item;
    let done = after;
    for (let i = 0; i < due.length; ) {
      const nodes = new Set<string>();
      let end = i;
      while (end < due.length && end - i < maxInFlight && !nodes.has(at(end).command.subject)) nodes.add(at(end++).command.subject);
      if (!(await deliverWindow(due.slice(i, end)))) return done;
      i = end;
      // The passes before the next command's are delivered whole: the checkpoint moves past them.
      const nextSeq = due[i]?.seq;
      let k = i - 1;
      while (k >= 0 && at(k).seq === nextSeq) k--;
      const whole = nextSeq === undefined || k < 0 ? done : at(k).seq;
      if (whole > done) {
        done = whole;
        await checkpoints.set(name, done);
      }
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
