/**
 * The Kafka bridge against a real broker: the inbound and the outbound
 * contract, on topics made (and deleted) through the kafkajs admin client.
 * Runs only when `KAFKA_BROKERS` names the brokers (`host:9092,host2:9092`);
 * without it the whole file reports itself skipped. No broker runs on this
 * project's machines: the in-memory log (`sources/kafka.contract.int.test.ts`,
 * `sinks/kafka.contract.int.test.ts`) is what runs every time.
 */
import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, describe } from 'vitest';
import { quietLogger } from '../../../test/support/cluster.ts';
import { describeInboundContract } from './inbound-contract.ts';
import { describeOutboundContract } from './outbound-contract.ts';
import { kafkaSink } from './sinks/kafka.ts';
import { kafkaHeaders, kafkaSource } from './sources/kafka.ts';

const brokers = process.env.KAFKA_BROKERS;

describe.skipIf(!brokers)(`kafka, live (KAFKA_BROKERS=${brokers ?? 'unset: skipped'})`, () => {
  const kafka = new Kafka({ clientId: `everynode-test-${process.pid}`, brokers: (brokers ?? '').split(','), logLevel: logLevel.ERROR });
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const connectedAdmin = async () => {
    if (admin === undefined) {
      admin = kafka.admin();
      await admin.connect();
    }
    return admin;
  };
  const createTopic = async (topic: string, numPartitions: number) => {
    await (await connectedAdmin()).createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions, replicationFactor: -1 }] });
  };
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });

  describeInboundContract<{ readonly topic: string; readonly group: string }>('kafka (live)', {
    bus: 'kafka',
    async setup(name) {
      const topic = `everynode-test-in-${name}-${randomUUID().slice(0, 8)}`;
      await createTopic(topic, 3);
      return { topic, group: `everynode-test-${topic}` };
    },
    makeSource(ctx, { maxInFlight, redeliveryMs }) {
      return kafkaSource({ kafka, topic: ctx.topic, group: ctx.group, maxInFlight, redeliveryMs, logger: quietLogger });
    },
    async publish(ctx, message) {
      if (producer === undefined) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers)) headers[name.replace(/^ce-/, 'ce_')] = value;
      await producer.send({ topic: ctx.topic, acks: -1, messages: [{ value: Buffer.from(message.body), headers }] });
    },
    async teardown(ctx) {
      const a = await connectedAdmin();
      await a.deleteGroups([ctx.group]).catch(() => undefined);
      await a.deleteTopics({ topics: [ctx.topic] });
    },
  });

  describeOutboundContract<{ readonly topic: string }>('kafka (live)', {
    async setup(name) {
      // One partition: the contract checks log order across nodes, which Kafka keeps only within a partition.
      const topic = `everynode-test-out-${name}-${randomUUID().slice(0, 8)}`;
      await createTopic(topic, 1);
      return { topic };
    },
    makeSink: (ctx, mode) => kafkaSink({ kafka, topic: ctx.topic, mode }),
    async subscribe(ctx, onMessage) {
      const groupId = `everynode-test-reader-${ctx.topic}`;
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topics: [ctx.topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => onMessage({ body: message.value ?? new Uint8Array(), headers: kafkaHeaders(message) }),
      });
      return async () => {
        await consumer.disconnect();
        await (await connectedAdmin()).deleteGroups([groupId]).catch(() => undefined);
      };
    },
    async teardown(ctx) {
      await (await connectedAdmin()).deleteTopics({ topics: [ctx.topic] });
    },
  });
});
