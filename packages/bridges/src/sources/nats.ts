/**
 * NATS JetStream in: a durable pull consumer on a stream (the stream and the
 * consumer are created when missing), explicit acknowledgement.
 *
 * Message mapping (the CloudEvents NATS protocol binding): binary mode has
 * the attributes in `ce-` headers and `content-type` as `datacontenttype`;
 * structured mode has the whole event as the body
 * (`application/cloudevents+json`). Header names are lower-cased. The
 * origin's subject is the message's subject, its offset the stream sequence.
 *
 * Guarantees: at most `maxInFlight` messages unacknowledged at once — the
 * consumer's `max_ack_pending` on the server, and the same bound here; a
 * message is acked only after the handler resolves and nak'ed (redelivered
 * after `redeliveryMs`) when it rejects; a consumer that dies with messages
 * in hand has them redelivered after `ack_wait`. JetStream's `max_deliver`
 * is left unlimited: the inbound handler parks what cannot be an event, so
 * only an unreachable engine keeps a message coming. The client reconnects
 * by itself (forever, with jittered backoff); the consume loop is restarted
 * when its iterator ends while the source is open.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, type ConsumerMessages, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { InboundMessage, InboundSource, MessageHandler } from '../source.ts';

export interface NatsSourceOptions {
  /** `nats://host:port`, comma-separated for a cluster, without credentials. */
  readonly servers: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly stream: string;
  /** The subjects the stream takes, when it must be created; and the consumer's filter. */
  readonly subject: string;
  readonly durable: string;
  /** Unacknowledged messages at once (the consumer's max_ack_pending). Default 16. */
  readonly maxInFlight?: number;
  /** Delay of a redelivery after the handler rejected. Default 1 s. */
  readonly redeliveryMs?: number;
  /** Redelivery of a message whose consumer vanished. Default 30 s. */
  readonly ackWaitMs?: number;
  readonly logger: Logger;
}

export class NatsSource implements InboundSource {
  private nc: NatsConnection | undefined;
  private messages: ConsumerMessages | undefined;
  private running = false;
  private online = false;
  private loop: Promise<void> | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(private readonly options: NatsSourceOptions) {
    this.maxInFlight = options.maxInFlight ?? 16;
  }

  async start(handler: MessageHandler): Promise<void> {
    const { servers, user, pass, token } = this.options;
    const nc = await connect({
      servers: servers.split(',').map((s) => s.trim()),
      ...(user === undefined ? {} : { user }),
      ...(pass === undefined ? {} : { pass }),
      ...(token === undefined ? {} : { token }),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      name: `everynode-bridge:${this.options.durable}`,
    });
    this.nc = nc;
    this.online = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.online = false;
        else if (s.type === 'reconnect') this.online = true;
      }
    })();
    await this.ensure(nc);
    this.running = true;
    this.loop = this.consume(nc, handler);
  }

  connected(): boolean {
    return this.running && this.online && this.nc !== undefined && !this.nc.isClosed();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.messages?.close();
    await this.loop;
    await Promise.allSettled([...this.active]);
    await this.nc?.close();
  }

  private async ensure(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    const { stream, subject, durable } = this.options;
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [subject] });
    }
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subject,
      max_ack_pending: this.maxInFlight,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
    };
    try {
      await jsm.consumers.info(stream, durable);
      await jsm.consumers.update(stream, durable, { max_ack_pending: config.max_ack_pending, ack_wait: config.ack_wait });
    } catch {
      await jsm.consumers.add(stream, config);
    }
  }

  private async consume(nc: NatsConnection, handler: MessageHandler): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const consumer = await jetstream(nc).consumers.get(this.options.stream, this.options.durable);
        this.messages = await consumer.consume({ max_messages: this.maxInFlight });
        failures = 0;
        for await (const m of this.messages) {
          while (this.active.size >= this.maxInFlight) await Promise.race(this.active);
          this.dispatch(handler, m);
        }
      } catch (error) {
        if (!this.running) break;
        failures++;
        this.options.logger.warn({ stream: this.options.stream, err: { message: (error as Error).message } }, 'nats: consume failed; retrying');
        if (failures > 1) await this.ensure(nc).catch(() => undefined);
      }
      if (this.running) await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 6), 5000)));
    }
  }

  private dispatch(handler: MessageHandler, m: JsMsg): void {
    const task = (async () => {
      try {
        await handler(toMessage(m));
        m.ack();
      } catch {
        m.nak(this.options.redeliveryMs ?? 1000);
      }
    })();
    this.active.add(task);
    void task.finally(() => this.active.delete(task));
  }
}

function toMessage(m: JsMsg): InboundMessage {
  const headers: Record<string, string | string[]> = {};
  if (m.headers) {
    for (const key of m.headers.keys()) {
      const values = m.headers.values(key);
      headers[key.toLowerCase()] = values.length === 1 ? (values[0] as string) : values;
    }
  }
  return { body: m.data, headers, origin: { bus: 'nats', subject: m.subject, offset: String(m.seq) } };
}
