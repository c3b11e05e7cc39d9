/**
 * The outbound bridge against a real engine and a real HTTP receiver: every
 * pod command arrives; a bridge stopped mid-stream and
 * started again resumes from its checkpoint — no command missing, and the
 * repeats (counted, dropped by id as a consumer would) are at most the pass
 * in flight; a receiver's 5xx is retried, its 4xx parks the command.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import { startOutboundBridge } from './outbound.ts';
import { webhookSink } from './sinks/webhook.ts';

const logger = pino({ level: 'silent' });
let engine: Engine;
let server: Server;
let url: string;
/** Every request's `ce-id`, in arrival order; and how the receiver should answer (status by command node). */
const received: string[] = [];
const answers = new Map<string, number[]>();
let delayMs = 0;

beforeAll(async () => {
  engine = await testEngine('outbound');
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const node = String(request.headers['ce-subject']);
      const status = answers.get(node)?.shift() ?? 200;
      if (status === 200) received.push(String(request.headers['ce-id']));
      setTimeout(() => response.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const join = (from: number, to: number) => engine.ingress.submit(Array.from({ length: to - from }, (_, i) => cloudEvent('io.everynode.node.joined', node(`n${from + i}`))), { wait: true });
const scheduled = async (n: number) => (await engine.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.currentNumberScheduled === n;
const bridge = () => startOutboundBridge({ name: 'hook', history: engine.history, checkpoints: engine.admin.checkpoints, ingress: engine.ingress, sink: webhookSink({ url }), pollMs: 20, backoffMs: 10, logger });

describe('outbound bridge to a webhook', () => {
  it('delivers every command once per id across a restart, retries a 5xx and parks a 4xx', async () => {
    const [ds] = fixture('fluentd-daemonset.yaml');
    await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });
    answers.set('n3', [503, 503]); // retried, then taken
    answers.set('n7', [400]); // refused for good: parked
    await join(0, 40);
    await eventually(() => scheduled(40), 20_000, '40 pods');

    delayMs = 5;
    const first = await bridge();
    await eventually(async () => received.length >= 10, 10_000, 'some deliveries');
    await first.close(); // mid-stream
    delayMs = 0;
    await join(40, 60);
    await eventually(() => scheduled(60), 20_000, '60 pods');
    const second = await bridge();
    // Every create command but the parked one (n7's) arrives.
    const expected = (await engine.history.readCommands({ after: 0, limit: 100_000 })).items.filter((i) => i.command.subject !== 'n7').map((i) => i.command.id);
    expect(expected).toHaveLength(59);
    await eventually(async () => expected.every((id) => received.includes(id)), 20_000, 'every command');
    await eventually(async () => (await engine.admin.checkpoints.get('hook')) === (await engine.history.lastSeq()), 10_000, 'the checkpoint at the end');
    await second.close();

    const repeats = received.length - new Set(received).size;
    expect(new Set(received).size).toBe(59);
    // Only the pass in flight at the stop is sent again (the 40 nodes' pass has 40 commands).
    expect(repeats).toBeLessThanOrEqual(40);
    expect([...new Set(received)].sort()).toEqual([...expected].sort());
    const parked = (await engine.admin.deadLetters.list()).items;
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ kind: 'parked', origin: { bus: 'webhook', subject: url }, event: { subject: 'n7', type: 'io.everynode.pod.create' } });
    expect(parked[0]?.reason).toContain('HTTP 400');
    // n3's two 503s were answered, and its command retried until taken.
    expect(answers.get('n3')).toEqual([]);
  });
});
