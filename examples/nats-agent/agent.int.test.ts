/**
 * The NATS-only agent against real JetStream, fed commands encoded as the
 * outbound bridge encodes them: it reads both content modes, reports with
 * ids derived from the commands', drops a command seen before, calls off a
 * start when the pod is deleted first, and resumes after a restart from its
 * durable consumer without doing anything twice.
 */
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PodCommand } from '@everynode/api';
import { type ContentMode, encodeCommand } from '@everynode/bridges';
import { eventually } from '../../test/support/cluster.ts';
import { storedMessages } from '../../test/support/jetstream.ts';
import { type NatsAgent, startNatsAgent } from './agent.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers });
});
afterAll(async () => {
  await nc.close();
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Fresh streams for one test, deleted after it; the agent's options for them. */
async function setup(test: string) {
  const id = `${test}_${process.pid}_${Date.now().toString(36)}`;
  const names = { commandsStream: `TEST_AGENT_CMD_${id}`, commandsSubject: `test.nats-agent.${id}.commands`, eventsStream: `TEST_AGENT_EVT_${id}`, eventsSubject: `test.nats-agent.${id}.events` };
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: names.eventsStream, subjects: [names.eventsSubject] });
  cleanups.push(async () => {
    for (const stream of [names.commandsStream, names.eventsStream]) await jsm.streams.delete(stream).catch(() => false);
  });
  const start = async (startDelayMs = 10): Promise<NatsAgent> => {
    const agent = await startNatsAgent({ servers, commands: { stream: names.commandsStream, subject: names.commandsSubject }, eventsSubject: names.eventsSubject, durable: 'agent', startDelayMs });
    cleanups.push(() => agent.close());
    return agent;
  };
  /** Publish `command` as the outbound bridge would; `msgID` unset so the bus keeps repeats (the agent must drop them). */
  const send = async (command: PodCommand, mode: ContentMode = 'binary') => {
    const { headers, body } = encodeCommand(command, mode);
    const h = natsHeaders();
    for (const [key, value] of Object.entries(headers)) h.set(key, value);
    await jetstream(nc).publish(names.commandsSubject, body, { headers: h });
  };
  const events = async () =>
    (await storedMessages(nc, names.eventsStream)).map((m) => ({ id: m.header.get('ce-id'), type: m.header.get('ce-type'), msgId: m.header.get('Nats-Msg-Id'), data: m.json<Record<string, unknown>>() }));
  return { start, send, events };
}

const create = (id: string, pod: string, node = 'node-1'): PodCommand => ({
  specversion: '1.0',
  id,
  source: 'everynode/test',
  type: 'io.everynode.pod.create',
  subject: node,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  data: { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: pod }, spec: { containers: [{ name: 'c', image: 'i' }] } },
});
const remove = (id: string, pod: string, node = 'node-1'): PodCommand => ({
  specversion: '1.0',
  id,
  source: 'everynode/test',
  type: 'io.everynode.pod.delete',
  subject: node,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  data: { metadata: { namespace: 'default', name: pod }, spec: { nodeName: node }, reason: 'test' },
});

describe('the NATS-only agent', () => {
  it('carries out commands in both content modes, reporting with ids derived from the commands', async () => {
    const { start, send, events } = await setup('modes');
    const agent = await start();
    await send(create('c1', 'p1', 'node-a'), 'binary');
    await send(create('c2', 'p2', 'node-b'), 'structured');
    await eventually(async () => (await events()).length === 2, 10_000, 'both pods started');
    await send(remove('d1', 'p1', 'node-a'), 'binary');
    const got = await eventually(async () => {
      const e = await events();
      return e.length === 3 && e;
    }, 10_000, 'three events');
    const byId = new Map(got.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual(['c1/status', 'c2/status', 'd1/deleted']);
    expect(got.every((e) => e.msgId === e.id)).toBe(true);
    expect(byId.get('c2/status')).toMatchObject({ type: 'io.everynode.pod.status', data: { metadata: { name: 'p2' }, spec: { nodeName: 'node-b' }, status: { phase: 'Running' } } });
    expect(byId.get('d1/deleted')).toMatchObject({ type: 'io.everynode.pod.deleted', data: { metadata: { namespace: 'default', name: 'p1' } } });
    expect(agent.executed).toBe(3);
  });

  it('drops a command seen before, and calls off a start when the pod is deleted first', async () => {
    const { start, send, events } = await setup('dedupe');
    const agent = await start(500);
    await send(create('c1', 'p1'));
    await send(create('c1', 'p1'));
    await send(remove('d1', 'p1'));
    await eventually(async () => agent.executed === 2 && agent.duplicates === 1, 10_000, 'two commands carried out, one dropped');
    await new Promise((r) => setTimeout(r, 700)); // past the start delay: no status may follow
    expect((await events()).map((e) => e.id)).toEqual(['d1/deleted']);
  });

  it('stopped and started again, resumes from its durable consumer and does nothing twice', async () => {
    const { start, send, events } = await setup('restart');
    const first = await start();
    for (let i = 0; i < 10; i++) await send(create(`c${i}`, `p${i}`));
    await eventually(async () => first.executed === 10, 10_000, 'the first ten');
    await first.close();
    for (let i = 10; i < 20; i++) await send(create(`c${i}`, `p${i}`));
    const second = await start();
    await eventually(async () => (await events()).length >= 20, 10_000, 'twenty events');
    await new Promise((r) => setTimeout(r, 200));
    expect((await events()).map((e) => e.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}/status`).sort());
    expect(second.executed).toBe(10);
  });
});
