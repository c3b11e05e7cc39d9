/**
 * An MQTT 5 sink, on npm `mqtt` 5.x: each command published as a
 * CloudEvent in the MQTT binding — binary mode by default (the attributes
 * as MQTT 5 user properties by their unprefixed names, `specversion`
 * among them; the data as the payload, its content type the `contentType`
 * property), or structured (the whole event as the payload, `contentType`
 * `application/cloudevents+json`).
 *
 * What it guarantees: QoS 1 — `deliver` resolves once the broker's PUBACK
 * says it took the message. A PUBACK that refuses it for good (not
 * authorized, topic name invalid, packet too large, payload format invalid)
 * is a `PermanentDeliveryError`, so the bridge parks the command; any other
 * refusal, no connection, or no PUBACK within `timeoutMs` is a transient
 * Error the bridge retries. The client reconnects by itself (mqtt.js's
 * `reconnectPeriod`).
 *
 * What MQTT does not promise: exactly-once. QoS 1 is at least once: mqtt.js
 * sends a message again after a reconnect until it is acknowledged, and the
 * bridge retries one that timed out, so a consumer may see it twice and
 * drops the repeat by the `id` attribute. Nothing is kept for a subscriber
 * that was not there (use a persistent session or a retained topic on the
 * consuming side).
 */
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { type ContentMode, encodeCommand } from '../encode.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';

export interface MqttSinkOptions {
  /** `mqtt://host:1883` (or `mqtts://`, `ws://`), credentials already resolved (never logged). */
  readonly url: string;
  /** The topic published to: no wildcards. */
  readonly topic: string;
  /** Unique per connected client. Default `everynode-out-<random>`. */
  readonly clientId?: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
  /** For the connection and each PUBACK. Default 10 s. */
  readonly timeoutMs?: number;
  /** Between reconnect attempts. Default 500 ms. */
  readonly reconnectMs?: number;
}

/** PUBACK reason codes that refuse a message for good: sending it again cannot help. */
const refusedForGood = new Set([
  0x87, // not authorized
  0x90, // topic name invalid
  0x95, // packet too large
  0x99, // payload format invalid
]);

/** A failed publish as the bridge should take it: parked when the broker refused it for good. */
export function publishError(error: unknown): Error {
  if (error instanceof mqtt.ErrorWithReasonCode && refusedForGood.has(error.code)) return new PermanentDeliveryError(`${error.message} (reason code 0x${error.code.toString(16)})`);
  return error instanceof Error ? error : new Error(String(error));
}

export function mqttSink(options: MqttSinkOptions): CommandSink {
  const { url, topic } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let client: MqttClient | undefined;
  let lastError: Error | undefined;

  /** A connected client, or a transient Error once `timeoutMs` has passed without one. */
  const connected = async (): Promise<MqttClient> => {
    const c = (client ??= mqtt.connect(url, {
      protocolVersion: 5,
      clientId: options.clientId ?? `everynode-out-${Math.random().toString(36).slice(2, 10)}`,
      reconnectPeriod: options.reconnectMs ?? 500,
      connectTimeout: timeoutMs,
    }).on('error', (error) => {
      lastError = error;
    }));
    if (c.connected) return c;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        c.off('connect', onConnect);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = () => done();
      const timer = setTimeout(() => done(new Error(`not connected to the MQTT broker${lastError ? ` (${lastError.message})` : ''}`)), timeoutMs);
      c.on('connect', onConnect);
    });
    return c;
  };

  return {
    kind: 'mqtt',
    target: topic,
    async deliver(command) {
      const c = await connected();
      const { headers, body } = encodeCommand(command, options.mode ?? 'binary', '');
      const { 'content-type': contentType, ...userProperties } = headers;
      // mqtt.js never sends a publish with an empty userProperties object: it is left out.
      const properties: IClientPublishOptions['properties'] = Object.keys(userProperties).length > 0 ? { contentType, userProperties } : { contentType };
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.publishAsync(topic, body, { qos: 1, properties }),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no PUBACK from the broker within ${timeoutMs} ms`)), timeoutMs))),
        ]);
      } catch (error) {
        throw publishError(error);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.endAsync(true);
    },
  };
}
