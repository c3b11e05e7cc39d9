/** The outbound contract against the real JetStream: a stream per test, read back by an ordered consumer. */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll } from 'vitest';
import { quietLogger } from '../../../../test/support/cluster.ts';
import { describeOutboundContract } from '../outbound-contract.ts';
import { natsSink } from './nats.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers });
});
afterAll(async () => {
  await nc.close();
});

interface Ctx {
  readonly stream: string;
  readonly subject: string;
}

describeOutboundContract<Ctx>('nats', {
  async setup(name) {
    const id = `${process.pid}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const ctx = { stream: `TEST_SINK_${id}`, subject: `test.sink.${id}.commands` };
    // Made here, not by the sink: the consumer reads it before anything is sent.
    await (await jetstreamManager(nc)).streams.add({ name: ctx.stream, subjects: [ctx.subject] });
    return ctx;
  },
  makeSink: (ctx, mode) => natsSink({ servers, stream: ctx.stream, subject: ctx.subject, mode, logger: quietLogger }),
  async subscribe(ctx, onMessage) {
    const consumer = await jetstream(nc).consumers.get(ctx.stream);
    const messages = await consumer.consume();
    const loop = (async () => {
      for await (const m of messages) {
        const headers: Record<string, string> = {};
        for (const key of m.headers?.keys() ?? []) headers[key.toLowerCase()] = m.headers?.get(key) ?? '';
        onMessage({ body: m.data, headers });
      }
    })();
    return async () => {
      await messages.close();
      await loop;
    };
  },
  async teardown(ctx) {
    await (await jetstreamManager(nc)).streams.delete(ctx.stream).catch(() => false);
  },
});
