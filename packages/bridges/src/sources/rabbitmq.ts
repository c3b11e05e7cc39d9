/**
 * RabbitMQ as an inbound source, on the maintained `amqplib` client.
 *
 * What it guarantees: each message is acknowledged (`basic.ack`) only after
 * the handler's promise resolves; a rejected handler negatively acknowledges
 * it with requeue (`basic.nack`, `requeue: true`), so RabbitMQ delivers it
 * again; at most `prefetch` messages are unacknowledged (so at most `prefetch`
 * handlers run) per connection; a lost connection or channel is reopened with
 * exponential backoff and the queue consumed again.
 *
 * What RabbitMQ does not promise: order after a redelivery (a requeued message
 * may come back after later ones, and with several consumers anywhere);
 * exactly-once (a message whose handler resolved just as the connection went
 * is delivered again — the engine's idempotency absorbs it); unlimited
 * redelivery (quorum queues count deliveries, and from RabbitMQ 4 a message
 * past the queue's `delivery-limit`, 20 by default, is dropped or
 * dead-lettered by the broker, not by this source). The delivery tag in
 * `origin.offset` is scoped to one channel, not a stable position.
 */
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { InboundMessage, InboundSource, MessageHandler } from '../source.ts';

export interface RabbitMqSourceOptions {
  /** `amqp://user:password@host:5672/vhost`. */
  readonly url: string;
  /** Declared a durable quorum queue if missing. */
  readonly queue: string;
  /** Unacknowledged messages (and so running handlers) at most; default 64. */
  readonly prefetch?: number;
  readonly logger: Logger;
  /** First reconnect delay in ms (doubled per failed attempt up to `maxBackoffMs`); default 100. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay in ms; default 30 000. */
  readonly maxBackoffMs?: number;
}

type HeaderValue = string | readonly string[] | undefined;

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** AMQP application properties (names lower-cased) and `content-type`. */
export function amqpHeaders(message: ConsumeMessage): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (Array.isArray(value)) {
      const values = value.map(headerText).filter((v): v is string => v !== undefined);
      if (values.length > 0) headers[name.toLowerCase()] = values;
    } else {
      const text = headerText(value);
      if (text !== undefined) headers[name.toLowerCase()] = text;
    }
  }
  const contentType: unknown = message.properties.contentType;
  if (typeof contentType === 'string') headers['content-type'] = contentType;
  return headers;
}

/** Consume a RabbitMQ queue: ack after the handler resolves, nack with requeue when it rejects. */
export function rabbitMqSource(options: RabbitMqSourceOptions): InboundSource {
  const { url, queue, logger } = options;
  const prefetch = options.prefetch ?? 64;
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const log = logger.child({ bus: 'rabbitmq', queue });

  let handler: MessageHandler | undefined;
  let closing = false;
  let consuming = false;
  let model: ChannelModel | undefined;
  let channel: Channel | undefined;
  let consumerTag: string | undefined;
  let generation = 0;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let firstConnected: (() => void) | undefined;
  const running = new Set<Promise<void>>();

  function onMessage(ch: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (the queue was deleted): start over.
      log.warn('consumer cancelled by the broker');
      lost(generation, ch);
      return;
    }
    if (closing || handler === undefined) {
      safely(() => ch.nack(message, false, true));
      return;
    }
    const inbound: InboundMessage = {
      body: new Uint8Array(message.content.buffer, message.content.byteOffset, message.content.byteLength),
      headers: amqpHeaders(message),
      origin: { bus: 'rabbitmq', subject: queue, offset: String(message.fields.deliveryTag) },
    };
    const work = handler(inbound).then(
      () => safely(() => ch.ack(message)),
      (err: unknown) => {
        log.warn({ err, deliveryTag: message.fields.deliveryTag }, 'handler failed; message requeued');
        safely(() => ch.nack(message, false, true));
      },
    );
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  /** Ack and nack on a channel that has gone throw; the broker redelivers those messages anyway. */
  function safely(settle: () => void): void {
    try {
      settle();
    } catch (err) {
      log.debug({ err }, 'could not settle a message on a closed channel; the broker redelivers it');
    }
  }

  async function open(): Promise<void> {
    const mine = ++generation;
    const m = await connect(url, { clientProperties: { connection_name: `everynode-bridge:${queue}` } });
    model = m;
    m.on('error', (err: Error) => log.warn({ err }, 'connection error'));
    m.on('close', () => lost(mine));
    try {
      const ch = await m.createChannel();
      channel = ch;
      ch.on('error', (err: Error) => log.warn({ err }, 'channel error'));
      ch.on('close', () => lost(mine, ch));
      await ch.prefetch(prefetch);
      await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      const reply = await ch.consume(queue, (message) => onMessage(ch, message), { noAck: false });
      if (mine !== generation || closing) return;
      consumerTag = reply.consumerTag;
      consuming = true;
      attempt = 0;
      log.info('consuming');
    } catch (err) {
      await m.close().catch(() => undefined);
      throw err;
    }
  }

  function lost(mine: number, ch?: Channel): void {
    if (mine !== generation) return;
    generation++; // later events of this connection are stale
    consuming = false;
    consumerTag = undefined;
    const m = model;
    model = undefined;
    channel = undefined;
    if (ch !== undefined) void ch.close().catch(() => undefined);
    if (m !== undefined) void m.close().catch(() => undefined);
    if (!closing) schedule();
  }

  function schedule(): void {
    if (closing || timer !== undefined) return;
    const delay = Math.min(maxBackoff, minBackoff * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    attempt++;
    log.info({ delay: Math.round(delay), attempt }, 'reconnecting');
    timer = setTimeout(() => {
      timer = undefined;
      if (closing) return;
      open().then(
        () => {
          if (consuming) firstConnected?.();
        },
        (err: unknown) => {
          log.warn({ err }, 'could not connect');
          generation++;
          schedule();
        },
      );
    }, delay);
  }

  return {
    async start(h: MessageHandler): Promise<void> {
      if (handler !== undefined) throw new Error('rabbitMqSource: already started');
      handler = h;
      const ready = new Promise<void>((resolve) => {
        firstConnected = () => {
          firstConnected = undefined;
          resolve();
        };
      });
      try {
        await open();
        firstConnected?.();
      } catch (err) {
        log.warn({ err }, 'could not connect');
        generation++;
        schedule();
      }
      await ready;
    },

    connected(): boolean {
      return consuming && !closing;
    },

    async close(): Promise<void> {
      closing = true;
      firstConnected?.(); // a start() still waiting for its first connection returns
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const ch = channel;
      const tag = consumerTag;
      if (ch !== undefined && tag !== undefined) await ch.cancel(tag).catch(() => undefined);
      while (running.size > 0) await Promise.allSettled([...running]);
      consuming = false;
      generation++;
      const m = model;
      model = undefined;
      channel = undefined;
      if (m !== undefined) await m.close().catch(() => undefined);
    },
  };
}
