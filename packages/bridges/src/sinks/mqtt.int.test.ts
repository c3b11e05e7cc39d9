/**
 * mqttSink against the shared Mosquitto (unique topics and client ids):
 * QoS 1 and the binding's user properties on what a subscriber gets; a
 * delivery waits for the PUBACK (held back by a TCP proxy); a PUBACK that
 * refuses for good (a private mosquitto whose ACL denies the topic) is a
 * `PermanentDeliveryError`; and (c) of the outbound contract against a
 * private mosquitto stopped and started again mid-stream.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/support/cluster.ts';
import { type PrivateServer, startPrivateMosquitto } from '../../../../test/support/private-server.ts';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.ts';
import { describeOutboundOutage } from '../outbound-contract.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';
import { mqttHeaders } from '../sources/mqtt.ts';
import { mqttSink, publishError } from './mqtt.ts';
import { sampleCommand } from '../outbound-contract.ts';

const BROKER = { host: '127.0.0.1', port: 1883 };
const url = process.env.MQTT_URL ?? `mqtt://${BROKER.host}:${BROKER.port}`;
let proxy: TcpProxy;
const sinks: CommandSink[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  proxy = await startTcpProxy(BROKER);
});
afterEach(async () => {
  proxy.release();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await proxy.close();
});

const unique = (kind: string) => `everynode-test/sink/${kind}/${randomUUID()}`;

function sink(topic: string, options: { mode?: 'binary' | 'structured'; url?: string } = {}): CommandSink {
  const s = mqttSink({ url: options.url ?? url, topic, clientId: unique('sink').replaceAll('/', '-'), timeoutMs: 2_000, ...(options.mode ? { mode: options.mode } : {}) });
  sinks.push(s);
  return s;
}

/** A QoS 1 subscriber on the shared broker, collecting the publish packets it gets. */
async function subscriber(topic: string): Promise<IPublishPacket[]> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: unique('sub').replaceAll('/', '-') });
  clients.push(c);
  const packets: IPublishPacket[] = [];
  c.on('message', (_topic, _payload, packet) => packets.push(packet));
  await c.subscribeAsync(topic, { qos: 1 });
  return packets;
}

const command = sampleCommand;

describe('mqttSink', () => {
  it('binary: QoS 1, the attributes as unprefixed user properties (specversion among them), contentType the data type', async () => {
    const topic = unique('binary');
    const packets = await subscriber(topic);
    await sink(topic).deliver(command('cmd-1'));
    const [packet] = await eventually(async () => packets.length > 0 && packets, 5_000, 'the message');
    expect(packet?.qos).toBe(1);
    expect(packet?.properties?.contentType).toBe('application/json');
    expect(packet?.properties?.userProperties).toEqual({
      specversion: '1.0',
      id: 'cmd-1',
      source: 'everynode/daemonset-controller',
      type: 'io.everynode.pod.delete',
      time: '2026-12-01T10:00:00.000Z',
      subject: 'worker01',
    });
    expect(JSON.parse(String(packet?.payload))).toEqual(command('cmd-1').data);
  });

  it('structured: QoS 1, the whole event, contentType application/cloudevents+json, no user properties', async () => {
    const topic = unique('structured');
    const packets = await subscriber(topic);
    await sink(topic, { mode: 'structured' }).deliver(command('cmd-2'));
    const [packet] = await eventually(async () => packets.length > 0 && packets, 5_000, 'the message');
    expect(packet?.qos).toBe(1);
    expect(mqttHeaders(packet?.properties)).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(JSON.parse(String(packet?.payload))).toEqual(command('cmd-2'));
  });

  it('resolves only on the PUBACK: the subscriber has the message, the PUBACK held back, the delivery still waits', async () => {
    const topic = unique('puback');
    const packets = await subscriber(topic);
    const s = sink(topic, { url: `mqtt://127.0.0.1:${proxy.port}` });
    await s.deliver(command('warm-up'));
    proxy.hold();
    let settled = false;
    const delivery = s.deliver(command('held')).finally(() => (settled = true));
    await eventually(async () => packets.some((p) => p.properties?.userProperties?.id === 'held'), 5_000, 'the held message at the subscriber');
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    proxy.release();
    await delivery;
  });

  it('a PUBACK refusing for good is a PermanentDeliveryError, another refusal a transient Error', () => {
    const refusal = (code: number) => new mqtt.ErrorWithReasonCode(`Publish error: ${code}`, code);
    for (const code of [0x87, 0x90, 0x95, 0x99]) expect(publishError(refusal(code))).toBeInstanceOf(PermanentDeliveryError);
    for (const code of [0x80, 0x83, 0x91, 0x97]) {
      const error = publishError(refusal(code));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    }
    expect(publishError(new Error('connection closed'))).not.toBeInstanceOf(PermanentDeliveryError);
  });

  describe('against a broker whose ACL denies the topic', () => {
    let broker: PrivateServer;
    beforeAll(async () => {
      broker = await startPrivateMosquitto((dir) => {
        const acl = join(dir, 'acl');
        writeFileSync(acl, 'topic readwrite allowed/#\n');
        return [`acl_file ${acl}`];
      });
    });
    afterAll(async () => {
      await broker.remove();
    });

    it('a PUBACK 0x87 (not authorized) is a PermanentDeliveryError; an allowed topic is delivered', async () => {
      const privateUrl = `mqtt://127.0.0.1:${broker.port}`;
      const error = await sink(`denied/${randomUUID()}`, { url: privateUrl })
        .deliver(command('denied'))
        .then(() => undefined, (e: unknown) => e as Error);
      expect(error).toBeInstanceOf(PermanentDeliveryError);
      expect(error?.message).toMatch(/Not authorized.*0x87/);
      await sink(`allowed/${randomUUID()}`, { url: privateUrl }).deliver(command('allowed'));
    });
  });
});

describe('with a private broker stopped and started again', () => {
  let broker: PrivateServer;
  beforeAll(async () => {
    broker = await startPrivateMosquitto();
  });
  afterAll(async () => {
    await broker.remove();
  });

  describeOutboundOutage<{ readonly topic: string }>('mqtt', {
    async setup(name) {
      return { topic: `everynode-test/sink-outage/${name}/${randomUUID()}` };
    },
    makeSink: (ctx, mode) => mqttSink({ url: `mqtt://127.0.0.1:${broker.port}`, topic: ctx.topic, mode, timeoutMs: 1_000, reconnectMs: 50 }),
    async subscribe(ctx, onMessage) {
      // A persistent session (saved by the broker across its restart) keeps what arrives while the subscriber reconnects.
      const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        protocolVersion: 5,
        clientId: `everynode-test-sub-${randomUUID()}`,
        clean: false,
        properties: { sessionExpiryInterval: 300 },
        reconnectPeriod: 50,
      });
      subscriber.on('error', () => undefined);
      subscriber.on('message', (_topic, payload, packet) => onMessage({ body: payload, headers: mqttHeaders(packet.properties) }));
      await subscriber.subscribeAsync(ctx.topic, { qos: 1 });
      return async () => {
        await subscriber.endAsync(true);
      };
    },
    down: () => broker.stop(),
    up: () => broker.start(),
    async teardown() {},
  });
});
