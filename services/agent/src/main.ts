/**
 * The agent process: `REDIS_URL` (default `redis://127.0.0.1:6379`),
 * `EVERYNODE_PREFIX` (default `everynode`), `LOG_LEVEL` (default `info`).
 * JSON logs on stderr; SIGINT/SIGTERM finish the running commands and exit.
 */
import { pino } from 'pino';
import { startAgent } from '@everynode/agent';
import { checkRedis, exitIfRedisUnreachable, safeLogOptions } from '@everynode/engine';

const logger = pino({ name: 'everynode-agent', level: process.env.LOG_LEVEL ?? 'info', ...safeLogOptions }, pino.destination(2));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// A wrong REDIS_URL (password, host, TLS) ends the process with one line; a later outage is retried.
await checkRedis(redisUrl).catch((error: unknown) => exitIfRedisUnreachable('everynode agent', error));
const agent = await startAgent({
  connection: redisUrl,
  prefix: process.env.EVERYNODE_PREFIX ?? 'everynode',
  logger,
});

function shutdown(signal: NodeJS.Signals): void {
  logger.info({ signal }, 'shutting down');
  agent.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
