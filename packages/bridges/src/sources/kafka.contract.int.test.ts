/**
 * The Kafka source against the in-memory partitioned log (no broker here;
 * `kafka.live.int.test.ts` runs the same contract against a real one): the
 * inbound contract, and the offset rules — the handled prefix committed per
 * partition, a failed message read again from itself, a crashed consumer's
 * uncommitted messages read again by the group's next, a key's events in
 * order, at most `maxInFlight` handlers at once, the key as `partitionkey`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventIngress } from '@everynode/engine';
import { cloudEvent, destroyPrefix, type Engine, eventually, quietLogger, testEngine } from '../../../../test/support/cluster.ts';
import { MemoryKafka, type MemoryConsumer } from '../../../../test/support/memory-kafka.ts';
import { inboundHandler } from '../in-bridge.ts';
import { asMessage, describeInboundContract, type OutboundTestMessage } from '../inbound-contract.ts';
import type { InboundSource, MessageHandler } from '../source.ts';
import { kafkaSource } from './kafka.ts';

const memory = new MemoryKafka();
let topics = 0;

/** A test message on Kafka: the binding's `ce_` prefix instead of `ce-`. */
function record(message: OutboundTestMessage, key?: string, partition?: number) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name.replace(/^ce-/, 'ce_')] = value;
  return { value: Buffer.from(message.body), headers, ...(key === undefined ? {} : { key }), ...(partition === undefined ? {} : { partition }) };
}

describeInboundContract<{ readonly topic: string; readonly group: string }>('kafka (in-memory log)', {
  bus: 'kafka',
  async setup(name) {
    const topic = `test-bridge-${name}`;
    memory.createTopic(topic, 4);
    return { topic, group: `everynode-${name}` };
  },
  makeSource(ctx, { maxInFlight, redeliveryMs }) {
    return kafkaSource({ kafka: memory, topic: ctx.topic, group: ctx.group, maxInFlight, redeliveryMs, logger: quietLogger });
  },
  async publish(ctx, message) {
    const producer = memory.producer();
    await producer.connect();
    await producer.send({ topic: ctx.topic, acks: -1, messages: [record(message)] });
  },
  async teardown(ctx) {
    memory.deleteTopic(ctx.topic);
  },
});

describe('kafka source — offsets and order (in-memory log)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(name: string, partitions = 2) {
    const engine = await testEngine(`kafka-${name}`);
    cleanups.push(async () => {
      await engine.close();
      await destroyPrefix(engine.prefix);
    });
    const topic = `test-kafka-${name}-${process.pid}-${++topics}-${Date.now().toString(36)}`;
    memory.createTopic(topic, partitions);
    cleanups.push(async () => memory.deleteTopic(topic));
    const group = `group-${topic}`;
    const producer = memory.producer();
    await producer.connect();
    const send = async (events: ReturnType<typeof cloudEvent>[], at: (i: number) => { key?: string; partition?: number }) => {
      await producer.send({ topic, messages: events.map((e, i) => record(asMessage(e, i % 2 === 0 ? 'binary' : 'structured'), at(i).key, at(i).partition)) });
    };
    /** Consumers the source makes, kept so a test can crash one. */
    const consumers: MemoryConsumer[] = [];
    const kafka = {
      consumer: (config: Parameters<MemoryKafka['consumer']>[0]) => {
        const c = memory.consumer(config);
        consumers.push(c);
        return c;
      },
    };
    const start = async (handler: MessageHandler, maxInFlight = 8) => {
      const source: InboundSource = kafkaSource({ kafka, topic, group, maxInFlight, redeliveryMs: 200, logger: quietLogger });
      await source.start(handler);
      cleanups.push(() => source.close());
      return source;
    };
    const committed = (partition: number) => Number(memory.committed(group, topic, partition) ?? -1);
    return { engine, topic, group, send, start, committed, consumers };
  }

  const events = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `${prefix}-${i % 5}` } }, { id: `${prefix}-${i}-${Date.now()}`, source: 'bridge-test/kafka' }));

  async function logged(engine: Engine): Promise<string[]> {
    const out: string[] = [];
    for (let after = 0; ; ) {
      const page = await engine.history.readLog({ after, limit: 500 });
      if (page.length === 0) return out;
      for (const entry of page) {
        if (entry.kind === 'event') out.push(entry.event.id);
        after = entry.seq;
      }
    }
  }

  it('a message failing in partition 0 holds back the commit of partition 0 (at that message) but not of partition 1; read again from it, never skipped', async () => {
    const { engine, send, start, committed } = await setup('holdback');
    const all = events('hold', 20);
    const stuck = all[3]!;
    let failing = true;
    const attempts = new Map<string, number>();
    const real = inboundHandler(engine.ingress, { logger: quietLogger });
    await start(async (m) => {
      const id = idOf(m);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      if (failing && id === stuck.id) throw new Error('engine unreachable (injected)');
      await real(m);
    });
    // Events 0..9 to partition 0 (the fourth one fails), 10..19 to partition 1.
    await send(all, (i) => ({ partition: i < 10 ? 0 : 1 }));
    await eventually(async () => committed(1) === 10, 10_000, 'partition 1 committed to its end');
    await eventually(async () => (attempts.get(stuck.id) ?? 0) >= 3, 10_000, 'the failing message read again twice');
    expect(committed(0)).toBe(3); // the next to read: the failing one
    failing = false;
    await eventually(async () => committed(0) === 10, 10_000, 'partition 0 committed to its end');
    expect((await logged(engine)).sort()).toEqual(all.map((e) => e.id).sort());
    for (const e of all.slice(0, 3)) expect(attempts.get(e.id)).toBe(1); // the prefix before it was not read again
  });

  it('after a consumer crash the group’s next consumer reads again from the last committed offset: nothing lost, what is read again logged once', async () => {
    const { engine, send, start, committed, consumers } = await setup('crash');
    const all = events('crash', 30);
    const p0 = all.slice(0, 20);
    const p1 = all.slice(20);
    const real = inboundHandler(engine.ingress, { logger: quietLogger });
    const firstSaw = new Set<string>();
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const blocker = p0[12]!.id;
    const first = await start(async (m) => {
      const id = idOf(m);
      if (id === blocker) {
        await blocked; // the process dies with this one in hand
        throw new Error('crashed');
      }
      await real(m);
      firstSaw.add(id);
    });
    await send([...p0.slice(0, 6), ...p1], (i) => ({ partition: i < 6 ? 0 : 1 }));
    await eventually(async () => committed(0) === 6 && committed(1) === 10, 10_000, 'the first six of partition 0 and all of partition 1 committed');
    await send(p0.slice(6), () => ({ partition: 0 }));
    await eventually(async () => p0.slice(6, 12).every((e) => firstSaw.has(e.id)), 10_000, 'the first consumer handled the ones before the blocker');
    expect(committed(0)).toBe(6); // handled, not committed: their batch is not done
    consumers[0]!.crash();
    expect(first.connected()).toBe(false);
    release();
    const secondSaw: string[] = [];
    await start(async (m) => {
      secondSaw.push(idOf(m));
      await real(m);
    });
    await eventually(async () => committed(0) === 20, 10_000, 'partition 0 committed to its end by the next consumer');
    // It began at the committed offset — what the first had handled without committing, and the rest — and read nothing of partition 1.
    expect(secondSaw).toEqual(p0.slice(6).map((e) => e.id));
    expect(p0.slice(6, 12).every((e) => firstSaw.has(e.id))).toBe(true);
    expect((await logged(engine)).sort()).toEqual(all.map((e) => e.id).sort()); // each once
  });

  it('a key’s events reach the engine’s ingress in the order produced, keys side by side', async () => {
    const { engine, send, start } = await setup('order', 3);
    const keys = ['worker01', 'worker02', 'worker03', 'master01'];
    const all = Array.from({ length: 48 }, (_, i) => {
      const key = keys[i % keys.length]!;
      return { key, event: cloudEvent('io.everynode.node.updated', { metadata: { name: key, labels: { step: String(i) } } }, { id: `order-${i}-${Date.now()}`, source: 'bridge-test/kafka' }) };
    });
    const order: string[] = [];
    const done = new Set<string>();
    const early: string[] = [];
    let running = 0;
    let most = 0;
    const ingress: Pick<EventIngress, 'submit' | 'park' | 'backlog'> = {
      backlog: () => engine.ingress.backlog(),
      park: (m, r, o) => engine.ingress.park(m, r, o),
      submit: async (evs, options) => {
        const id = (evs[0] as { id: string }).id;
        order.push(id);
        // The one before of the same key must be in the log already.
        const at = all.findIndex((a) => a.event.id === id);
        const previous = all.slice(0, at).findLast((a) => a.key === all[at]!.key);
        if (previous !== undefined && !done.has(previous.event.id)) early.push(id);
        running++;
        most = Math.max(most, running);
        // Earlier ones slower: were a key's events handled side by side, later ones would overtake.
        await new Promise((r) => setTimeout(r, 40 - (at % 8) * 5));
        try {
          return await engine.ingress.submit(evs, options);
        } finally {
          running--;
          done.add(id);
        }
      },
    };
    await start(inboundHandler(ingress, { logger: quietLogger }));
    await send(
      all.map((a) => a.event),
      (i) => ({ key: all[i]!.key }),
    );
    await eventually(async () => (await logged(engine)).length >= all.length, 20_000, 'every event in the log');
    expect(early).toEqual([]);
    for (const key of keys) {
      const produced = all.filter((a) => a.key === key).map((a) => a.event.id);
      expect(order.filter((id) => produced.includes(id))).toEqual(produced);
    }
    expect(most).toBeGreaterThan(1); // keys were handled side by side
    const entries = (await engine.history.readLog({ after: 0, limit: 500 })).filter((e) => e.kind === 'event');
    expect(entries).toHaveLength(all.length);
    // The key became the partitionkey extension, kept in the log.
    for (const entry of entries) {
      const event = (entry.kind === 'event' ? entry.event : {}) as { partitionkey?: string; data?: { metadata: { name: string } } };
      expect(event.partitionkey).toBe(event.data?.metadata.name);
    }
  });

  it('never runs more than maxInFlight handlers at once', async () => {
    const { send, start, committed } = await setup('inflight', 4);
    let running = 0;
    let most = 0;
    let done = 0;
    await start(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      done++;
    }, 3);
    await send(events('inflight', 40), () => ({}));
    await eventually(async () => done === 40, 10_000, 'all handled');
    expect(most).toBe(3);
    await eventually(async () => [0, 1, 2, 3].reduce((n, p) => n + Math.max(0, committed(p)), 0) === 40, 5_000, 'all committed');
  });
});

/** A test message's event id, in either mode. */
function idOf(m: Parameters<MessageHandler>[0]): string {
  return (m.headers.ce_id as string | undefined) ?? (JSON.parse(Buffer.from(m.body).toString()) as { id: string }).id;
}
