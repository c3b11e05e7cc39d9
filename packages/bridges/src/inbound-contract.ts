/**
 * The promises every inbound source keeps, as a vitest suite a source's
 * integration test runs against its real bus:
 *
 * (a) the seed (six nodes and the fluentd DaemonSet) as CloudEvents, each
 *     message twice and shuffled, half binary and half structured → each
 *     `(source, id)` once in the log, and one fluentd pod per node;
 * (b) 1,000 malformed messages (bad JSON, a missing attribute, an unknown
 *     type) among good ones → each malformed one in the dead-letter queue
 *     with its reason and origin, each good one in the log;
 * (c) the engine failing a message once → the bus delivers it again, and it
 *     is in the log once;
 * (d) the bridge process (`services/bridge`) SIGKILLed mid-stream and
 *     started again, 600 events published around it → each in the log
 *     once, no dead letters (for a driver that gives `processConfig`).
 *
 * Test support only: it drives an engine through `test/support`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '@everynode/agent';
import type { EventIngress } from '@everynode/engine';
import { cloudEvent, destroyPrefix, type Engine, eventually, fixture, quietLogger, redisUrl, testAgent, testEngine } from '../../../test/support/cluster.ts';
import { inboundHandler } from './in-bridge.ts';
import type { InboundSource, MessageHandler } from './source.ts';
import { shuffled } from '../../../test/support/random.ts';

/** A message to publish: bytes and headers, as the bus's producer would send them. */
export interface OutboundTestMessage {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InboundContractDriver<C> {
  /** Fresh bus resources (stream, subject, consumer names) for one test. */
  setup(name: string): Promise<C>;
  /** A source over those resources; `redeliveryMs` is the delay the test wants before a rejected message comes again. */
  makeSource(ctx: C, options: { maxInFlight: number; redeliveryMs: number }): InboundSource;
  publish(ctx: C, message: OutboundTestMessage): Promise<void>;
  /** Delete what `setup` made. */
  teardown(ctx: C): Promise<void>;
  /**
   * The bridge process's configuration (its YAML, and any environment its
   * credentials come from) for one inbound bridge over those resources,
   * redelivering within a second or two what a killed process had in hand.
   * Without it (a bus the process cannot run), (d) is left out.
   */
  processConfig?(ctx: C): { readonly yaml: string; readonly env?: Readonly<Record<string, string>> };
  /** The bus name the source puts in an origin. */
  readonly bus: string;
  /**
   * How many published messages the broker keeps for a consumer that has
   * not taken them yet, where it drops the rest (Mosquitto's
   * `max_queued_messages`, 1,000 by default): (b) then publishes no further
   * ahead of the consumer than this. None: the bus keeps them all.
   */
  readonly brokerQueueLimit?: number;
}

const encoder = new TextEncoder();
type Ev = ReturnType<typeof cloudEvent>;

/** A CloudEvent as a message, structured (the whole event as the body) or binary (`ce-` headers, data as the body). */
export function asMessage(event: Ev, mode: 'binary' | 'structured'): OutboundTestMessage {
  if (mode === 'structured') return { body: encoder.encode(JSON.stringify(event)), headers: { 'content-type': 'application/cloudevents+json' } };
  const { data, ...attributes } = event;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(attributes)) headers[`ce-${k}`] = String(v);
  return { body: encoder.encode(JSON.stringify(data)), headers };
}

/** Every event entry of the log, as `source id`. */
async function loggedEvents(engine: Engine): Promise<string[]> {
  const out: string[] = [];
  let after = 0;
  for (;;) {
    const page = await engine.history.readLog({ after, limit: 500 });
    if (page.length === 0) return out;
    for (const entry of page) {
      if (entry.kind === 'event') out.push(`${entry.event.source} ${entry.event.id}`);
      after = entry.seq;
    }
  }
}

const bridgeProcess = fileURLToPath(new URL('../../../services/bridge/dist/main.mjs', import.meta.url));

/** The bridge process over `prefix`; resolves once it says its bridge started. */
async function startBridgeProcess(config: { yaml: string; env?: Readonly<Record<string, string>> }, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bridgeProcess], {
    env: { ...process.env, ...config.env, EVERYNODE_BRIDGES: config.yaml, REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    if (!output.includes('bridge started')) output += d.toString();
  });
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`the bridge process exited with ${child.exitCode}: ${output}`);
    return output.includes('bridge started');
  }, 30_000, 'the bridge process to start');
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function deadLetters(engine: Engine) {
  const jobs = await engine.queues.deadLetter.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'], 0, -1);
  return jobs.map((j) => j.data);
}

export function describeInboundContract<C>(name: string, driver: InboundContractDriver<C>): void {
  describe(`inbound contract — ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** An engine on its own prefix, and fresh bus resources. */
    async function resources(test: string) {
      const engine = await testEngine(`bridge-${name}-${test}`);
      cleanups.push(async () => {
        await engine.close();
        await destroyPrefix(engine.prefix);
      });
      const ctx = await driver.setup(`${test}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
      cleanups.push(() => driver.teardown(ctx));
      return { engine, ctx };
    }

    async function harness(test: string, handlerFor: (engine: Engine) => MessageHandler = (e) => inboundHandler(e.ingress, { logger: quietLogger })) {
      const { engine, ctx } = await resources(test);
      const source = driver.makeSource(ctx, { maxInFlight: 8, redeliveryMs: 300 });
      await source.start(handlerFor(engine));
      cleanups.push(() => source.close());
      expect(source.connected()).toBe(true);
      return { engine, ctx, source };
    }

    it('(a) the seed, each message twice and shuffled: each event logged once, one pod per node', async () => {
      const { engine, ctx } = await harness('seed');
      const agent: Agent = await testAgent(engine);
      cleanups.push(() => agent.close());
      const run = `${Date.now().toString(36)}`;
      const events = [
        ...fixture('cluster-6-nodes.yaml').map((n, i) => cloudEvent('io.everynode.node.joined', n, { id: `node-${i}-${run}`, source: `bridge-test/${name}` })),
        cloudEvent('io.everynode.daemonset.applied', fixture('fluentd-daemonset.yaml')[0], { id: `ds-${run}`, source: `bridge-test/${name}` }),
      ];
      const messages = shuffled(events.flatMap((e, i) => [asMessage(e, i % 2 === 0 ? 'binary' : 'structured'), asMessage(e, i % 2 === 0 ? 'structured' : 'binary')]), 7);
      for (const m of messages) await driver.publish(ctx, m);
      const pods = await eventually(async () => {
        const all = (await engine.reader.listPods('kube-system')).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
        return all.length === 6 && all;
      }, 25_000, 'six running fluentd pods');
      expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
      const logged = (await loggedEvents(engine)).filter((e) => e.startsWith('bridge-test/'));
      expect(logged.sort()).toEqual(events.map((e) => `${e.source} ${e.id}`).sort());
      expect(await deadLetters(engine)).toEqual([]);
    });

    it('(b) 1,000 malformed messages among good ones: each parked with reason and origin, each good one logged', async () => {
      const { engine, ctx } = await harness('malformed');
      const source = `bridge-test/${name}`;
      const good: Ev[] = [];
      const messages: { message: OutboundTestMessage; bad?: string }[] = [];
      for (let i = 0; i < 1000; i++) {
        const ok = cloudEvent('io.everynode.node.joined', { metadata: { name: `good-${i % 40}` } }, { id: `good-${i}`, source });
        if (i % 5 === 0) {
          good.push(ok);
          messages.push({ message: asMessage(ok, i % 2 === 0 ? 'binary' : 'structured') });
        }
        const kind = i % 3;
        if (kind === 0) messages.push({ bad: `bad-json-${i}`, message: { body: encoder.encode(`{"id": "bad-json-${i}", `), headers: { 'ce-specversion': '1.0', 'ce-id': `bad-json-${i}`, 'content-type': 'application/json' } } });
        else if (kind === 1) {
          const { source: _s, ...missing } = cloudEvent('io.everynode.node.joined', { metadata: { name: 'x' } }, { id: `no-source-${i}` });
          messages.push({ bad: `no-source-${i}`, message: { body: encoder.encode(JSON.stringify(missing)), headers: { 'content-type': 'application/cloudevents+json' } } });
        } else messages.push({ bad: `unknown-${i}`, message: asMessage(cloudEvent('io.example.unknown', { x: i }, { id: `unknown-${i}`, source }), 'binary') });
      }
      const handled = async () => (await deadLetters(engine)).length + (await loggedEvents(engine)).length;
      for (const [i, { message }] of messages.entries()) {
        // Never further ahead of the consumer than the broker keeps (half of it, for the slack).
        if (driver.brokerQueueLimit !== undefined && i > 0 && i % (driver.brokerQueueLimit / 2) === 0) {
          await eventually(async () => (await handled()) >= i - driver.brokerQueueLimit! / 2, 60_000, `the consumer within ${driver.brokerQueueLimit! / 2} of the publisher`);
        }
        await driver.publish(ctx, message);
      }
      const parked = await eventually(async () => {
        const all = await deadLetters(engine);
        return all.length >= 1000 && all;
      }, 60_000, '1,000 dead letters');
      expect(parked).toHaveLength(1000);
      for (const letter of parked) {
        expect(letter.reason.length).toBeGreaterThan(0);
        expect(letter.origin).toMatchObject({ bus: driver.bus, subject: expect.any(String), offset: expect.any(String) });
      }
      expect(parked.filter((l) => l.reason.startsWith('body: not a JSON document'))).toHaveLength(messages.filter((m) => m.bad?.startsWith('bad-json')).length);
      const logged = await eventually(async () => {
        const all = await loggedEvents(engine);
        return all.length >= good.length && all;
      }, 15_000, 'the good events in the log');
      expect(logged.sort()).toEqual(good.map((e) => `${e.source} ${e.id}`).sort());
    }, 90_000);

    it('(c) the engine failing a message once: delivered again, logged once', async () => {
      const attempts = new Map<string, number>();
      const { engine, ctx } = await harness('redeliver', (e) => {
        const flaky: Pick<EventIngress, 'submit' | 'park' | 'backlog'> = {
          backlog: () => e.ingress.backlog(),
          park: (m, r, o) => e.ingress.park(m, r, o),
          submit: async (events, options) => {
            const id = (events[0] as { id: string }).id;
            const n = (attempts.get(id) ?? 0) + 1;
            attempts.set(id, n);
            if (n === 1) throw new Error('engine unreachable (injected)');
            return e.ingress.submit(events, options);
          },
        };
        return inboundHandler(flaky, { logger: quietLogger });
      });
      const events = [0, 1, 2].map((i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `flaky-${i}` } }, { id: `flaky-${i}-${Date.now()}`, source: `bridge-test/${name}` }));
      for (const e of events) await driver.publish(ctx, asMessage(e, 'binary'));
      const logged = await eventually(async () => {
        const all = await loggedEvents(engine);
        return all.length >= 3 && all;
      }, 20_000, 'the three events after redelivery');
      expect(logged.sort()).toEqual(events.map((e) => `${e.source} ${e.id}`).sort());
      for (const e of events) expect(attempts.get(e.id)).toBeGreaterThanOrEqual(2);
      expect((await engine.reader.listNodes()).map((n) => n.metadata.name).sort()).toEqual(['flaky-0', 'flaky-1', 'flaky-2']);
    });

    const processConfig = driver.processConfig?.bind(driver);
    if (processConfig) {
      it('(d) the bridge process SIGKILLed mid-stream and started again: each event logged once, none lost', async () => {
        const { engine, ctx } = await resources('sigkill');
        const config = processConfig(ctx);
        let child = await startBridgeProcess(config, engine.prefix);
        cleanups.push(() => kill(child));
        const run = Date.now().toString(36);
        const events = Array.from({ length: 600 }, (_, i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `kill-${i % 50}` } }, { id: `kill-${i}-${run}`, source: `bridge-test/${name}` }));
        // Published while the process runs; it is killed once some (not all) are in the log, and the rest wait on the bus.
        const publishing = (async () => {
          for (const [i, e] of events.entries()) await driver.publish(ctx, asMessage(e, i % 2 === 0 ? 'binary' : 'structured'));
        })();
        await eventually(async () => (await engine.history.lastSeq()) >= 20, 30_000, 'the first events in the log');
        await kill(child);
        const atKill = (await loggedEvents(engine)).length;
        expect(atKill).toBeGreaterThan(0);
        expect(atKill).toBeLessThan(600);
        await publishing;
        child = await startBridgeProcess(config, engine.prefix);
        const logged = await eventually(async () => {
          const all = await loggedEvents(engine);
          return all.length >= 600 && all;
        }, 60_000, 'all 600 events in the log');
        // Anything redelivered late is absorbed, never logged a second time.
        await new Promise((r) => setTimeout(r, 1500));
        expect((await loggedEvents(engine)).sort()).toEqual(events.map((e) => `${e.source} ${e.id}`).sort());
        expect(logged).toHaveLength(600);
        expect(await deadLetters(engine)).toEqual([]);
      }, 120_000);
    }
  });
}
