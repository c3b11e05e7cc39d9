/**
 * NATS JetStream out: each command published to a subject as a CloudEvent
 * (the CloudEvents NATS protocol binding, `encode.ts`: binary mode by
 * default — `ce-*` headers, `content-type`, the data as the body — or
 * structured, `application/cloudevents+json`).
 *
 * A command counts as delivered once JetStream's PubAck says the stream
 * stored it. Each is published with `Nats-Msg-Id` = the command's id, so a
 * command sent again inside the stream's duplicate window (2 min unless the
 * stream says otherwise) — the pass a restarted bridge sends again — is
 * stored once: the PubAck marks it `duplicate`, counted in `duplicates`.
 * Past the window, consumers still drop repeats by id.
 *
 * The stream is created when missing (its subjects: the subject). The
 * connection is made at the first delivery and then reconnects by itself,
 * forever. A failure that may pass — no stream answering, no PubAck in time,
 * the server gone, a permission refused — is a plain error (the bridge
 * retries with backoff); a message that can never be stored (larger than
 * the server's max payload or the stream's max message size) is a
 * `PermanentDeliveryError` (parked).
 */
import { connect, InvalidArgumentError, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { type ContentMode, encodeCommand } from '../encode.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';

export interface NatsSinkOptions {
  /** `nats://host:port`, comma-separated for a cluster, without credentials. */
  readonly servers: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** The stream created, when missing, to take `subject`. */
  readonly stream: string;
  readonly subject: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
  /** How long to wait for the PubAck. Default 5 s. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

export interface NatsSink extends CommandSink {
  /** Commands the stream already held (PubAck `duplicate`): repeats JetStream dropped. */
  readonly duplicates: number;
}

/** JetStream's "message size exceeds maximum allowed" (the stream's `max_msg_size`). */
const messageTooLarge = 10054;
/** JetStream's "subjects overlap with an existing stream". */
const subjectsOverlap = 10065;

export function natsSink(options: NatsSinkOptions): NatsSink {
  const { servers, user, pass, token, stream, subject, logger } = options;
  let connection: Promise<NatsConnection> | undefined;
  let ensured = false;
  let duplicates = 0;

  const connected = async (): Promise<NatsConnection> => {
    connection ??= connect({
      servers: servers.split(',').map((s) => s.trim()),
      ...(user === undefined ? {} : { user }),
      ...(pass === undefined ? {} : { pass }),
      ...(token === undefined ? {} : { token }),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      name: `everynode-sink:${subject}`,
    });
    try {
      const nc = await connection;
      if (!nc.isClosed()) return nc;
      throw new Error('connection closed');
    } catch (error) {
      connection = undefined;
      ensured = false;
      throw new Error(`nats ${servers}: cannot connect (${(error as Error).message})`, { cause: error });
    }
  };

  /** The stream, created when missing; a stream of another name already taking the subject will do. */
  const ensure = async (nc: NatsConnection): Promise<void> => {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      try {
        await jsm.streams.add({ name: stream, subjects: [subject] });
        logger.info({ stream, subject }, 'nats: stream created');
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === subjectsOverlap)) throw error;
      }
    }
    ensured = true;
  };

  return {
    kind: 'nats',
    target: subject,
    get duplicates() {
      return duplicates;
    },
    async deliver(command) {
      const nc = await connected();
      if (!ensured) await ensure(nc);
      const { headers, body } = encodeCommand(command, options.mode ?? 'binary');
      const h = natsHeaders();
      for (const [key, value] of Object.entries(headers)) h.set(key, value);
      try {
        const ack = await jetstream(nc).publish(subject, body, { msgID: command.id, headers: h, timeout: options.timeoutMs ?? 5000 });
        if (ack.duplicate) {
          duplicates++;
          logger.debug({ commandId: command.id, stream: ack.stream, seq: ack.seq }, 'nats: already in the stream (duplicate dropped by JetStream)');
        }
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw new PermanentDeliveryError(`nats ${subject}: ${error.message}`);
        if (error instanceof JetStreamApiError && error.code === messageTooLarge) throw new PermanentDeliveryError(`nats ${subject}: ${error.message}`);
        if ((error as Error).name === 'JetStreamNotEnabled') {
          // No stream answered on the subject: perhaps deleted, or the server lost it. Look again next time.
          ensured = false;
          throw new Error(`nats ${subject}: no JetStream stream took the message (no responders)`, { cause: error });
        }
        throw error;
      }
    },
    async close() {
      const pending = connection;
      connection = undefined;
      const nc = await pending?.catch(() => undefined);
      await nc?.close();
    },
  };
}
