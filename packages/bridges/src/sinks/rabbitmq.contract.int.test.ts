/** The outbound contract over RabbitMQ: a quorum queue per test on the shared broker, consumed with basic.consume, deleted after. */
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { describeOutboundContract } from '../outbound-contract.ts';
import { amqpHeaders } from '../sources/rabbitmq.ts';
import { rabbitMqSink } from './rabbitmq.ts';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
let consumer: ChannelModel;
let channel: Channel;
beforeAll(async () => {
  consumer = await connect(url);
  channel = await consumer.createChannel();
});
afterAll(async () => {
  await consumer.close();
});

describeOutboundContract<{ readonly queue: string }>('rabbitmq', {
  async setup(name) {
    const queue = `test-sink-${process.pid}-${name}`;
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    return { queue };
  },
  makeSink: (ctx, mode) => rabbitMqSink({ url, queue: ctx.queue, mode }),
  async subscribe(ctx, onMessage) {
    const { consumerTag } = await channel.consume(
      ctx.queue,
      (message) => {
        if (message === null) return;
        onMessage({ body: message.content, headers: amqpHeaders(message) });
        channel.ack(message);
      },
      { noAck: false },
    );
    return async () => {
      await channel.cancel(consumerTag);
    };
  },
  async teardown(ctx) {
    await channel.deleteQueue(ctx.queue).catch(() => undefined);
  },
});
