/**
 * The promises every outbound sink keeps, as a vitest suite a sink's
 * integration test runs against its real bus (or receiver):
 *
 * (a) in each content mode, every pod command of the log (creates for 30
 *     nodes, then the deletes of a DaemonSet deleted) arrives, each node's
 *     in log order, and reads back — through the inbound decoder, the same binding — as
 *     the same CloudEvent;
 * (b) the bridge stopped mid-stream and started again resumes from its
 *     checkpoint: after dropping repeats by id, as a consumer would, each
 *     command arrived exactly once, each node's in log order; the repeats (counted) are
 *     at most the pass that was in flight;
 * (c) `describeOutboundOutage`, for a bus a test can take away (a private
 *     broker stopped, or a proxy cutting it off): the bridge's deliveries
 *     fail and are retried, and once the bus is back every command arrives,
 *     each node's in log order after dropping repeats by id; no credential
 *     is logged.
 *
 * Test support only: it drives an engine through `test/support`.
 */
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodCommand } from '@everynode/api';
import { cloudEvent, destroyPrefix, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import { decodeMessage } from './decode.ts';
import { type CommandSink, startOutboundBridge } from './outbound.ts';
import type { InboundMessage } from './source.ts';

/** A message as a consumer of the bus received it. */
export type ReceivedMessage = Pick<InboundMessage, 'body' | 'headers'>;

export interface OutboundContractDriver<C> {
  /** Fresh bus resources (subject, queue, topic, stream) for one test. */
  setup(name: string): Promise<C>;
  makeSink(ctx: C, mode: 'binary' | 'structured'): CommandSink;
  /** A consumer, ready before anything is sent, handing over every message in arrival order; resolves to its stop. */
  subscribe(ctx: C, onMessage: (message: ReceivedMessage) => void): Promise<() => Promise<void>>;
  /** Delete what `setup` made. */
  teardown(ctx: C): Promise<void>;
}

const silent = pino({ level: 'silent' });
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });

/** A delete command as the engine writes one, with id `id`: a fixture for the sinks' own tests. */
export const sampleCommand = (id: string): PodCommand => ({
  specversion: '1.0',
  id,
  source: 'everynode/daemonset-controller',
  type: 'io.everynode.pod.delete',
  time: '2026-12-01T10:00:00.000Z',
  subject: 'worker01',
  datacontenttype: 'application/json',
  data: { metadata: { namespace: 'kube-system', name: 'p' }, spec: { nodeName: 'worker01' }, reason: 'NodeRemoved' },
});

/** The command a received message carries, decoded as the inbound bridges decode. */
function commandOf(message: ReceivedMessage): PodCommand {
  const decoded = decodeMessage({ ...message, origin: { bus: 'test', subject: 'test' } });
  if (!decoded.ok) throw new Error(`a received message does not decode: ${decoded.reason}`);
  return decoded.event as PodCommand;
}

/** The attributes and data every binding must carry across. */
const essence = (c: PodCommand) => ({ specversion: c.specversion, id: c.id, source: c.source, type: c.type, subject: c.subject, time: c.time, data: c.data });

/** Commands by node, each node's in the order given: the order a sink promises. */
function byNode<T extends { subject: string }>(commands: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const c of commands) out.set(c.subject, [...(out.get(c.subject) ?? []), c]);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** What a consumer keeps when it drops repeats by id: the first of each. */
function deduped(commands: readonly PodCommand[]): PodCommand[] {
  const seen = new Set<string>();
  return commands.filter((c) => !seen.has(c.id) && seen.add(c.id));
}

/** An engine with a DaemonSet applied, fresh bus resources and a consumer of them, all cleaned up by `cleanups`. */
async function startHarness<C>(name: string, driver: OutboundContractDriver<C>, test: string, cleanups: (() => Promise<void>)[], logger: Logger = silent) {
  const engine = await testEngine(`out-${name}-${test}`);
  cleanups.push(async () => {
    await engine.close();
    await destroyPrefix(engine.prefix);
  });
  const ctx = await driver.setup(`${test}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  cleanups.push(() => driver.teardown(ctx));
  const received: ReceivedMessage[] = [];
  const stop = await driver.subscribe(ctx, (m) => received.push(m));
  cleanups.push(stop);
  const [ds] = fixture('fluentd-daemonset.yaml');
  const scheduled = async (n: number) => (await engine.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.currentNumberScheduled === n;
  const join = async (from: number, to: number) => {
    await engine.ingress.submit(Array.from({ length: to - from }, (_, i) => cloudEvent('io.everynode.node.joined', node(`${test}-n${from + i}`))), { wait: true });
    await eventually(() => scheduled(to), 20_000, `${to} pods scheduled`);
  };
  const bridge = (mode: 'binary' | 'structured' = 'binary') =>
    startOutboundBridge({ name: `contract-${test}`, history: engine.history, checkpoints: engine.admin.checkpoints, ingress: engine.ingress, sink: driver.makeSink(ctx, mode), pollMs: 20, backoffMs: 10, maxBackoffMs: 200, logger });
  const commands = async () => (await engine.history.readCommands({ after: 0, limit: 100_000 })).items.map((i) => i.command);
  await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });
  return { engine, ctx, received, join, bridge, commands, ds: ds as { metadata: { namespace: string; name: string } } };
}

export function describeOutboundContract<C>(name: string, driver: OutboundContractDriver<C>): void {
  describe(`outbound contract — ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    const harness = (test: string) => startHarness(name, driver, test, cleanups);

    for (const mode of ['binary', 'structured'] as const) {
      it(`(a) ${mode}: every command arrives, each node's in log order, and reads back as the same CloudEvent`, async () => {
        const { engine, received, join, bridge, commands, ds } = await harness(mode);
        await join(0, 30);
        await engine.ingress.submit([cloudEvent('io.everynode.daemonset.deleted', { metadata: ds.metadata })], { wait: true });
        const all = await eventually(async () => {
          const c = await commands();
          return c.filter((x) => x.type === 'io.everynode.pod.delete').length === 30 && c;
        }, 20_000, '30 delete commands');
        const running = await bridge(mode);
        cleanups.push(() => running.close());
        await eventually(async () => received.length >= all.length, 20_000, `${all.length} messages`);
        const got = received.map(commandOf);
        expect(got).toHaveLength(all.length);
        expect(byNode(got.map(essence))).toEqual(byNode(all.map(essence)));
        expect(new Set(got.map((c) => c.type))).toEqual(new Set(['io.everynode.pod.create', 'io.everynode.pod.delete']));
      });
    }

    it('(b) stopped mid-stream and started again: each command exactly once after dedupe by id, repeats at most the pass in flight', async () => {
      const { received, join, bridge, commands } = await harness('restart');
      await join(0, 40);
      const first = await bridge();
      await eventually(async () => received.length >= 5, 20_000, 'some deliveries');
      await first.close(); // mid-stream, most likely inside the 40-command pass
      await join(40, 60);
      const second = await bridge();
      cleanups.push(() => second.close());
      const expected = await commands();
      expect(expected).toHaveLength(60);
      const got = () => received.map(commandOf);
      await eventually(async () => deduped(got()).length >= expected.length, 20_000, 'every command');
      const all = got();
      const kept = deduped(all);
      expect(byNode(kept.map(essence))).toEqual(byNode(expected.map(essence)));
      const repeats = all.length - kept.length;
      expect(repeats).toBeLessThanOrEqual(40);
    });
  });
}

/** A driver whose bus can be taken away from the sink and brought back (a broker stopped, or cut off by a proxy). */
export interface OutageDriver<C> extends OutboundContractDriver<C> {
  /** The sink can no longer reach the bus. */
  down(ctx: C): Promise<void>;
  /** It can again; the consumer given to `subscribe` is expected to carry on by itself. */
  up(ctx: C): Promise<void>;
  /** A credential in the sink's URL, which must never reach the bridge's log. */
  readonly secret?: string;
}

/**
 * (c) The bus going away mid-stream: the bridge's deliveries fail (logged,
 * retried with backoff), and once the bus is back it carries on — after
 * dropping repeats by id, every command arrived, each node's in log order.
 */
export function describeOutboundOutage<C>(name: string, driver: OutageDriver<C>): void {
  describe(`outbound outage — ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("(c) the bus going away mid-stream: the bridge retries and carries on; every command arrives, each node's in log order after dedupe by id", async () => {
      const log: string[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => log.push(line) });
      const { ctx, received, join, bridge, commands } = await startHarness(name, driver, 'outage', cleanups, logger);
      await join(0, 20);
      const running = await bridge();
      cleanups.push(() => running.close());
      await eventually(async () => received.length >= 5, 20_000, 'some deliveries');
      await driver.down(ctx);
      await join(20, 40); // delivered to a bus that is not there
      const failures = () => log.filter((line) => line.includes('delivery failed: retrying')).length;
      await eventually(async () => failures() >= 3, 20_000, 'deliveries failing and retried');
      await driver.up(ctx);
      await join(40, 50);
      const expected = await commands();
      expect(expected).toHaveLength(50);
      const got = () => received.map(commandOf);
      await eventually(async () => deduped(got()).length >= expected.length, 30_000, 'every command');
      expect(byNode(deduped(got()).map(essence))).toEqual(byNode(expected.map(essence)));
      // The sink's confirmations may trail the consumer's receipt.
      await eventually(async () => running.delivered >= 50, 10_000, 'every delivery confirmed');
      if (driver.secret !== undefined) expect(log.join('\n')).not.toContain(driver.secret);
    });
  });
}
