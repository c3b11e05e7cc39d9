/**
 * The configured inbound bridges, started against an engine's ingress.
 * Each bridge's credentials go to its client only; logs name the bridge and
 * its URL with any password redacted.
 */
import type { Logger } from 'pino';
import type { EventIngress } from '@everynode/engine';
import { type Bridge, ConfigError, redact } from './config.ts';
import { inboundHandler } from './in-bridge.ts';
import type { InboundSource } from './source.ts';
import { NatsSource } from './sources/nats.ts';
import { RedisStreamsSource } from './sources/redis-streams.ts';

export interface RunningBridge {
  readonly name: string;
  readonly source: InboundSource;
}

/** The source for one bridge; throws `ConfigError` for a kind or direction this build has no source for. */
export function sourceFor(bridge: Bridge, index: number, logger: Logger): InboundSource {
  const log = logger.child({ bridge: bridge.name, kind: bridge.kind, url: redact(bridge.url) });
  if (bridge.direction !== 'in') throw new ConfigError([`bridges[${index}].direction: outbound bridges are not available yet`]);
  switch (bridge.kind) {
    case 'nats':
      return new NatsSource({
        servers: bridge.url,
        ...(bridge.username === undefined ? {} : { user: bridge.username }),
        ...(bridge.password === undefined ? {} : bridge.username === undefined ? { token: bridge.password.reveal() } : { pass: bridge.password.reveal() }),
        stream: bridge.stream as string,
        subject: bridge.subject as string,
        durable: bridge.group ?? `everynode-${bridge.name}`,
        maxInFlight: bridge.maxInFlight,
        logger: log,
      });
    case 'redis-streams': {
      const url = new URL(bridge.url);
      if (bridge.username !== undefined) url.username = bridge.username;
      if (bridge.password !== undefined) url.password = bridge.password.reveal();
      return new RedisStreamsSource({ url: url.toString(), stream: bridge.stream as string, group: bridge.group ?? 'everynode', maxInFlight: bridge.maxInFlight, logger: log });
    }
    default:
      throw new ConfigError([`bridges[${index}].kind: no ${bridge.kind} source in this build yet`]);
  }
}

/** Start every bridge; if one fails to start, close the ones started and throw. */
export async function startBridges(bridges: readonly Bridge[], ingress: Pick<EventIngress, 'submit' | 'park'>, logger: Logger): Promise<RunningBridge[]> {
  const sources = bridges.map((b, i) => ({ bridge: b, source: sourceFor(b, i, logger) }));
  const running: RunningBridge[] = [];
  try {
    for (const { bridge, source } of sources) {
      const log = logger.child({ bridge: bridge.name });
      await source.start(inboundHandler(ingress, { logger: log, ...(bridge.types === undefined ? {} : { types: bridge.types }) }));
      running.push({ name: bridge.name, source });
      log.info({ kind: bridge.kind, url: redact(bridge.url) }, 'bridge started');
    }
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.source.close()));
    throw error;
  }
  return running;
}
