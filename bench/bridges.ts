/**
 * Figure 7: the bridges, per bus here (NATS JetStream, RabbitMQ, MQTT 5,
 * Redis Streams), next to the bus's own client measured in the same run:
 *
 * - raw publish: the client publishing N messages, each confirmed (PubAck,
 *   publisher confirm, PUBACK, XADD reply), with as many in flight as the
 *   bridge is allowed (its `maxInFlight`);
 * - raw consume: the client reading and acknowledging N messages;
 * - in: N node events published on the bus, then read by the inbound bridge
 *   into the log (events/s until the last is in the log), and its ratio to
 *   raw consume;
 * - out: N create commands in the log delivered by the outbound bridge (commands/s
 *   until a consumer has them all), and its ratio to raw publish.
 *
 * `BENCH_BUSES=nats,mqtt` measures some.
 *
 * The bridges run in this process against an engine whose workers run in
 * their own process; the bus's client and the bridge share this process's
 * core, as the bridge service would.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { type Bridge, encodeCommand, type EncodedMessage, inboundHandler, parseConfig, sinkFor, sourceFor, startOutboundBridge } from '@everynode/bridges';
import type { PodCommand } from '@everynode/api';
import type { EngineInternals as Engine } from '@everynode/engine/internal';

export interface BridgeBenchContext {
  readonly n: number;
  readonly redisUrl: string;
  readonly logger: Logger;
  readonly maxInFlight: number;
  engineFor(name: string): Promise<Engine>;
  /** An engine with `n` create commands in its log. */
  engineWithCommands(name: string, n: number): Promise<Engine>;
  nodeEvent(name: string): object;
  until(probe: () => Promise<boolean>, timeoutMs: number, what: string, everyMs?: number): Promise<void>;
  report(figure: string, value: string): void;
}

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const mqttUrl = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A message as a consumer got it: its CloudEvent id. */
type OnId = (id: string) => void;

interface Bus {
  readonly name: string;
  /** A bridge over resource `id` (YAML), in or out. */
  config(id: string, direction: 'in' | 'out'): string;
  /** Ready a resource for messages published before anyone consumes (a stream, a queue, a persistent session). */
  prepare(id: string): Promise<void>;
  /** Publish with the client, each confirmed, `window` in flight. */
  publish(id: string, messages: readonly EncodedMessage[], window: number): Promise<void>;
  /** Consume with the client until `n` messages are in, acknowledging each; resolves to a stop. */
  consume(id: string, onId: OnId): Promise<() => Promise<void>>;
  cleanup(id: string): Promise<void>;
}

async function windowed<T>(items: readonly T[], window: number, send: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, items.length) }, async () => {
      while (next < items.length) await send(items[next++] as T);
    }),
  );
}

const idOf = (headers: Record<string, unknown>, body: string): string => {
  const header = headers['ce-id'] ?? headers['ce_id'] ?? headers['cloudEvents_id'] ?? headers['cloudEvents:id'] ?? headers.id;
  if (header !== undefined) return String(header);
  return (JSON.parse(body) as { id: string }).id;
};

function natsBus(): Bus {
  const stream = (id: string) => `BENCH_${id}`;
  const subject = (id: string) => `bench.${id}`;
  return {
    name: 'nats',
    config: (id, direction) => `bridges:\n  - { name: b, kind: nats, url: "${natsUrl}", direction: ${direction}, stream: ${stream(id)}, subject: ${subject(id)}, group: bench }\n`,
    async prepare(id) {
      const nc = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream(id), subjects: [subject(id)] });
      await nc.close();
    },
    async publish(id, messages, window) {
      const nc = await connect({ servers: natsUrl });
      const js = jetstream(nc);
      await windowed(messages, window, (m) => {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
        return js.publish(subject(id), m.body, { headers: h });
      });
      await nc.close();
    },
    async consume(id, onId) {
      const nc = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(nc);
      const durable = `raw-${randomUUID().slice(0, 8)}`;
      await jsm.consumers.add(stream(id), { durable_name: durable, ack_policy: AckPolicy.Explicit, max_ack_pending: 1000 });
      const messages = await (await jetstream(nc).consumers.get(stream(id), durable)).consume({ max_messages: 1000 });
      const done = (async () => {
        for await (const m of messages) {
          const h: Record<string, string> = {};
          for (const k of m.headers?.keys() ?? []) h[k.toLowerCase()] = m.headers?.get(k) ?? '';
          onId(idOf(h, m.string()));
          m.ack();
        }
      })();
      return async () => {
        await messages.close();
        await done;
        await nc.close();
      };
    },
    async cleanup(id) {
      const nc = await connect({ servers: natsUrl });
      await (await jetstreamManager(nc)).streams.delete(stream(id)).catch(() => false);
      await nc.close();
    },
  };
}

function rabbitBus(): Bus {
  const queue = (id: string) => `bench-${id}`;
  const declare = (ch: amqp.Channel, id: string) => ch.assertQueue(queue(id), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const url = new URL(amqpUrl);
  const bare = `${url.protocol}//${url.host}${url.pathname}`;
  return {
    name: 'rabbitmq',
    config: (id, direction) => `bridges:\n  - { name: b, kind: rabbitmq, url: "${bare}", username: ${decodeURIComponent(url.username)}, passwordEnv: BENCH_AMQP_PASSWORD, direction: ${direction}, queue: ${queue(id)} }\n`,
    async prepare(id) {
      process.env.BENCH_AMQP_PASSWORD = decodeURIComponent(url.password);
      const conn = await amqp.connect(amqpUrl);
      await declare(await conn.createChannel(), id);
      await conn.close();
    },
    async publish(id, messages, window) {
      const conn = await amqp.connect(amqpUrl);
      const ch = await conn.createConfirmChannel();
      await windowed(
        messages,
        window,
        (m) =>
          new Promise<void>((resolve, reject) => {
            const { 'content-type': contentType, ...headers } = m.headers;
            const applicationHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/^ce-/, 'cloudEvents_'), v]));
            ch.sendToQueue(queue(id), Buffer.from(m.body), { persistent: true, contentType, headers: applicationHeaders }, (error) => (error ? reject(error as Error) : resolve()));
          }),
      );
      await conn.close();
    },
    async consume(id, onId) {
      const conn = await amqp.connect(amqpUrl);
      const ch = await conn.createChannel();
      await ch.prefetch(1000);
      const { consumerTag } = await ch.consume(queue(id), (m) => {
        if (!m) return;
        onId(idOf({ ...m.properties.headers }, m.content.toString()));
        ch.ack(m);
      });
      return async () => {
        await ch.cancel(consumerTag);
        await conn.close();
      };
    },
    async cleanup(id) {
      const conn = await amqp.connect(amqpUrl);
      await (await conn.createChannel()).deleteQueue(queue(id));
      await conn.close();
    },
  };
}

function mqttBus(): Bus {
  const topic = (id: string) => `bench/${id}`;
  return {
    name: 'mqtt',
    config: (id, direction) => `bridges:\n  - { name: b, kind: mqtt, url: "${mqttUrl}", direction: ${direction}, topic: ${topic(id)}, group: bench-${id} }\n`,
    async prepare() {
      // MQTT keeps messages only for a subscribed session: the bridge's session is made by starting it first (see `inbound`).
    },
    async publish(id, messages, window) {
      const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 });
      await windowed(messages, window, (m) => {
        const { 'content-type': contentType, ...headers } = m.headers;
        const userProperties = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/^ce-/, ''), v]));
        return client.publishAsync(topic(id), m.body, { qos: 1, properties: { ...(contentType ? { contentType } : {}), ...(Object.keys(userProperties).length > 0 ? { userProperties } : {}) } });
      });
      await client.endAsync();
    },
    async consume(id, onId) {
      const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 });
      client.on('message', (_topic, payload, packet) => onId(idOf({ ...packet.properties?.userProperties }, payload.toString())));
      await client.subscribeAsync(topic(id), { qos: 1 });
      return async () => {
        await client.endAsync();
      };
    },
    async cleanup() {},
  };
}

function redisBus(redisUrl: string): Bus {
  const stream = (id: string) => `bench-stream-${id}`;
  return {
    name: 'redis-streams',
    config: (id, direction) => `bridges:\n  - { name: b, kind: redis-streams, url: "${redisUrl}", direction: ${direction}, stream: ${stream(id)}, group: bench }\n`,
    async prepare(id) {
      // The bridge's group starts at the stream's end when it makes it: made here first, from the start.
      const redis = new Redis(redisUrl);
      await redis.xgroup('CREATE', stream(id), 'bench', '0', 'MKSTREAM');
      await redis.quit();
    },
    async publish(id, messages, window) {
      const redis = new Redis(redisUrl);
      await windowed(messages, window, (m) => redis.xadd(stream(id), '*', ...Object.entries(m.headers).flat(), 'data', m.body));
      await redis.quit();
    },
    async consume(id, onId) {
      const redis = new Redis(redisUrl);
      await redis.xgroup('CREATE', stream(id), 'raw', '0', 'MKSTREAM');
      let stopping = false;
      const done = (async () => {
        while (!stopping) {
          const reply = (await redis.xreadgroup('GROUP', 'raw', 'c', 'COUNT', 1000, 'BLOCK', 100, 'STREAMS', stream(id), '>')) as [string, [string, string[]][]][] | null;
          const entries = reply?.[0]?.[1] ?? [];
          for (const [, fields] of entries) {
            const f: Record<string, string> = {};
            for (let i = 0; i < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
            onId(idOf(f, f.data ?? ''));
          }
          if (entries.length > 0) await redis.xack(stream(id), 'raw', ...entries.map(([entryId]) => entryId));
        }
      })();
      return async () => {
        stopping = true;
        await done;
        await redis.quit();
      };
    },
    async cleanup(id) {
      const redis = new Redis(redisUrl);
      await redis.del(stream(id));
      await redis.quit();
    },
  };
}

const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (x: number) => x.toLocaleString('en-US');

function bridgeOf(yaml: string, maxInFlight: number): Bridge {
  return { ...(parseConfig(yaml)[0] as Bridge), maxInFlight };
}

/** Time until a consumer of `id` has `n` distinct ids; `start` begins the sending. */
async function timeConsumed(bus: Bus, id: string, n: number, ctx: BridgeBenchContext, start: () => Promise<unknown>): Promise<number> {
  const seen = new Set<string>();
  const stop = await bus.consume(id, (x) => seen.add(x));
  const t0 = performance.now();
  await start();
  await ctx.until(async () => seen.size >= n, 300_000, `${n} messages on ${bus.name}`);
  const ms = performance.now() - t0;
  await stop();
  return ms;
}

export async function benchBridges(ctx: BridgeBenchContext): Promise<void> {
  const { n } = ctx;
  const only = process.env.BENCH_BUSES?.split(',');
  const buses = [natsBus(), rabbitBus(), mqttBus(), redisBus(ctx.redisUrl)].filter((b) => !only || only.includes(b.name));
  const commandsEngine = await ctx.engineWithCommands('bridges-out', n);
  const commands: PodCommand[] = (await commandsEngine.history.readCommands({ after: 0, limit: n * 2 })).items.map((i) => i.command);
  const messages = commands.map((c) => encodeCommand(c, 'binary'));
  try {
    for (const bus of buses) {
      const run = randomUUID().slice(0, 8);
      const rawId = `raw_${run}`;
      const inId = `in_${run}`;
      const outId = `out_${run}`;
      try {
        // Raw: the client publishes n, then consumes them (MQTT: consumes while it publishes, having no queue without a session).
        await bus.prepare(rawId);
        let publishMs = 0;
        let consumeMs: number;
        if (bus.name === 'mqtt') {
          consumeMs = await timeConsumed(bus, rawId, n, ctx, async () => {
            const t0 = performance.now();
            await bus.publish(rawId, messages, ctx.maxInFlight);
            publishMs = performance.now() - t0;
          });
        } else {
          const t0 = performance.now();
          await bus.publish(rawId, messages, ctx.maxInFlight);
          publishMs = performance.now() - t0;
          consumeMs = await timeConsumed(bus, rawId, n, ctx, async () => {});
        }
        const rawPublish = rate(n, publishMs);
        const rawConsume = rate(n, consumeMs);

        // In: n node events on the bus, read into the log by the inbound bridge.
        const engine = await ctx.engineFor(`bridge-in-${bus.name}`);
        try {
          // Mosquitto keeps at most 1,000 messages (`max_queued_messages`) for a session that reads slower than they come.
          const nIn = bus.name === 'mqtt' ? Math.min(n, 1000) : n;
          const events = Array.from({ length: nIn }, (_, i) => {
            const e = ctx.nodeEvent(`node-${i}`) as { data: unknown } & Record<string, unknown>;
            const { data, ...attributes } = e;
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            for (const [k, v] of Object.entries(attributes)) headers[`ce-${k}`] = String(v);
            return { headers, body: JSON.stringify(data) };
          });
          await bus.prepare(inId);
          const source = sourceFor(bridgeOf(bus.config(inId, 'in'), ctx.maxInFlight), 0, ctx.logger);
          const handler = inboundHandler(engine.ingress, { logger: ctx.logger });
          let inMs: number;
          if (bus.name === 'mqtt') {
            await source.start(handler);
            const t0 = performance.now();
            await bus.publish(inId, events, ctx.maxInFlight);
            await ctx.until(async () => handler.counts.accepted >= nIn, 300_000, `${nIn} events in through ${bus.name}`);
            inMs = performance.now() - t0;
          } else {
            await bus.publish(inId, events, ctx.maxInFlight);
            const t0 = performance.now();
            await source.start(handler);
            await ctx.until(async () => handler.counts.accepted >= nIn, 300_000, `${nIn} events in through ${bus.name}`);
            inMs = performance.now() - t0;
          }
          await source.close();
          const inRate = rate(nIn, inMs);
          ctx.report(`7. ${bus.name} in (bus → log)`, `${fmt(inRate)} events/s vs raw consume ${fmt(rawConsume)} msg/s: ratio ${(inRate / rawConsume).toFixed(2)}`);
        } finally {
          await engine.close();
        }

        // Out: the log's n create commands, delivered by the outbound bridge.
        await bus.prepare(outId);
        let bridge: Awaited<ReturnType<typeof startOutboundBridge>> | undefined;
        const outMs = await timeConsumed(bus, outId, n, ctx, async () => {
          bridge = await startOutboundBridge({
            name: `bench-${bus.name}-${run}`,
            history: commandsEngine.history,
            checkpoints: commandsEngine.admin.checkpoints,
            ingress: commandsEngine.ingress,
            sink: sinkFor(bridgeOf(bus.config(outId, 'out'), ctx.maxInFlight), 0, ctx.logger),
            maxInFlight: ctx.maxInFlight,
            logger: ctx.logger,
          });
        });
        await bridge?.close();
        const outRate = rate(n, outMs);
        ctx.report(`7. ${bus.name} out (log → bus)`, `${fmt(outRate)} commands/s vs raw publish ${fmt(rawPublish)} msg/s: ratio ${(outRate / rawPublish).toFixed(2)}`);
      } catch (error) {
        ctx.report(`7. ${bus.name}`, `not measured: ${(error as Error).message}`);
      } finally {
        for (const id of [rawId, inId, outId]) await bus.cleanup(id).catch(() => undefined);
      }
    }
  } finally {
    await commandsEngine.close();
  }
}
