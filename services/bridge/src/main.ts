/**
 * The bridge process: reads the bridges' YAML from `EVERYNODE_BRIDGES` (the
 * text) or `EVERYNODE_BRIDGES_FILE` (a path), starts an engine without
 * workers over REDIS_URL and EVERYNODE_PREFIX (it only submits and parks),
 * and the configured bridges, in and out; with `EVERYNODE_BRIDGE_HEALTH_PORT`
 * it serves `/healthz` and `/readyz` there (the engine's Redis and each
 * bridge). SIGTERM or SIGINT closes the bridges (their messages under way
 * finish and are acknowledged), then the engine.
 */
import pino from 'pino';
import { bridgeChecks, ConfigError, loadBridges, startBridges } from '@everynode/bridges';
import { RedisUnreachableError, safeLogOptions, startEngine } from '@everynode/engine';
import { startHealthServer } from './health.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', ...safeLogOptions });

/** `EVERYNODE_BRIDGE_HEALTH_PORT` as a port; undefined when unset. */
function healthPort(): number | undefined {
  const text = process.env.EVERYNODE_BRIDGE_HEALTH_PORT;
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError([`EVERYNODE_BRIDGE_HEALTH_PORT: ${JSON.stringify(text)} is not a port (0-65535)`]);
  return port;
}

try {
  const bridges = loadBridges(undefined);
  if (bridges === undefined) throw new ConfigError(['(root): set EVERYNODE_BRIDGES (YAML) or EVERYNODE_BRIDGES_FILE (a path)']);
  const port = healthPort();
  const engine = await startEngine({ workers: false, logger });
  const running = await startBridges(bridges, engine, logger);
  const health =
    port === undefined ? undefined : await startHealthServer(port, async () => [{ name: 'engine', ok: await engine.admin.ready(), reason: 'Redis does not answer' }, ...bridgeChecks(running)]);
  if (health) logger.info({ address: health.address() }, 'health endpoint listening');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'closing bridges');
    health?.close();
    await Promise.allSettled(running.map((r) => r.close()));
    await engine.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) logger.fatal({ problems: error.problems }, 'bad bridge configuration');
  // One line that says it all: no stack (and the URL's password redacted).
  else if (error instanceof RedisUnreachableError) logger.fatal(error.message);
  else logger.fatal({ err: error }, 'bridge process failed to start');
  process.exit(1);
}
