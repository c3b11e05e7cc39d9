/**
 * The worker process: event handler, reconciler and outbox publisher over
 * REDIS_URL and EVERYNODE_PREFIX. Run as many as you like; they share the work.
 */
import pino from 'pino';
import { startEngine } from '@everynode/engine';

const level = process.env.LOG_LEVEL ?? 'info';
// JSON lines on stderr; pretty when a person is watching.
const logger = process.stderr.isTTY
  ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
  : pino({ level }, pino.destination(2));

const engine = await startEngine({
  logger,
  ...(process.env.EVERYNODE_EVENT_CONCURRENCY ? { eventConcurrency: Number(process.env.EVERYNODE_EVENT_CONCURRENCY) } : {}),
  ...(process.env.EVERYNODE_LOCK_MS ? { lockDurationMs: Number(process.env.EVERYNODE_LOCK_MS) } : {}),
  ...(process.env.EVERYNODE_SNAPSHOT_EVERY_MS ? { snapshotEveryMs: Number(process.env.EVERYNODE_SNAPSHOT_EVERY_MS) } : {}),
  ...(process.env.EVERYNODE_SNAPSHOT_MIN_ENTRIES ? { snapshotMinEntries: Number(process.env.EVERYNODE_SNAPSHOT_MIN_ENTRIES) } : {}),
  // Retention: trim the log behind each snapshot (default: keep the whole log).
  ...(process.env.EVERYNODE_TRIM_BEHIND_SNAPSHOTS === 'true' ? { trimBehindSnapshots: true } : {}),
  ...(process.env.EVERYNODE_RECONCILE_CONCURRENCY ? { reconcileConcurrency: Number(process.env.EVERYNODE_RECONCILE_CONCURRENCY) } : {}),
});
logger.info({ prefix: engine.prefix, redis: engine.redisUrl.replace(/\/\/[^@]*@/, '//***@'), pid: process.pid }, 'worker started');
// Tell a parent (tests, `everynode up`) that the workers are listening.
process.send?.({ ready: true });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'worker stopping');
  await engine.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
