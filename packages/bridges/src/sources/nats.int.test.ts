import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll } from 'vitest';
import { quietLogger } from '../../../../test/support/cluster.ts';
import { describeInboundContract } from '../inbound-contract.ts';
import { NatsSource } from './nats.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let producer: NatsConnection;
beforeAll(async () => {
  producer = await connect({ servers });
});
afterAll(async () => {
  await producer.close();
});

interface Ctx {
  readonly stream: string;
  readonly subject: string;
  readonly durable: string;
}

describeInboundContract<Ctx>('nats', {
  bus: 'nats',
  async setup(name) {
    const id = `${process.pid}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    return { stream: `TEST_BRIDGE_${id}`, subject: `test.bridge.${id}.events`, durable: `bridge_${id}` };
  },
  makeSource(ctx, { maxInFlight, redeliveryMs }) {
    return new NatsSource({ servers, stream: ctx.stream, subject: ctx.subject, durable: ctx.durable, maxInFlight, redeliveryMs, logger: quietLogger });
  },
  async publish(ctx, message) {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(message.headers)) h.set(k, v);
    await jetstream(producer).publish(ctx.subject, message.body, { headers: h });
  },
  processConfig(ctx) {
    return { yaml: `bridges:\n  - { name: contract, kind: nats, url: "${servers}", stream: ${ctx.stream}, subject: ${ctx.subject}, group: ${ctx.durable}, maxInFlight: 8, ackWaitMs: 1000 }\n` };
  },
  async teardown(ctx) {
    const jsm = await jetstreamManager(producer);
    await jsm.streams.delete(ctx.stream).catch(() => false);
  },
});
