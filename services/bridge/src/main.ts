/**
 * The bridge process: reads the bridges' YAML from `EVERYNODE_BRIDGES` (the
 * text) or `EVERYNODE_BRIDGES_FILE` (a path), starts an engine without
 * workers over REDIS_URL and EVERYNODE_PREFIX (it only submits and parks),
 * and the configured bridges, in and out; SIGTERM or SIGINT closes the bridges
 * (their messages under way finish and are acknowledged), then the engine.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, parseConfig, startBridges } from '@everynode/bridges';
import { startEngine } from '@everynode/engine';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });

function configText(): string {
  const inline = process.env.EVERYNODE_BRIDGES;
  if (inline !== undefined && inline.trim() !== '') return inline;
  const file = process.env.EVERYNODE_BRIDGES_FILE;
  if (file !== undefined) return readFileSync(file, 'utf8');
  throw new ConfigError(['(root): set EVERYNODE_BRIDGES (YAML) or EVERYNODE_BRIDGES_FILE (a path)']);
}

try {
  const bridges = parseConfig(configText());
  const engine = await startEngine({ workers: false, logger });
  const running = await startBridges(bridges, engine, logger);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'closing bridges');
    await Promise.allSettled(running.map((r) => r.close()));
    await engine.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) logger.fatal({ problems: error.problems }, 'bad bridge configuration');
  else logger.fatal({ err: error }, 'bridge process failed to start');
  process.exit(1);
}
