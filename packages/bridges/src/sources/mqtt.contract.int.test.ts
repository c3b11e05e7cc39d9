/** The inbound contract over MQTT 5: a topic and a persistent session per test on the shared Mosquitto. */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { quietLogger } from '../../../../test/support/cluster.ts';
import { describeInboundContract } from '../inbound-contract.ts';
import { mqttSource } from './mqtt.ts';

const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
let producer: MqttClient;
beforeAll(async () => {
  producer = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `test-pub-${randomUUID()}` });
});
afterAll(async () => {
  await producer.endAsync();
});

describeInboundContract<{ readonly topic: string; readonly clientId: string }>('mqtt', {
  bus: 'mqtt',
  // Mosquitto's default max_queued_messages: past it, messages for a consumer behind are dropped.
  brokerQueueLimit: 1000,
  async setup(name) {
    return { topic: `test/bridge/${process.pid}/${name}`, clientId: `test-bridge-${process.pid}-${name}`.slice(0, 60) };
  },
  makeSource(ctx, { maxInFlight }) {
    return mqttSource({ url, topic: ctx.topic, clientId: ctx.clientId, inFlight: maxInFlight, sessionExpirySeconds: 60, logger: quietLogger, minBackoffMs: 50 });
  },
  async publish(ctx, message) {
    const { 'content-type': contentType, ...headers } = message.headers;
    // An empty user-properties map is left out: with one, mqtt.js never completed the publish here.
    const properties = { ...(contentType ? { contentType } : {}), ...(Object.keys(headers).length > 0 ? { userProperties: headers } : {}) };
    await producer.publishAsync(ctx.topic, Buffer.from(message.body), { qos: 1, properties });
  },
  processConfig(ctx) {
    return { yaml: `bridges:\n  - { name: contract, kind: mqtt, url: "${url}", topic: ${ctx.topic}, group: ${ctx.clientId}, maxInFlight: 8 }\n` };
  },
  async teardown(ctx) {
    // The persistent session goes with the test: a clean start under its client id ends it.
    const session = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: ctx.clientId, clean: true });
    await session.endAsync();
  },
});
