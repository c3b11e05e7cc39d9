/**
 * The agent process: `REDIS_URL` (default `redis://127.0.0.1:6379`),
 * `EVERYNODE_PREFIX` (default `everynode`), `LOG_LEVEL` (default `info`).
 * JSON logs on stderr; SIGINT/SIGTERM finish the running commands and exit.
 */
import { pino } from 'pino';
import { startAgent } from '@everynode/agent';

const logger = pino({ name: 'everynode-agent', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));

const agent = await startAgent({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
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
