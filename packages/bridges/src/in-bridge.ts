/**
 * The inbound half of a bridge: a bus message into the engine. The handler
 * resolves (so the source acknowledges the bus) only once the event is in
 * the log, or the message is parked in the dead-letter queue with its
 * reason and origin; it rejects (so the bus delivers again) when the engine
 * cannot be reached or the wait times out.
 *
 * Bounded: while the engine's backlog (events queued, not yet taken up by a
 * worker) is past `highWaterMark`, a handler waits before it submits, so the
 * source takes no more messages and a burst stays on the bus; it goes on
 * once the backlog is down to half the mark. One reading of the backlog
 * serves every message for 100 ms.
 *
 * Ordered per object: events about one object (its `partitionkey`
 * extension, else the node, pod or DaemonSet the data names) are submitted
 * one after another, in the order the source handed them over — the bus's
 * order — while events about different objects go side by side.
 */
import type { Logger } from 'pino';
import type { EventIngress } from '@everynode/engine';
// The gauge alone: the bridge needs none of the engine's runtime, only its ports' types.
import { defaultHighWaterMark, HighWaterGauge } from '@everynode/engine/high-water';
import { decodeMessage, printableBody } from './decode.ts';
import type { MessageHandler } from './source.ts';

export interface InboundHandlerOptions {
  /** Only events of these types go to the engine; others are acknowledged and skipped. All when absent. */
  readonly types?: readonly string[];
  readonly logger: Logger;
  /** How long to wait for the event to reach the log before giving up (the bus then redelivers). Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause while the engine's backlog is past this many jobs; resume at half. Default 10,000. */
  readonly highWaterMark?: number;
}

export { defaultHighWaterMark };

/** What a handler has done, for metrics and tests. */
export interface InboundCounts {
  accepted: number;
  refused: number;
  parked: number;
  skipped: number;
  failed: number;
}

export function inboundHandler(ingress: Pick<EventIngress, 'submit' | 'park' | 'backlog'>, options: InboundHandlerOptions): MessageHandler & { readonly counts: InboundCounts } {
  const types = options.types === undefined ? undefined : new Set(options.types);
  const gauge = new HighWaterGauge(() => ingress.backlog(), {
    highWaterMark: options.highWaterMark ?? defaultHighWaterMark,
    onChange: (full, backlog, highWaterMark) =>
      options.logger.info({ backlog, highWaterMark }, full ? "paused: the engine's backlog is past the high-water mark" : "resumed: the engine's backlog is down to half the high-water mark"),
  });
  const counts: InboundCounts = { accepted: 0, refused: 0, parked: 0, skipped: 0, failed: 0 };
  /** Per object, the submission last handed over: the next one about it waits for it. */
  const tails = new Map<string, Promise<unknown>>();
  const inTurn = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key);
    const mine = previous === undefined ? work() : previous.then(work, work);
    const tail = mine.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return mine;
  };
  const handler = async (message: Parameters<MessageHandler>[0]): Promise<void> => {
    const { origin } = message;
    try {
      // Decoded and queued behind its object's last event before anything is awaited: in the order handed over.
      const decoded = decodeMessage(message);
      if (!decoded.ok) {
        await ingress.park(printableBody(message.body), decoded.reason, origin);
        counts.parked++;
        options.logger.warn({ origin, reason: decoded.reason }, 'message parked: not an event');
        return;
      }
      const type = (decoded.event as { type?: unknown }).type;
      if (types !== undefined && !(typeof type === 'string' && types.has(type))) {
        counts.skipped++;
        options.logger.debug({ origin, type }, 'event skipped: type filtered out');
        return;
      }
      const result = await inTurn(orderKey(decoded.event), async () => {
        await gauge.waitBelow();
        return ingress.submit([decoded.event], { wait: true, origin, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
      });
      if (result.refused.length > 0) {
        counts.refused++;
        options.logger.warn({ origin, reason: result.refused[0]?.reason }, 'event refused and parked');
      } else counts.accepted++;
    } catch (error) {
      counts.failed++;
      options.logger.warn({ origin, err: error }, 'message not handled; the bus will deliver it again');
      throw error;
    }
  };
  return Object.assign(handler, { counts });
}

/** The object an event is about, for ordering: its `partitionkey`, else the kind and name its data gives. */
export function orderKey(event: unknown): string {
  const { partitionkey, type, data } = (event ?? {}) as { partitionkey?: unknown; type?: unknown; data?: { metadata?: { namespace?: unknown; name?: unknown } } };
  if (typeof partitionkey === 'string') return `key:${partitionkey}`;
  const family = typeof type === 'string' ? type.split('.').slice(0, -1).join('.') : '';
  const { namespace, name } = data?.metadata ?? {};
  return `${family}:${String(namespace ?? '')}/${String(name ?? '')}`;
}
