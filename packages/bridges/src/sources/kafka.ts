/**
 * Kafka in: a consumer group on one topic, on the maintained `kafkajs`
 * client, with offsets committed by hand (autoCommit off).
 *
 * Message mapping (the CloudEvents Kafka protocol binding): binary mode has
 * the attributes in `ce_` headers and `content-type` as `datacontenttype`,
 * the value as `data`; structured mode has `content-type:
 * application/cloudevents+json` and the whole event as the value. The
 * message key becomes the `partitionkey` extension when the event carries
 * none. The origin's subject is the topic, its offset `partition:offset`.
 *
 * Guarantees:
 * - an offset is committed only once every message before it in its
 *   partition has been handled (in the log, or parked): after each batch the
 *   contiguous handled prefix is committed, never past a message not handled;
 * - a handler that rejects makes its message, and everything after it in
 *   the partition, be read again — the partition is paused and, after
 *   `redeliveryMs`, sought back to that message — never skipped; the other
 *   partitions go on meanwhile;
 * - per partition, messages are handed to the handler in offset order, and
 *   those of one key one after another (the next starts once the one before
 *   has been handled), so a key's events reach the engine in the order they
 *   were produced; messages without a key, and those of other partitions,
 *   are handled side by side;
 * - at most `maxInFlight` handlers run at once;
 * - a consumer that dies leaves its uncommitted messages to the group's next
 *   consumer, which reads them again (the engine's `(source, id)`
 *   idempotency absorbs the repeat).
 *
 * kafkajs reconnects, retries and rejoins the group by itself (it restarts a
 * crashed consumer); `connected()` follows its CONNECT, GROUP_JOIN,
 * DISCONNECT and CRASH instrumentation events.
 */
import type { Consumer, ConsumerConfig, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { InboundMessage, InboundSource, MessageHandler } from '../source.ts';

/** The part of a kafkajs consumer this source uses. */
export type KafkaConsumer = Pick<Consumer, 'connect' | 'subscribe' | 'run' | 'commitOffsets' | 'seek' | 'disconnect' | 'on' | 'events'>;

/** What the source needs of a kafkajs `Kafka` client: a real one, or a test's in-memory log. */
export interface KafkaConsumerClient {
  consumer(config: ConsumerConfig): KafkaConsumer;
}

export interface KafkaSourceOptions {
  readonly kafka: KafkaConsumerClient;
  readonly topic: string;
  /** The consumer group: where the committed offsets are kept. */
  readonly group: string;
  /** Handlers running at once, at most. Default 16. */
  readonly maxInFlight?: number;
  /** Delay before a partition is read again from a message whose handler rejected. Default 1 s. */
  readonly redeliveryMs?: number;
  /** Where a group with no committed offset starts: the oldest message kept (default) or only new ones. */
  readonly fromBeginning?: boolean;
  /** First delay between attempts to join the group at start (doubled up to 30 s). Default 500 ms. */
  readonly minBackoffMs?: number;
  readonly logger: Logger;
}

type HeaderValue = string | readonly string[] | undefined;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Kafka record headers as text, names lower-cased. */
export function kafkaHeaders(message: KafkaMessage): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  const text = (v: Buffer | string) => (typeof v === 'string' ? v : v.toString('utf8'));
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map(text) : text(value as Buffer | string);
  }
  return headers;
}

/** The key as text, when it is UTF-8. */
function keyText(key: Buffer | null): string | undefined {
  if (key === null) return undefined;
  try {
    return utf8.decode(key);
  } catch {
    return undefined;
  }
}

const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

/** Consume `topic` as group `group`: commit the handled prefix of each partition, read again from a message whose handler rejected. */
export function kafkaSource(options: KafkaSourceOptions): InboundSource {
  const { topic, group } = options;
  const maxInFlight = options.maxInFlight ?? 16;
  const redeliveryMs = options.redeliveryMs ?? 1000;
  const log = options.logger.child({ bus: 'kafka', topic, group });
  const consumer = options.kafka.consumer({ groupId: group, allowAutoTopicCreation: false });

  let handler: MessageHandler | undefined;
  let closing = false;
  let online = false;
  let wake: (() => void) | undefined;
  const timers = new Set<NodeJS.Timeout>();

  consumer.on(consumer.events.CONNECT, () => (online = true));
  consumer.on(consumer.events.GROUP_JOIN, () => (online = true));
  consumer.on(consumer.events.DISCONNECT, () => (online = false));
  consumer.on(consumer.events.CRASH, (event) => {
    online = false;
    log.warn({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
  });

  // In-flight slots, shared by every partition.
  let free = maxInFlight;
  const waiting: (() => void)[] = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };

  async function commit(partition: number, offset: string): Promise<void> {
    try {
      await consumer.commitOffsets([{ topic, partition, offset }]);
    } catch (err) {
      // The messages are handled; whoever reads the partition next reads them again, harmlessly.
      log.warn({ err, partition, offset }, 'offset commit failed');
    }
  }

  async function eachBatch({ batch, resolveOffset, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const handle = handler as MessageHandler;
    const outcomes: Promise<boolean>[] = [];
    const lastOfKey = new Map<string, Promise<boolean>>();
    let failed = false;
    for (const message of batch.messages) {
      if (failed || closing || !isRunning() || isStale()) break;
      await acquire();
      const key = message.key === null ? undefined : message.key.toString('base64');
      const before = key === undefined ? undefined : lastOfKey.get(key);
      const partitionkey = keyText(message.key);
      const inbound: InboundMessage = {
        body: message.value ?? new Uint8Array(),
        headers: kafkaHeaders(message),
        origin: { bus: 'kafka', subject: topic, offset: `${partition}:${message.offset}` },
        ...(partitionkey === undefined ? {} : { extensions: { partitionkey } }),
      };
      const outcome = (async () => {
        try {
          // The one before of the same key not handled: this one waits to be read again after it.
          if (before !== undefined && !(await before)) return false;
          await handle(inbound);
          return true;
        } catch (err) {
          failed = true;
          log.warn({ err, partition, offset: message.offset }, 'handler failed; the partition is read again from this message');
          return false;
        } finally {
          release();
        }
      })();
      if (key !== undefined) lastOfKey.set(key, outcome);
      outcomes.push(outcome);
    }
    const results = await Promise.all(outcomes);
    const handled = results.includes(false) ? results.indexOf(false) : results.length;
    if (handled > 0) {
      const last = (batch.messages[handled - 1] as KafkaMessage).offset;
      resolveOffset(last);
      await commit(partition, nextOffset(last));
    }
    if (!failed || closing) return; // stopped early: kafkajs reads on from the last resolved offset
    const from = (batch.messages[handled] as KafkaMessage).offset;
    const resume = pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      try {
        consumer.seek({ topic, partition, offset: from });
      } catch (err) {
        log.warn({ err, partition, offset: from }, 'seek failed; the partition is read again from its last commit');
      }
      resume();
    }, redeliveryMs);
    timers.add(timer);
  }

  async function join(): Promise<void> {
    let backoff = options.minBackoffMs ?? 500;
    while (!closing) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? true });
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: maxInFlight, eachBatch });
        log.info('consuming');
        return;
      } catch (err) {
        log.warn({ err, retryInMs: backoff }, 'could not join the consumer group');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  return {
    async start(h: MessageHandler): Promise<void> {
      if (handler !== undefined) throw new Error('kafkaSource: already started');
      handler = h;
      await join();
    },

    connected(): boolean {
      return online && !closing;
    },

    async close(): Promise<void> {
      closing = true;
      wake?.();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // kafkajs waits for the batches under way (and so their handlers) before it leaves the group.
      await consumer.disconnect();
      online = false;
    },
  };
}
