/**
 * mqttSource against the shared Mosquitto on 127.0.0.1:1883 (unique topics
 * and client ids per test), and against a private `mosquitto` this suite
 * starts, stops and starts again on the same port.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage, InboundSource } from '../source.ts';
import { mqttHeaders, mqttSource } from './mqtt.ts';
import { type PrivateServer, startPrivateMosquitto } from '../../../../test/support/private-server.ts';

const SHARED = 'mqtt://127.0.0.1:1883';
const logger = pino({ level: 'silent' });

const sources: InboundSource[] = [];
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

function unique(kind: string): string {
  return `everynode-test/${kind}/${randomUUID()}`;
}

function source(topic: string, clientId: string, inFlight?: number, url = SHARED): InboundSource {
  const s = mqttSource({ url, topic, clientId, logger, sessionExpirySeconds: 60, minBackoffMs: 50, maxBackoffMs: 400, ...(inFlight === undefined ? {} : { inFlight }) });
  sources.push(s);
  return s;
}

async function publisher(url = SHARED): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `pub-${randomUUID()}`, reconnectPeriod: 50 });
  clients.push(c);
  return c;
}

async function publish(c: MqttClient, topic: string, id: string, body = `{"n":"${id}"}`): Promise<void> {
  await c.publishAsync(topic, body, {
    qos: 1,
    properties: {
      contentType: 'application/json',
      userProperties: { specversion: '1.0', id, source: '/test', type: 'com.example.test' },
    },
  });
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('mqttHeaders', () => {
  it('lower-cases user property names, keeps repeated values, drops undefined ones, adds content-type', () => {
    const properties = {
      contentType: 'application/cloudevents+json',
      userProperties: { ID: 'e-1', dataschema: undefined, tag: ['a', 'b'] } as unknown as Record<string, string | string[]>,
    };
    expect(mqttHeaders(properties)).toEqual({ id: 'e-1', tag: ['a', 'b'], 'content-type': 'application/cloudevents+json' });
    expect(mqttHeaders(undefined)).toEqual({});
  });
});

describe('mqttSource (shared broker)', () => {
  it('maps a binary-mode CloudEvent: body, user properties, content-type, origin', async () => {
    const topic = unique('map');
    const got: InboundMessage[] = [];
    const s = source(topic, unique('sub'));
    await s.start(async (m) => {
      got.push(m);
    });
    expect(s.connected()).toBe(true);
    await publish(await publisher(), topic, 'e-1', '{"hello":"world"}');
    await until(() => got.length === 1, 'the message');
    const m = got[0]!;
    expect(Buffer.from(m.body).toString('utf8')).toBe('{"hello":"world"}');
    expect(m.headers).toEqual({ specversion: '1.0', id: 'e-1', source: '/test', type: 'com.example.test', 'content-type': 'application/json' });
    expect(m.origin.bus).toBe('mqtt');
    expect(m.origin.subject).toBe(topic);
    expect(m.origin.offset).toMatch(/^\d+$/);
  });

  it('a handler that rejects once gets the message again; resolved, it is not delivered a third time', async () => {
    const topic = unique('again');
    const seen: string[] = [];
    const s = source(topic, unique('sub'));
    await s.start(async (m) => {
      seen.push(String(m.headers.id));
      if (seen.length === 1) throw new Error('not yet');
    });
    const pub = await publisher();
    await publish(pub, topic, 'again');
    await until(() => seen.length === 2, 'the redelivery');
    // A later message arrives after anything the broker still had to resend.
    await publish(pub, topic, 'sentinel');
    await until(() => seen.includes('sentinel'), 'the sentinel');
    expect(seen.filter((id) => id === 'again')).toHaveLength(2);
  });

  it('never runs more than inFlight handlers at once', async () => {
    const topic = unique('bound');
    const bound = 3;
    let running = 0;
    let most = 0;
    const handled = new Set<string>();
    const s = source(topic, unique('sub'), bound);
    await s.start(async (m) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      handled.add(String(m.headers.id));
    });
    const pub = await publisher();
    await Promise.all(Array.from({ length: 12 }, (_, i) => publish(pub, topic, `p-${i}`)));
    await until(() => handled.size === 12, 'all twelve');
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(bound);
  });

  it('close() waits for the handler under way, and its message is acknowledged', async () => {
    const topic = unique('close');
    const clientId = unique('sub');
    const release = gate();
    const order: string[] = [];
    let started = false;
    const s = source(topic, clientId);
    await s.start(async () => {
      started = true;
      await release.wait;
      order.push('handler done');
    });
    const pub = await publisher();
    await publish(pub, topic, 'slow');
    await until(() => started, 'the handler to start');
    let closed = false;
    const closing = s.close().then(() => {
      closed = true;
      order.push('closed');
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    expect(s.connected()).toBe(false);
    release.open();
    await closing;
    expect(order).toEqual(['handler done', 'closed']);

    // The same session again: 'slow' was acknowledged, so only the new message comes.
    const seen: string[] = [];
    const again = source(topic, clientId);
    await again.start(async (m) => {
      seen.push(String(m.headers.id));
    });
    await publish(pub, topic, 'next');
    await until(() => seen.includes('next'), 'the next message');
    expect(seen).toEqual(['next']);
  });
});

describe('mqttSource (private broker, restarted)', () => {
  let broker: PrivateServer | undefined;

  afterAll(async () => {
    await broker?.remove();
  });

  it('reconnects by itself after the broker restarts; every message published is handled at least once', async () => {
    broker = await startPrivateMosquitto();
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const topic = unique('restart');
    const handled = new Set<string>();
    const s = source(topic, unique('sub'), 8, url);
    await s.start(async (m) => {
      handled.add(String(m.headers.id));
    });
    const pub = await publisher(url);
    await Promise.all(Array.from({ length: 5 }, (_, i) => publish(pub, topic, `before-${i}`)));
    await until(() => handled.size === 5, 'the first five');

    await broker.stop();
    await until(() => !s.connected() && !pub.connected, 'the source and the publisher to notice');
    // Published while the broker is down: the publisher sends them once it reconnects.
    const during = Promise.all(Array.from({ length: 5 }, (_, i) => publish(pub, topic, `during-${i}`)));
    await broker.start();
    await until(() => s.connected(), 'the source to reconnect');
    await during;
    await Promise.all(Array.from({ length: 5 }, (_, i) => publish(pub, topic, `after-${i}`)));
    await until(() => handled.size === 15, 'all fifteen');
    for (const phase of ['before', 'during', 'after']) for (let i = 0; i < 5; i++) expect(handled).toContain(`${phase}-${i}`);
  });
});
