/**
 * A RabbitMQ sink, on the maintained `amqplib` client: each command
 * published as a CloudEvent in the AMQP binding — binary mode by default
 * (the attributes as `cloudEvents_`-prefixed application properties, the
 * data as the body, AMQP `content-type` the data's), or structured
 * (`application/cloudevents+json`, the whole event as the body).
 *
 * Where it goes: a queue, through the default exchange, declared a durable
 * quorum queue when missing (as the RabbitMQ source does) — not an exchange
 * and routing key, so a command can never be dropped for want of a binding.
 * Who wants a fan-out binds the queue's consumers, or shovels it on.
 *
 * What it guarantees: `deliver` resolves only once the broker has confirmed
 * the message (publisher confirms on a confirm channel), so it is in the
 * queue; messages are persistent (delivery mode 2) and `mandatory`. AMQP
 * `message-id` is the command's id, the key a consumer drops a repeat by.
 * A nack, a return (the queue is gone), a closed channel or connection, or
 * no confirm within `timeoutMs` is a transient Error: the channel is
 * dropped, and the next delivery (the bridge retries with backoff) connects
 * again and declares the queue again.
 *
 * What it does not promise: exactly-once. A message confirmed just as the
 * connection went, or confirmed after the timeout, was enqueued and is sent
 * again; consumers dedupe by `message-id` (or the `id` attribute).
 */
import { connect, type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { type ContentMode, encodeCommand } from '../encode.ts';
import type { CommandSink } from '../outbound.ts';

export interface RabbitMqSinkOptions {
  /** `amqp://user:password@host:5672/vhost`, credentials already resolved (never logged). */
  readonly url: string;
  /** Declared a durable quorum queue if missing. */
  readonly queue: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
  /** For the connection and each confirm. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The AMQP binding's prefix for attributes as application properties. */
const prefix = 'cloudEvents_';

interface Open {
  readonly model: ChannelModel;
  readonly channel: ConfirmChannel;
  /** Message ids the broker returned (unroutable) since the last confirm. */
  readonly returned: Set<string>;
}

export function rabbitMqSink(options: RabbitMqSinkOptions): CommandSink {
  const { url, queue } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let open: Promise<Open> | undefined;

  /** Forget the connection (and close it): the next delivery opens a new one. */
  const drop = (stale?: Promise<Open>) => {
    if (stale !== undefined && stale !== open) return;
    const current = open;
    open = undefined;
    void current?.then((o) => o.model.close()).catch(() => undefined);
  };

  const connection = (): Promise<Open> => {
    if (open !== undefined) return open;
    const opening = (async (): Promise<Open> => {
      const model = await connect(url, { timeout: timeoutMs, clientProperties: { connection_name: `everynode-bridge-out:${queue}` } });
      // Errors are reported by the delivery they fail; 'close' follows every 'error'.
      model.on('error', () => undefined);
      model.on('close', () => drop(opening));
      try {
        const channel = await model.createConfirmChannel();
        channel.on('error', () => undefined);
        channel.on('close', () => drop(opening));
        const returned = new Set<string>();
        channel.on('return', (message: Message) => {
          const id: unknown = message.properties.messageId;
          if (typeof id === 'string') returned.add(id);
        });
        await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
        return { model, channel, returned };
      } catch (error) {
        await model.close().catch(() => undefined);
        throw error;
      }
    })();
    open = opening;
    opening.catch(() => drop(opening));
    return opening;
  };

  return {
    kind: 'rabbitmq',
    target: queue,
    async deliver(command) {
      const opening = connection();
      const { channel, returned } = await opening;
      const { headers, body } = encodeCommand(command, options.mode ?? 'binary', prefix);
      const { 'content-type': contentType, ...properties } = headers;
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no confirm from the broker within ${timeoutMs} ms`)), timeoutMs);
          channel.sendToQueue(
            queue,
            Buffer.from(body),
            { persistent: true, mandatory: true, messageId: command.id, contentType, headers: properties },
            (err: unknown) => (err ? reject(new Error(`not confirmed by the broker: ${err instanceof Error ? err.message : String(err)}`)) : resolve()),
          );
        });
        // The broker sends basic.return before the confirm of an unroutable message.
        if (returned.delete(command.id)) throw new Error(`returned by the broker: queue ${queue} is gone`);
      } catch (error) {
        drop(opening);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const current = open;
      open = undefined;
      await current?.then((o) => o.model.close()).catch(() => undefined);
    },
  };
}
