/**
 * A BullMQ worker replaced when it stops fetching jobs.
 *
 * After a Redis Cluster failover, a worker whose job lost its lock with the
 * old master can stop fetching for good (BullMQ 6.7 over an ioredis
 * `Cluster`: its fetch loop waits on a promise that never settles), while
 * its queue fills. The watchdog notices that: jobs have waited in the
 * queue for `stalledAfterMs` while this worker did nothing at all (no job
 * started, finished, failed, and no "drained"). It then closes the worker
 * without waiting for its jobs (their locks expire and another worker, or
 * the new one, takes them over, as after a crash) and starts a fresh one.
 * A healthy worker is replaced only in a quiet spell longer than
 * `stalledAfterMs` during which other processes took every job: harmless.
 */
import type { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';

export interface WatchedWorkerOptions {
  /** Starts a worker (again). */
  readonly start: () => Worker;
  /** The queue it works on: its waiting jobs say whether anything is left undone. */
  readonly queue: Queue;
  readonly logger: Logger;
  /** Idle this long with jobs waiting counts as stuck. Default 15 s. */
  readonly stalledAfterMs?: number;
  /** How often to look. Default a fifth of `stalledAfterMs`. */
  readonly checkEveryMs?: number;
  /** Told of each new worker (to watch its connection trouble). */
  readonly onStart?: (worker: Worker) => void;
}

export interface WatchedWorker {
  /** The worker running now. */
  readonly current: Worker;
  /** How many times it was replaced. */
  readonly replaced: number;
  /** Stop watching, then close the worker (`force`: without waiting for its jobs). */
  close(force?: boolean): Promise<void>;
}

export function watchWorker(options: WatchedWorkerOptions): WatchedWorker {
  const stalledAfterMs = options.stalledAfterMs ?? 15_000;
  let lastSeen = Date.now();
  let replaced = 0;
  let closed = false;
  const seen = () => void (lastSeen = Date.now());
  const begin = () => {
    const worker = options.start();
    for (const event of ['active', 'completed', 'failed', 'drained'] as const) worker.on(event, seen);
    options.onStart?.(worker);
    seen();
    return worker;
  };
  let current = begin();

  const check = async () => {
    if (closed || Date.now() - lastSeen < stalledAfterMs) return;
    const counts = await options.queue.getJobCounts('waiting', 'prioritized');
    if (closed || (counts.waiting ?? 0) + (counts.prioritized ?? 0) === 0) return seen();
    options.logger.warn({ queue: options.queue.name, idleMs: Date.now() - lastSeen, waiting: counts.waiting }, 'worker fetches no jobs while jobs wait; replacing it');
    const stuck = current;
    current = begin();
    replaced++;
    // Not awaited for long: a stuck worker's close may never finish.
    await Promise.race([stuck.close(true).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  };
  const timer = setInterval(() => void check().catch(() => undefined), options.checkEveryMs ?? Math.max(100, stalledAfterMs / 5));
  timer.unref();

  return {
    get current() {
      return current;
    },
    get replaced() {
      return replaced;
    },
    async close(force = false) {
      closed = true;
      clearInterval(timer);
      await current.close(force);
    },
  };
}
