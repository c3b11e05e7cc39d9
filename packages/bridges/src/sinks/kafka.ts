/**
 * Kafka out, on the maintained `kafkajs` client: each command a record on
 * one topic, as a CloudEvent in either content mode of the Kafka protocol
 * binding (`encodeCommand(command, mode, 'ce_')`).
 *
 * - The key is the command's subject, the node's name: one node's commands
 *   go to one partition, in log order.
 * - The `ce_id` header (in both modes) is the command's deterministic id: a
 *   consumer drops a record whose id it has seen, so a command sent again
 *   after a restart has one effect.
 * - The producer is idempotent (`acks: -1`, one request in flight per
 *   broker), so kafkajs' own retries of a send write it once.
 *
 * A failure kafkajs calls retriable (a lost connection, a leader election, a
 * timeout) is thrown as is: the outbound bridge retries it with backoff. One
 * it does not (a record too large, a topic the credentials may not write, …)
 * is a `PermanentDeliveryError`: the command is parked.
 */
import type { Producer, ProducerConfig } from 'kafkajs';
import { type ContentMode, encodeCommand } from '../encode.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';

/** The part of a kafkajs producer this sink uses. */
export type KafkaProducer = Pick<Producer, 'connect' | 'send' | 'disconnect'>;

/** What the sink needs of a kafkajs `Kafka` client: a real one, or a test's in-memory log. */
export interface KafkaProducerClient {
  producer(config?: ProducerConfig): KafkaProducer;
}

export interface KafkaSinkOptions {
  readonly kafka: KafkaProducerClient;
  readonly topic: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
}

/** kafkajs' own rule for what is worth retrying (its retrier's), applied to the error under its wrappers. */
export function isTransient(error: unknown): boolean {
  let root = error as { cause?: unknown; retriable?: unknown; name?: unknown } | undefined;
  while (root?.cause !== undefined && root.cause !== root) root = root.cause as typeof root;
  if (root === undefined || root === null) return true;
  if (['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError'].includes(String(root.name))) return false;
  return root.retriable !== false;
}

export function kafkaSink(options: KafkaSinkOptions): CommandSink {
  const { topic } = options;
  // Bounded retries inside kafkajs: past them the bridge's own backoff takes over, and a close is not held up.
  const producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5 } });
  let connecting: Promise<void> | undefined;
  return {
    kind: 'kafka',
    target: topic,
    async deliver(command) {
      const { headers, body } = encodeCommand(command, options.mode ?? 'binary', 'ce_');
      try {
        connecting ??= producer.connect().catch((error: unknown) => {
          connecting = undefined;
          throw error;
        });
        await connecting;
        await producer.send({ topic, acks: -1, messages: [{ key: command.subject, value: body, headers: { ...headers, ce_id: command.id } }] });
      } catch (error) {
        if (isTransient(error)) throw error;
        throw new PermanentDeliveryError((error as Error).message, { cause: error });
      }
    },
    async close() {
      if (connecting !== undefined) await producer.disconnect();
    },
  };
}
