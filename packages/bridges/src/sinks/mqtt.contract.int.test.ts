/** The outbound contract over MQTT 5: a unique topic per test on the shared Mosquitto, subscribed at QoS 1 (nothing retained: nothing to delete). */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { describeOutboundContract } from '../outbound-contract.ts';
import { mqttHeaders } from '../sources/mqtt.ts';
import { mqttSink } from './mqtt.ts';

const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describeOutboundContract<{ readonly topic: string }>('mqtt', {
  async setup(name) {
    return { topic: `everynode-test/sink/${name}/${randomUUID()}` };
  },
  makeSink: (ctx, mode) => mqttSink({ url, topic: ctx.topic, clientId: `everynode-test-sink-${randomUUID()}`, mode }),
  async subscribe(ctx, onMessage) {
    const subscriber = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `everynode-test-sub-${randomUUID()}` });
    // User properties become headers, `contentType` becomes `content-type` (as the MQTT source maps them).
    subscriber.on('message', (_topic, payload, packet) => onMessage({ body: payload, headers: mqttHeaders(packet.properties) }));
    await subscriber.subscribeAsync(ctx.topic, { qos: 1 });
    return async () => {
      await subscriber.endAsync();
    };
  },
  async teardown() {},
});
