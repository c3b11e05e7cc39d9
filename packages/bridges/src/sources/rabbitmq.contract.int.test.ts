/** The inbound contract over RabbitMQ: a quorum queue per test on the shared broker, deleted after. */
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { quietLogger } from '../../../../test/support/cluster.ts';
import { describeInboundContract } from '../inbound-contract.ts';
import { rabbitMqSource } from './rabbitmq.ts';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
let producer: ChannelModel;
let channel: Channel;
beforeAll(async () => {
  producer = await connect(url);
  channel = await producer.createConfirmChannel();
});
afterAll(async () => {
  await producer.close();
});

describeInboundContract<{ readonly queue: string }>('rabbitmq', {
  bus: 'rabbitmq',
  async setup(name) {
    return { queue: `test-bridge-${process.pid}-${name}` };
  },
  makeSource(ctx, { maxInFlight }) {
    return rabbitMqSource({ url, queue: ctx.queue, prefetch: maxInFlight, logger: quietLogger, minBackoffMs: 50 });
  },
  async publish(ctx, message) {
    const { 'content-type': contentType, ...headers } = message.headers;
    channel.sendToQueue(ctx.queue, Buffer.from(message.body), { persistent: true, ...(contentType ? { contentType } : {}), headers });
    await (channel as Channel & { waitForConfirms(): Promise<void> }).waitForConfirms();
  },
  processConfig(ctx) {
    // The credentials as the process takes them: the user in the file, the password from the environment.
    const broker = new URL(url);
    const { username, password } = broker;
    broker.username = '';
    broker.password = '';
    return {
      yaml: `bridges:\n  - { name: contract, kind: rabbitmq, url: "${broker}", username: ${decodeURIComponent(username)}, passwordEnv: TEST_AMQP_PASSWORD, queue: ${ctx.queue}, maxInFlight: 8 }\n`,
      env: { TEST_AMQP_PASSWORD: decodeURIComponent(password) },
    };
  },
  async teardown(ctx) {
    await channel.deleteQueue(ctx.queue).catch(() => undefined);
  },
});
