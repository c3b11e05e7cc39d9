/**
 * The Kafka sink against the in-memory partitioned log (no broker here;
 * `kafka.live.int.test.ts` runs the same contract against a real one): the
 * outbound contract, the record's key (the node) and `ce_id` header, and
 * which kafkajs errors are retried and which park the command.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import type { PodCommand } from '@everynode/api';
import { cloudEvent, destroyPrefix, eventually, fixture, testEngine } from '../../../../test/support/cluster.ts';
import { MemoryKafka } from '../../../../test/support/memory-kafka.ts';
import { kafkaHeaders } from '../sources/kafka.ts';
import { describeOutboundContract, type ReceivedMessage } from '../outbound-contract.ts';
import { PermanentDeliveryError, startOutboundBridge } from '../outbound.ts';
import { isTransient, kafkaSink } from './kafka.ts';

const memory = new MemoryKafka();

/** Every record of the topic, partition by partition, from `from` on (offsets per partition). */
function drain(topic: string, from: number[], onMessage: (message: ReceivedMessage, key: string | null, partition: number) => void): void {
  for (let p = 0; p < memory.partitionsOf(topic); p++) {
    const records = memory.records(topic, p);
    for (; (from[p] ?? 0) < records.length; from[p] = (from[p] ?? 0) + 1) {
      const r = records[from[p] ?? 0]!;
      onMessage({ body: r.value ?? new Uint8Array(), headers: kafkaHeaders({ ...r, attributes: 0 }) }, r.key?.toString() ?? null, p);
    }
  }
}

describeOutboundContract<{ readonly topic: string }>('kafka (in-memory log)', {
  async setup(name) {
    // One partition: the contract checks log order across nodes, which Kafka keeps only within a partition.
    const topic = `test-out-${name}-${process.pid}`;
    memory.createTopic(topic, 1);
    return { topic };
  },
  makeSink: (ctx, mode) => kafkaSink({ kafka: memory, topic: ctx.topic, mode }),
  async subscribe(ctx, onMessage) {
    const from: number[] = [];
    const timer = setInterval(() => drain(ctx.topic, from, onMessage), 5);
    return async () => clearInterval(timer);
  },
  async teardown(ctx) {
    memory.deleteTopic(ctx.topic);
  },
});

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const logger = pino({ level: 'silent' });
const protocolError = (type: string, retriable: boolean) => new KafkaJSProtocolError(Object.assign(new Error(type), { type, code: 1, retriable }));

describe('kafka sink', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function harness(name: string, partitions: number) {
    const engine = await testEngine(`kafka-sink-${name}`);
    cleanups.push(async () => {
      await engine.close();
      await destroyPrefix(engine.prefix);
    });
    const topic = `test-sink-${name}-${process.pid}-${Date.now().toString(36)}`;
    memory.createTopic(topic, partitions);
    cleanups.push(async () => memory.deleteTopic(topic));
    const bridge = async (mode: 'binary' | 'structured') => {
      const running = await startOutboundBridge({ name: `kafka-${name}`, history: engine.history, checkpoints: engine.admin.checkpoints, ingress: engine.ingress, sink: kafkaSink({ kafka: memory, topic, mode }), pollMs: 20, backoffMs: 10, logger });
      cleanups.push(() => running.close());
      return running;
    };
    const [ds] = fixture('fluentd-daemonset.yaml');
    await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });
    const commands = async () => (await engine.history.readCommands({ after: 0, limit: 100_000 })).items.map((i) => i.command);
    return { engine, topic, bridge, commands };
  }

  for (const mode of ['binary', 'structured'] as const) {
    it(`${mode}: the key is the node's name (so one node's commands share a partition), ce_id the command's id`, async () => {
      const { engine, topic, bridge, commands } = await harness(`key-${mode}`, 3);
      const nodes = Array.from({ length: 9 }, (_, i) => `key-${mode}-n${i}`);
      await engine.ingress.submit(nodes.map((n) => cloudEvent('io.everynode.node.joined', node(n))), { wait: true });
      const all = await eventually(async () => {
        const c = await commands();
        return c.length === nodes.length && c;
      }, 20_000, 'a create command per node');
      await bridge(mode);
      const received: { key: string | null; headers: ReceivedMessage['headers']; partition: number }[] = [];
      await eventually(async () => {
        received.splice(0);
        drain(topic, [], (m, key, partition) => received.push({ key, headers: m.headers, partition }));
        return received.length === all.length;
      }, 20_000, 'every command on the topic');
      const byId = new Map(all.map((c: PodCommand) => [c.id, c]));
      for (const r of received) {
        const command = byId.get(r.headers.ce_id as string);
        expect(command).toBeDefined();
        expect(r.key).toBe(command?.subject);
        expect(nodes).toContain(r.key);
      }
      expect(new Set(received.map((r) => r.headers.ce_id))).toEqual(new Set(all.map((c) => c.id)));
      // Keys spread over the partitions.
      expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);
    });
  }

  it('retries what kafkajs calls retriable, under its wrappers; parks what it does not', async () => {
    expect(isTransient(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
    expect(isTransient(protocolError('NOT_LEADER_FOR_PARTITION', true))).toBe(true);
    const exhausted = protocolError('REQUEST_TIMED_OUT', true);
    expect(isTransient(new KafkaJSNumberOfRetriesExceeded(exhausted, { retryCount: 5, retryTime: 100 }))).toBe(true);
    expect(isTransient(protocolError('MESSAGE_TOO_LARGE', false))).toBe(false);
    expect(isTransient(new KafkaJSNonRetriableError(protocolError('TOPIC_AUTHORIZATION_FAILED', false)))).toBe(false);

    const { engine, topic, bridge, commands } = await harness('errors', 1);
    memory.failSends(2, new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    await engine.ingress.submit([cloudEvent('io.everynode.node.joined', node('errors-n0'))], { wait: true });
    await eventually(async () => (await commands()).length === 1, 20_000, 'one command');
    const running = await bridge('binary');
    await eventually(async () => memory.records(topic, 0).length === 1, 10_000, 'delivered after two transient failures');
    expect(running.delivered).toBe(1);

    const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
    memory.failSends(1, tooLarge);
    await engine.ingress.submit([cloudEvent('io.everynode.node.joined', node('errors-n1'))], { wait: true });
    const letters = await eventually(async () => {
      const jobs = await engine.queues.deadLetter.getJobs(['waiting', 'completed', 'failed', 'delayed'], 0, -1);
      return jobs.length > 0 && jobs.map((j) => j.data);
    }, 10_000, 'the refused command parked');
    expect(letters[0]).toMatchObject({ reason: `kafka ${topic}: MESSAGE_TOO_LARGE`, origin: { bus: 'kafka', subject: topic } });
    expect(memory.records(topic, 0)).toHaveLength(1);
  });

  it('throws a PermanentDeliveryError for a refusal, the error itself for a transient failure', async () => {
    const topic = `test-sink-direct-${process.pid}-${Date.now().toString(36)}`;
    memory.createTopic(topic, 1);
    cleanups.push(async () => memory.deleteTopic(topic));
    const sink = kafkaSink({ kafka: memory, topic });
    cleanups.push(() => sink.close());
    const command = { specversion: '1.0', id: 'c1', source: 's', type: 'io.everynode.pod.delete', subject: 'n1', time: new Date().toISOString(), data: { metadata: { namespace: 'ns', name: 'p' }, spec: { nodeName: 'n1' }, reason: 'r' } } as PodCommand;
    const refused = protocolError('TOPIC_AUTHORIZATION_FAILED', false);
    memory.failSends(1, refused);
    await expect(sink.deliver(command)).rejects.toBeInstanceOf(PermanentDeliveryError);
    const lost = new KafkaJSConnectionError('Connection error: ECONNRESET');
    memory.failSends(1, lost);
    await expect(sink.deliver(command)).rejects.toBe(lost);
    await sink.deliver(command);
    expect(memory.records(topic, 0).map((r) => [r.key?.toString(), r.headers.ce_id?.toString()])).toEqual([['n1', 'c1']]);
  });
});
