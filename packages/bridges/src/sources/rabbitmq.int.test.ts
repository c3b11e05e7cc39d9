/**
 * rabbitMqSource against the shared RabbitMQ on 127.0.0.1:5672: one unique
 * queue per test, deleted after. The broker is never restarted: a TCP proxy
 * between the source and the broker drops the source's connection instead.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, InboundSource } from '../source.ts';
import { rabbitMqSource } from './rabbitmq.ts';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.ts';

const BROKER = { host: '127.0.0.1', port: 5672 };
const URL = `amqp://guest:guest@${BROKER.host}:${BROKER.port}`;
const logger = pino({ level: 'silent' });

let publisher: ChannelModel;
let channel: Channel;
const queues: string[] = [];
const sources: InboundSource[] = [];

beforeAll(async () => {
  publisher = await connect(URL);
  channel = await publisher.createChannel();
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  for (const q of queues.splice(0)) await channel.deleteQueue(q);
});

afterAll(async () => {
  await publisher.close();
});

function newQueue(): string {
  const q = `everynode-test-${randomUUID()}`;
  queues.push(q);
  return q;
}

function source(queue: string, prefetch?: number, url = URL): InboundSource {
  const s = rabbitMqSource({ url, queue, logger, minBackoffMs: 20, maxBackoffMs: 200, ...(prefetch === undefined ? {} : { prefetch }) });
  sources.push(s);
  return s;
}

function publish(queue: string, id: string, body = `{"n":"${id}"}`): void {
  channel.sendToQueue(queue, Buffer.from(body), {
    contentType: 'application/json',
    headers: { ce_specversion: '1.0', ce_id: id, ce_source: '/test', ce_type: 'com.example.test' },
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Nothing is left in the queue once its consumer is gone: the messages were
 * acknowledged, not requeued. A quorum queue's count can lag a settlement
 * briefly, so it is polled; a requeued message would keep it at 1, and
 * `get` would return it.
 */
async function acknowledgedAll(queue: string): Promise<void> {
  let count = -1;
  await until(async () => {
    count = (await channel.checkQueue(queue)).messageCount;
    return count === 0;
  }, 'an empty queue', 3_000).catch((err: unknown) => {
    throw new Error(`${String(err)}: ${count} message(s) left`);
  });
  expect(await channel.get(queue, { noAck: true })).toBe(false);
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('rabbitMqSource', () => {
  it('declares a durable quorum queue and maps a binary-mode CloudEvent: body, ce_* headers, content-type, origin', async () => {
    const queue = newQueue();
    const got: InboundMessage[] = [];
    const s = source(queue);
    await s.start(async (m) => {
      got.push(m);
    });
    expect(s.connected()).toBe(true);
    const declared = await channel.checkQueue(queue);
    expect(declared.queue).toBe(queue);
    // Re-declaring with other arguments fails if it were not a durable quorum queue.
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });

    publish(queue, 'e-1', '{"hello":"world"}');
    await until(() => got.length === 1, 'the message');
    const m = got[0]!;
    expect(Buffer.from(m.body).toString('utf8')).toBe('{"hello":"world"}');
    expect(m.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: 'e-1',
      ce_source: '/test',
      ce_type: 'com.example.test',
      'content-type': 'application/json',
    });
    expect(m.origin.bus).toBe('rabbitmq');
    expect(m.origin.subject).toBe(queue);
    expect(m.origin.offset).toMatch(/^\d+$/);
  });

  it('a handler that rejects once gets the message again; resolved, it is acknowledged and not delivered a third time', async () => {
    const queue = newQueue();
    const seen: string[] = [];
    const s = source(queue);
    await s.start(async (m) => {
      seen.push(String(m.headers.ce_id));
      if (seen.length === 1) throw new Error('not yet');
    });
    publish(queue, 'again');
    await until(() => seen.length === 2, 'the redelivery');
    await s.close();
    expect(seen).toEqual(['again', 'again']);
    await acknowledgedAll(queue);
  });

  it('never runs more than prefetch handlers at once', async () => {
    const queue = newQueue();
    const prefetch = 3;
    let running = 0;
    let most = 0;
    let done = 0;
    const release = gate();
    const s = source(queue, prefetch);
    await s.start(async () => {
      running++;
      most = Math.max(most, running);
      await release.wait;
      running--;
      done++;
    });
    for (let i = 0; i < 12; i++) publish(queue, `p-${i}`);
    await until(() => running === prefetch, 'prefetch handlers running');
    // Give the broker the chance to deliver beyond the bound while all are held.
    await new Promise((r) => setTimeout(r, 300));
    expect(running).toBe(prefetch);
    release.open();
    await until(() => done === 12, 'all handled');
    expect(most).toBe(prefetch);
  });

  it('close() waits for the handlers under way, and their messages are acknowledged', async () => {
    const queue = newQueue();
    const release = gate();
    const order: string[] = [];
    let started = false;
    const s = source(queue);
    await s.start(async () => {
      started = true;
      await release.wait;
      order.push('handler done');
    });
    publish(queue, 'slow');
    await until(() => started, 'the handler to start');
    let closed = false;
    const closing = s.close().then(() => {
      closed = true;
      order.push('closed');
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    expect(s.connected()).toBe(false);
    release.open();
    await closing;
    expect(order).toEqual(['handler done', 'closed']);
    await acknowledgedAll(queue);
  });

  describe('with its connection dropped', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await startTcpProxy(BROKER);
    });

    afterAll(async () => {
      await proxy.close();
    });

    it('reconnects by itself and consumes again; every message is handled at least once', async () => {
      const queue = newQueue();
      const handled = new Set<string>();
      const s = source(queue, 8, `amqp://guest:guest@127.0.0.1:${proxy.port}`);
      await s.start(async (m) => {
        handled.add(String(m.headers.ce_id));
      });
      for (let i = 0; i < 5; i++) publish(queue, `before-${i}`);
      await until(() => handled.size === 5, 'the first five');

      proxy.drop();
      await until(() => !s.connected(), 'the source to notice');
      for (let i = 0; i < 5; i++) publish(queue, `during-${i}`);
      await until(() => s.connected(), 'the source to reconnect');
      for (let i = 0; i < 5; i++) publish(queue, `after-${i}`);
      await until(() => handled.size === 15, 'all fifteen');
      for (const phase of ['before', 'during', 'after']) for (let i = 0; i < 5; i++) expect(handled).toContain(`${phase}-${i}`);
    });
  });
});
