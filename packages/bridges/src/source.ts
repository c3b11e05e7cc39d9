/**
 * What every inbound bus looks like to a bridge: a source of messages, each
 * acknowledged to the bus only after the bridge has dealt with it (the event
 * is in the log, or the message is parked in the dead-letter queue with its
 * reason). A handler that throws leaves the message unacknowledged, so the
 * bus delivers it again; the engine's `(source, id)` idempotency makes a
 * second delivery harmless.
 */

/** Where a message came from: named in the dead-letter queue and in logs. */
export interface MessageOrigin {
  /** The kind of bus: `nats`, `rabbitmq`, `mqtt`, `redis-streams`, `kafka`, `http`. */
  readonly bus: string;
  /** The subject, queue, topic or stream it was read from. */
  readonly subject: string;
  /** Its position there, when the bus has one (stream sequence, offset, entry id, delivery tag). */
  readonly offset?: string;
}

/** One message as read from a bus: the bytes, and the headers (or MQTT 5 user properties) as text. */
export interface InboundMessage {
  readonly body: Uint8Array;
  /** Header names lower-cased; a header given twice keeps its values in order. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly origin: MessageOrigin;
  /** Extension attributes the bus gives the event when it carries none of that name (Kafka: the message key as `partitionkey`). */
  readonly extensions?: Readonly<Record<string, string>>;
}

/**
 * A handler's promise: resolved, the message is acknowledged; rejected, it
 * is not (negatively acknowledged where the bus has that), so it is
 * delivered again after the bus's redelivery delay.
 */
export type MessageHandler = (message: InboundMessage) => Promise<void>;

/** An inbound bus connection: consumes with bounded in-flight work, reconnects by itself. */
export interface InboundSource {
  /** Start consuming; resolves once subscribed (the first connection made). */
  start(handler: MessageHandler): Promise<void>;
  /** Whether it is connected and consuming now (for `/readyz`). */
  connected(): boolean;
  /** Stop taking messages, wait for the handlers under way, close the connection. */
  close(): Promise<void>;
}
