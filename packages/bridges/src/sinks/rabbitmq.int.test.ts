/**
 * rabbitMqSink against the shared RabbitMQ (one queue per test, deleted
 * after): what lands on the queue (message-id, persistence, content type,
 * `cloudEvents_` application properties); that a delivery waits for the
 * broker's confirm; that a return is a transient error the next delivery
 * recovers from; and (c) of the outbound contract with a TCP proxy cutting
 * the sink off from the broker mid-stream and letting it through again.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/support/cluster.ts';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.ts';
import { describeOutboundOutage } from '../outbound-contract.ts';
import type { CommandSink } from '../outbound.ts';
import { amqpHeaders } from '../sources/rabbitmq.ts';
import { rabbitMqSink } from './rabbitmq.ts';
import { sampleCommand } from '../outbound-contract.ts';

const BROKER = { host: '127.0.0.1', port: 5672 };
const url = process.env.AMQP_URL ?? `amqp://guest:guest@${BROKER.host}:${BROKER.port}`;
let model: ChannelModel;
let channel: Channel;
let proxy: TcpProxy;
const queues: string[] = [];
const sinks: CommandSink[] = [];

beforeAll(async () => {
  model = await connect(url);
  channel = await model.createChannel();
  proxy = await startTcpProxy(BROKER);
});
afterEach(async () => {
  proxy.release();
  proxy.resume();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const q of queues.splice(0)) await channel.deleteQueue(q);
});
afterAll(async () => {
  await proxy.close();
  await model.close();
});

function newQueue(): string {
  const q = `test-sink-${randomUUID()}`;
  queues.push(q);
  return q;
}

function sink(queue: string, options: { mode?: 'binary' | 'structured'; through?: TcpProxy; timeoutMs?: number } = {}): CommandSink {
  const target = options.through ? `amqp://guest:guest@127.0.0.1:${options.through.port}` : url;
  const s = rabbitMqSink({ url: target, queue, ...(options.mode ? { mode: options.mode } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  sinks.push(s);
  return s;
}

const command = sampleCommand;

/** The message's application properties, but those the broker adds (a quorum queue's `x-delivery-count`). */
function attributeProperties(message: GetMessage): Record<string, unknown> {
  return Object.fromEntries(Object.entries(message.properties.headers ?? {}).filter(([name]) => !name.startsWith('x-')));
}

async function take(queue: string): Promise<GetMessage> {
  return eventually(async () => channel.get(queue, { noAck: true }), 5_000, `a message on ${queue}`);
}

describe('rabbitMqSink', () => {
  it('binary: a persistent message, message-id the command id, content-type, the attributes as cloudEvents_ application properties', async () => {
    const queue = newQueue();
    await sink(queue).deliver(command('cmd-1'));
    // The sink declared the queue as a durable quorum queue: declaring it so again agrees.
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const message = await take(queue);
    expect(message.properties.messageId).toBe('cmd-1');
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.properties.contentType).toBe('application/json');
    expect(attributeProperties(message)).toEqual({
      cloudEvents_specversion: '1.0',
      cloudEvents_id: 'cmd-1',
      cloudEvents_source: 'everynode/daemonset-controller',
      cloudEvents_type: 'io.everynode.pod.delete',
      cloudEvents_time: '2026-12-01T10:00:00.000Z',
      cloudEvents_subject: 'worker01',
    });
    expect(JSON.parse(message.content.toString())).toEqual(command('cmd-1').data);
    expect(amqpHeaders(message as never)['content-type']).toBe('application/json');
  });

  it('structured: the whole event, application/cloudevents+json, message-id still the command id, no attribute properties', async () => {
    const queue = newQueue();
    await sink(queue, { mode: 'structured' }).deliver(command('cmd-2'));
    const message = await take(queue);
    expect(message.properties.messageId).toBe('cmd-2');
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.properties.contentType).toMatch(/^application\/cloudevents\+json/);
    expect(attributeProperties(message)).toEqual({});
    expect(JSON.parse(message.content.toString())).toEqual(command('cmd-2'));
  });

  it('resolves only once the broker confirmed: the message is on the queue, the confirm held back, the delivery still waits', async () => {
    const queue = newQueue();
    const s = sink(queue, { through: proxy });
    await s.deliver(command('warm-up')); // connected, queue declared
    await take(queue);
    proxy.hold();
    let settled = false;
    const delivery = s.deliver(command('held')).finally(() => (settled = true));
    await eventually(async () => (await channel.checkQueue(queue)).messageCount === 1, 5_000, 'the message on the queue');
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    proxy.release();
    await delivery;
    expect((await take(queue)).properties.messageId).toBe('held');
  });

  it('no confirm within the timeout is a transient error; the next delivery connects again', async () => {
    const queue = newQueue();
    const s = sink(queue, { through: proxy, timeoutMs: 300 });
    await s.deliver(command('first'));
    proxy.hold();
    await expect(s.deliver(command('unconfirmed'))).rejects.toThrow(/no confirm from the broker within 300 ms/);
    proxy.release();
    await s.deliver(command('after'));
    const ids = [(await take(queue)).properties.messageId, (await take(queue)).properties.messageId, (await take(queue)).properties.messageId];
    expect(ids).toEqual(['first', 'unconfirmed', 'after']);
  });

  it('a return (the queue deleted under it) is a transient error; the next delivery declares the queue again', async () => {
    const queue = newQueue();
    const s = sink(queue);
    await s.deliver(command('before'));
    await channel.deleteQueue(queue);
    const error = await s.deliver(command('returned')).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/returned by the broker/);
    expect(error?.name).toBe('Error');
    await s.deliver(command('again'));
    expect((await take(queue)).properties.messageId).toBe('again');
  });
});

describeOutboundOutage<{ readonly queue: string }>('rabbitmq', {
  async setup(name) {
    const queue = `test-sink-${process.pid}-${name}`;
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    return { queue };
  },
  // The sink goes through the proxy; the consumer connects to the broker directly.
  makeSink: (ctx, mode) => rabbitMqSink({ url: `amqp://guest:guest@127.0.0.1:${proxy.port}`, queue: ctx.queue, mode, timeoutMs: 1_000 }),
  async subscribe(ctx, onMessage) {
    const { consumerTag } = await channel.consume(ctx.queue, (message) => {
      if (message === null) return;
      onMessage({ body: message.content, headers: amqpHeaders(message) });
      channel.ack(message);
    });
    return async () => {
      await channel.cancel(consumerTag);
    };
  },
  async down() {
    proxy.pause();
  },
  async up() {
    proxy.resume();
  },
  async teardown(ctx) {
    await channel.deleteQueue(ctx.queue).catch(() => undefined);
  },
});
