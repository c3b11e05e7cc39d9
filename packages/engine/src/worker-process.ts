/**
 * A worker process: the event handler, the reconciler and the outbox
 * publisher over `REDIS_URL` and `EVERYNODE_PREFIX`, tuned by
 * `EVERYNODE_*` variables. Run as many as you like; they share the work.
 * With `EVERYNODE_PREFIXES` (a list, or `*` for every registered cluster) it
 * serves many clusters at once (`prefix-pool.ts`).
 * `services/worker` runs it, and so does `everynode up --workers N`
 * (through `workerProcessArgs`).
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startEngine } from './engine.ts';
import { prefixesFromEnv, startPrefixPool } from './prefix-pool.ts';
import { exitIfRedisUnreachable } from './redis-check.ts';
import { redactUrl, safeLogOptions } from './redact.ts';

/**
 * How to start a process that runs `runWorkerProcess()`: node's arguments.
 * From the build, the bundled `worker-main.mjs` beside this code (scripts/build.mjs
 * puts it there); from the sources, `worker-main.ts` through tsx.
 */
export function workerProcessArgs(): string[] {
  return import.meta.url.endsWith('.ts')
    ? ['--import', 'tsx', fileURLToPath(new URL('./worker-main.ts', import.meta.url))]
    : [fileURLToPath(new URL('./worker-main.mjs', import.meta.url))];
}

/**
 * The workers' tuning the environment sets (`EVERYNODE_*_CONCURRENCY`,
 * `EVERYNODE_LOCK_MS`, the snapshot and retention variables,
 * `EVERYNODE_DEDUPE_WINDOW_MS`): read by every worker process and by `everynode up`'s own workers.
 */
export function engineTuningFromEnv(env: NodeJS.ProcessEnv) {
  const numeric = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    eventConcurrency: numeric('EVERYNODE_EVENT_CONCURRENCY'),
    reconcileConcurrency: numeric('EVERYNODE_RECONCILE_CONCURRENCY'),
    lockDurationMs: numeric('EVERYNODE_LOCK_MS'),
    snapshotEveryMs: numeric('EVERYNODE_SNAPSHOT_EVERY_MS'),
    snapshotMinEntries: numeric('EVERYNODE_SNAPSHOT_MIN_ENTRIES'),
    // Retention: trim the log behind each snapshot (default: keep the whole log).
    trimBehindSnapshots: env.EVERYNODE_TRIM_BEHIND_SNAPSHOTS === 'true',
    dedupeWindowMs: numeric('EVERYNODE_DEDUPE_WINDOW_MS'),
  };
}

/**
 * Start the workers from the environment, tell a parent process (over IPC,
 * `{ready: true}`) once they listen, and stop on SIGINT/SIGTERM. When Redis
 * cannot be reached at startup, print why on one line and exit 1.
 */
export async function runWorkerProcess(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const level = env.LOG_LEVEL ?? 'info';
  // JSON lines on stderr; pretty when a person is watching.
  const logger = process.stderr.isTTY
    ? pino({ level, ...safeLogOptions, transport: { target: 'pino-pretty', options: { destination: 2 } } })
    : pino({ level, ...safeLogOptions }, pino.destination(2));
  let prefixes;
  try {
    prefixes = prefixesFromEnv(env.EVERYNODE_PREFIXES);
  } catch (error) {
    process.stderr.write(`everynode worker: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const engine = prefixes
    ? await startPrefixPool({ prefixes, redisUrl, logger, engine: engineTuningFromEnv(env), ...(env.EVERYNODE_DISCOVER_EVERY_MS ? { discoverEveryMs: Number(env.EVERYNODE_DISCOVER_EVERY_MS) } : {}) }).catch((error: unknown) =>
        exitIfRedisUnreachable('everynode worker', error),
      )
    : await startEngine({ logger, redisUrl, register: true, ...engineTuningFromEnv(env) }).catch((error: unknown) => exitIfRedisUnreachable('everynode worker', error));
  const serving = 'serving' in engine ? { prefixes: prefixes === '*' ? '*' : engine.serving() } : { prefix: engine.prefix };
  logger.info({ ...serving, redis: redactUrl(redisUrl), pid: process.pid }, 'worker started');
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
}
