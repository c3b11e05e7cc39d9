/**
 * The configured bridges, started against an engine's ports: inbound ones
 * submit to its ingress, outbound ones read its history and keep their
 * checkpoint through its admin port.
 * Each bridge's credentials go to its client only; logs name the bridge and
 * its URL with any password redacted.
 */
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '@everynode/api';
import type { EnginePorts } from '@everynode/engine';
import { type Bridge, ConfigError, kafkaBrokers, redact } from './config.ts';
import { inboundHandler } from './in-bridge.ts';
import { type CommandSink, startOutboundBridge } from './outbound.ts';
import { natsSink } from './sinks/nats.ts';
import { mqttSink } from './sinks/mqtt.ts';
import { rabbitMqSink } from './sinks/rabbitmq.ts';
import { redisStreamsSink } from './sinks/redis-streams.ts';
import { kafkaSink } from './sinks/kafka.ts';
import { webhookSink } from './sinks/webhook.ts';
import type { InboundSource } from './source.ts';
import { kafkaSource } from './sources/kafka.ts';
import { mqttSource } from './sources/mqtt.ts';
import { NatsSource } from './sources/nats.ts';
import { rabbitMqSource } from './sources/rabbitmq.ts';
import { RedisStreamsSource } from './sources/redis-streams.ts';

export interface RunningBridge {
  readonly name: string;
  readonly direction: 'in' | 'out';
  /** Whether it is connected now (an outbound bridge: unless its last delivery, or read of the log, failed and it is retrying). */
  connected(): boolean;
  close(): Promise<void>;
}

/** `url` with the bridge's credentials put in, for clients that take them there. */
function withCredentials(bridge: Bridge): string {
  // A Redis Cluster's URL lists its nodes (`redis+cluster://a:7000,b:7001`): the credentials go before the first, for all.
  const cluster = /^(rediss?\+cluster:\/\/)(.*)$/is.exec(bridge.url);
  if (cluster) {
    if (bridge.username === undefined && bridge.password === undefined) return bridge.url;
    const password = bridge.password === undefined ? '' : `:${encodeURIComponent(bridge.password.reveal())}`;
    return `${cluster[1]}${encodeURIComponent(bridge.username ?? '')}${password}@${cluster[2]}`;
  }
  const url = new URL(bridge.url);
  if (bridge.username !== undefined) url.username = encodeURIComponent(bridge.username);
  if (bridge.password !== undefined) url.password = encodeURIComponent(bridge.password.reveal());
  return url.toString();
}

/** A NATS bridge's credentials: user and password, or a password alone as a token. */
function natsCredentials(bridge: Bridge): { user?: string; pass?: string; token?: string } {
  const user = bridge.username === undefined ? {} : { user: bridge.username };
  if (bridge.password === undefined) return user;
  return bridge.username === undefined ? { token: bridge.password.reveal() } : { ...user, pass: bridge.password.reveal() };
}

/** kafkajs' log lines into `logger` (warnings and errors); none without one. */
const kafkaLogs =
  (logger: Logger): logCreator =>
  () =>
  ({ level, log: { message, ...fields } }) => {
    if (level === logLevel.ERROR) logger.error(fields, message);
    else if (level === logLevel.WARN) logger.warn(fields, message);
  };

/** A kafkajs client for a Kafka bridge: its brokers, TLS for `kafkas://`, SASL PLAIN with its credentials. */
function kafkaClient(bridge: Bridge, logger?: Logger): Kafka {
  const { brokers, tls } = kafkaBrokers(bridge.url);
  return new Kafka({
    clientId: `everynode-${bridge.name}`,
    brokers,
    ssl: tls,
    ...(bridge.username !== undefined && bridge.password !== undefined ? { sasl: { mechanism: 'plain', username: bridge.username, password: bridge.password.reveal() } } : {}),
    logLevel: logger === undefined ? logLevel.NOTHING : logLevel.WARN,
    ...(logger === undefined ? {} : { logCreator: kafkaLogs(logger) }),
  });
}

/** The source for one bridge; throws `ConfigError` for a kind or direction this build has no source for. */
export function sourceFor(bridge: Bridge, index: number, logger: Logger): InboundSource {
  const log = logger.child({ bridge: bridge.name, kind: bridge.kind, url: redact(bridge.url) });
  if (bridge.direction !== 'in') throw new ConfigError([`bridges[${index}].direction: ${bridge.name} is outbound (its sink: sinkFor)`]);
  switch (bridge.kind) {
    case 'nats':
      return new NatsSource({
        servers: bridge.url,
        ...natsCredentials(bridge),
        stream: bridge.stream as string,
        subject: bridge.subject as string,
        durable: bridge.group ?? `everynode-${bridge.name}`,
        maxInFlight: bridge.maxInFlight,
        ...(bridge.ackWaitMs === undefined ? {} : { ackWaitMs: bridge.ackWaitMs }),
        logger: log,
      });
    case 'redis-streams':
      return new RedisStreamsSource({
        url: withCredentials(bridge),
        stream: bridge.stream as string,
        group: bridge.group ?? 'everynode',
        maxInFlight: bridge.maxInFlight,
        ...(bridge.ackWaitMs === undefined ? {} : { claimIdleMs: bridge.ackWaitMs }),
        logger: log,
      });
    case 'rabbitmq':
      return rabbitMqSource({ url: withCredentials(bridge), queue: bridge.queue as string, prefetch: bridge.maxInFlight, logger: log });
    case 'mqtt':
      return mqttSource({ url: withCredentials(bridge), topic: bridge.topic as string, clientId: bridge.group ?? `everynode-${bridge.name}`, inFlight: bridge.maxInFlight, logger: log });
    case 'kafka':
      return kafkaSource({ kafka: kafkaClient(bridge, log), topic: bridge.topic as string, group: bridge.group ?? `everynode-${bridge.name}`, maxInFlight: bridge.maxInFlight, logger: log });
    default:
      throw new ConfigError([`bridges[${index}].kind: no ${bridge.kind} source in this build yet`]);
  }
}

/** Start every bridge; if one fails to start, close the ones started and throw. */
export async function startBridges(bridges: readonly Bridge[], engine: Pick<EnginePorts, 'ingress' | 'history' | 'admin'>, logger: Logger): Promise<RunningBridge[]> {
  // Every inbound source is built (and its configuration checked) before any starts.
  const plans = bridges.map((bridge, i) => (bridge.direction === 'in' ? { bridge, source: sourceFor(bridge, i, logger) } : { bridge, sink: sinkFor(bridge, i, logger) }));
  const running: RunningBridge[] = [];
  try {
    for (const { bridge, source, sink } of plans) {
      const log = logger.child({ bridge: bridge.name });
      if (source) {
        await source.start(inboundHandler(engine.ingress, { logger: log, highWaterMark: bridge.highWaterMark, ...(bridge.types === undefined ? {} : { types: bridge.types }) }));
        running.push({ name: bridge.name, direction: 'in', connected: () => source.connected(), close: () => source.close() });
      } else if (sink) {
        const outbound = await startOutboundBridge({
          name: bridge.name,
          history: engine.history,
          checkpoints: engine.admin.checkpoints,
          ingress: engine.ingress,
          sink,
          maxInFlight: bridge.maxInFlight,
          ...(bridge.types === undefined ? {} : { types: bridge.types }),
          logger: log,
        });
        running.push({ name: bridge.name, direction: 'out', connected: () => outbound.healthy(), close: () => outbound.close() });
      }
      log.info({ kind: bridge.kind, direction: bridge.direction, url: redact(bridge.url) }, 'bridge started');
    }
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.close()));
    throw error;
  }
  return running;
}

/** One `/readyz` check per bridge, `bridge/<name>`: failed while it is not connected (an outbound one: while its sink fails). */
export function bridgeChecks(running: readonly RunningBridge[]): ReadinessCheck[] {
  return running.map((r) => {
    const ok = r.connected();
    return { name: `bridge/${r.name}`, ok, ...(ok ? {} : { reason: r.direction === 'in' ? 'not connected to its bus' : 'its sink is failing; retrying' }) };
  });
}

/** The sink for one outbound bridge; throws `ConfigError` for a kind this build has no sink for. */
export function sinkFor(bridge: Bridge, index: number, logger: Logger): CommandSink {
  const log = logger.child({ bridge: bridge.name, kind: bridge.kind, url: redact(bridge.url) });
  switch (bridge.kind) {
    case 'nats':
      return natsSink({
        servers: bridge.url,
        ...natsCredentials(bridge),
        stream: bridge.stream as string,
        subject: bridge.subject as string,
        mode: bridge.mode,
        logger: log,
      });
    case 'webhook':
      return webhookSink({ url: bridge.url, mode: bridge.mode });
    case 'rabbitmq':
      return rabbitMqSink({ url: withCredentials(bridge), queue: bridge.queue as string, mode: bridge.mode });
    case 'mqtt':
      return mqttSink({ url: withCredentials(bridge), topic: bridge.topic as string, clientId: bridge.group ?? `everynode-${bridge.name}`, mode: bridge.mode });
    case 'redis-streams':
      return redisStreamsSink({ url: withCredentials(bridge), stream: bridge.stream as string, mode: bridge.mode, ...(bridge.maxLen === undefined ? {} : { maxLen: bridge.maxLen }) });
    case 'kafka':
      // kafkajs' own log lines are off here: the outbound bridge logs every failed delivery.
      return kafkaSink({ kafka: kafkaClient(bridge), topic: bridge.topic as string, mode: bridge.mode });
    default:
      throw new ConfigError([`bridges[${index}].kind: no outbound ${bridge.kind} bridge in this build yet`]);
  }
}
