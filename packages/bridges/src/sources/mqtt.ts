/**
 * MQTT as an inbound source, on npm `mqtt` 5.x with MQTT protocol version 5:
 * a QoS 1 subscription in a persistent session (`clean: false` and a session
 * expiry), so messages not yet acknowledged survive a reconnect.
 *
 * What it guarantees: a message's PUBACK is sent only after the handler's
 * promise resolves (mqtt.js's `customHandleAcks`). A rejected handler's
 * message gets no PUBACK, and the source drops its connection and reconnects
 * at once: MQTT has no negative acknowledgement, and a broker resends an
 * unacknowledged QoS 1 message only when the session is resumed, so that is
 * how it is delivered again. At most `inFlight` messages are unacknowledged
 * (the MQTT 5 Receive Maximum the broker must respect). It reconnects by
 * itself with exponential backoff (`reconnectPeriod`, doubled per attempt up
 * to `maxBackoffMs`); `connected()` reflects it.
 *
 * What MQTT (and mqtt.js) does not promise: exactly-once (QoS 1 is at least
 * once: a PUBACK lost with the connection means a second delivery, and every
 * message unacknowledged at a forced reconnect comes again); order after a
 * redelivery; that the session outlives the broker (only with the broker's
 * persistence on, and only within the session expiry); redelivery without a
 * reconnect. mqtt.js reads the next packet only once the current message's
 * acknowledgement is decided, so handlers run one at a time per connection
 * (within the `inFlight` bound, which then limits what the broker has sent
 * ahead); a handler slower than the keepalive makes the client miss its
 * PINGRESP and reconnect, and the broker then resends.
 */
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { InboundMessage, InboundSource, MessageHandler } from '../source.ts';

export interface MqttSourceOptions {
  /** `mqtt://host:1883` (or `mqtts://`, `ws://`), credentials in the URL or not at all. */
  readonly url: string;
  /** The topic filter, subscribed at QoS 1. */
  readonly topic: string;
  /** Fixed and unique: the persistent session belongs to it. */
  readonly clientId: string;
  /** Unacknowledged messages at most (MQTT 5 Receive Maximum); default 64. */
  readonly inFlight?: number;
  readonly logger: Logger;
  /** How long the broker keeps the session while disconnected, in seconds; default one day. */
  readonly sessionExpirySeconds?: number;
  /** First reconnect delay in ms; default 500. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay in ms; default 30 000. */
  readonly maxBackoffMs?: number;
}

type HeaderValue = string | readonly string[] | undefined;

/** Why a message gets no PUBACK (given to mqtt.js, which emits it as an `error`). */
class Unacknowledged extends Error {}

/** MQTT 5 user properties (names lower-cased, undefined values dropped) and `content-type`. */
export function mqttHeaders(properties: IPublishPacket['properties']): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  const user: Record<string, unknown> = properties?.userProperties ?? {};
  for (const [name, value] of Object.entries(user)) {
    if (Array.isArray(value)) {
      const values = value.filter((v): v is string => typeof v === 'string');
      if (values.length > 0) headers[name.toLowerCase()] = values;
    } else if (typeof value === 'string') {
      headers[name.toLowerCase()] = value;
    }
  }
  if (typeof properties?.contentType === 'string') headers['content-type'] = properties.contentType;
  return headers;
}

/** Subscribe to an MQTT topic: PUBACK after the handler resolves, none (and a reconnect) when it rejects. */
export function mqttSource(options: MqttSourceOptions): InboundSource {
  const { url, topic, clientId, logger } = options;
  const inFlight = options.inFlight ?? 64;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const log = logger.child({ bus: 'mqtt', topic, clientId });

  let client: MqttClient | undefined;
  let handler: MessageHandler | undefined;
  let closing = false;
  let subscribed = false;
  const running = new Set<Promise<void>>();

  function onPublish(packet: IPublishPacket, done: (error: Error | number, code?: number) => void): void {
    if (closing || handler === undefined) {
      done(new Unacknowledged('closing: left for the next session'));
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message: InboundMessage = {
      body: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength),
      headers: mqttHeaders(packet.properties),
      origin: { bus: 'mqtt', subject: topic, ...(packet.messageId === undefined ? {} : { offset: String(packet.messageId) }) },
    };
    const work = handler(message).then(
      () => done(0),
      (err: unknown) => {
        log.warn({ err, messageId: packet.messageId }, 'handler failed; no PUBACK, reconnecting so the broker resends it');
        done(new Unacknowledged('handler failed'));
        // The broker resends an unacknowledged message only to a resumed session.
        client?.stream.destroy();
      },
    );
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  return {
    async start(h: MessageHandler): Promise<void> {
      if (handler !== undefined) throw new Error('mqttSource: already started');
      handler = h;
      const c = mqtt.connect(url, {
        protocolVersion: 5,
        clientId,
        clean: false,
        reconnectPeriod: minBackoff,
        resubscribe: true,
        properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 86_400, receiveMaximum: inFlight },
        customHandleAcks: (_topic, _message, packet: IPublishPacket, done) => onPublish(packet, done),
      });
      client = c;
      c.on('error', (err) => {
        if (err instanceof Unacknowledged) return;
        log.warn({ err }, 'mqtt error');
      });
      c.on('reconnect', () => {
        // Exponential backoff: mqtt.js reads the period again before each attempt.
        c.options.reconnectPeriod = Math.min(maxBackoff, (c.options.reconnectPeriod ?? minBackoff) * 2);
        log.info('reconnecting');
      });
      c.on('offline', () => log.warn('disconnected'));
      c.on('connect', (connack) => {
        c.options.reconnectPeriod = minBackoff;
        log.info({ sessionPresent: connack.sessionPresent }, 'connected');
      });
      await new Promise<void>((resolve) => {
        if (c.connected) resolve();
        else c.once('connect', () => resolve());
        c.once('end', () => resolve());
      });
      if (closing) return;
      await c.subscribeAsync(topic, { qos: 1 });
      subscribed = true;
    },

    connected(): boolean {
      return !closing && subscribed && client?.connected === true;
    },

    async close(): Promise<void> {
      closing = true;
      while (running.size > 0) await Promise.allSettled([...running]);
      const c = client;
      client = undefined;
      if (c !== undefined) await c.endAsync();
    },
  };
}
