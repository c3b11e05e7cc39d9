/**
 * The queues (docs/contract.md §4) and their naming. BullMQ's `prefix` is the
 * cluster's hash tag `{prefix}`, so queue keys and the log's keys share one
 * Redis Cluster slot, and several clusters can share one Redis.
 */
import { type CommandsJobData, type DeadLetterJobData, jobIdFor, QueueName, queuePrefix } from '@everynode/api';
import type { EventStore } from '@everynode/eventlog';
import { CommitRefused } from '@everynode/eventlog';
import { Queue, UnrecoverableError, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { RedisClient } from '@everynode/eventlog';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

// Names, prefix and job ids are shared with every process that uses the queues (`@everynode/api` `queues.ts`).
export { jobIdFor, QueueName, queuePrefix } from '@everynode/api';

/**
 * Retention: enough history to inspect and to make re-adding a recent job a
 * no-op. A completed `events` job is not kept: its events are in the log
 * (`GET /log`, `everynode log`), and what makes a second delivery change
 * nothing is the log's own idempotency (`{p}:seen`), not the job — kept, a
 * batch of 500 events held ~165 KB for an hour, up to 10,000 of them. A
 * failed one is kept a week.
 */
export const retention = {
  events: { removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } },
  reconcile: { removeOnComplete: true, removeOnFail: { age: 86_400, count: 1000 } },
  commands: { removeOnComplete: { age: 86_400, count: 1000 }, removeOnFail: { age: 7 * 86_400, count: 10_000 } },
  deadLetter: { removeOnComplete: false, removeOnFail: false },
} satisfies Record<string, JobsOptions>;

export interface Queues {
  /** Untyped: anyone may produce on it, and the events worker checks every job (`EventsJobData` is what a producer should write). */
  readonly events: Queue;
  readonly reconcile: Queue;
  readonly commands: Queue<CommandsJobData>;
  readonly deadLetter: Queue<DeadLetterJobData>;
  close(): Promise<void>;
}

export function openQueues(connection: RedisClient, prefix: string): Queues {
  const options = { connection, prefix: queuePrefix(prefix) };
  const events = new Queue(QueueName.Events, { ...options, defaultJobOptions: { ...retention.events, attempts: 10, backoff: { type: 'exponential', delay: 100 } } });
  const reconcile = new Queue(QueueName.Reconcile, { ...options, defaultJobOptions: { ...retention.reconcile, attempts: 20, backoff: { type: 'exponential', delay: 50 } } });
  const commands = new Queue<CommandsJobData>(QueueName.Commands, { ...options, defaultJobOptions: retention.commands });
  const deadLetter = new Queue<DeadLetterJobData>(QueueName.DeadLetter, { ...options, defaultJobOptions: retention.deadLetter });
  return {
    events,
    reconcile,
    commands,
    deadLetter,
    async close() {
      await Promise.all([events.close(), reconcile.close(), commands.close(), deadLetter.close()]);
    },
  };
}

/**
 * Ask for a pass over `daemonSet`. At most one job per DaemonSet runs; one
 * added while it runs waits for it (BullMQ's `keepLastIfActive`): a change
 * that lands during a pass triggers exactly one more pass.
 */
export async function requestPass(queues: Queues, daemonSet: string): Promise<void> {
  await queues.reconcile.add('reconcile', { daemonSet }, { deduplication: { id: daemonSet, keepLastIfActive: true } });
}

/** Ask for a full pass over `daemonSet` after `delayMs` (failed-pod backoff, minReadySeconds). */
export async function requestWake(queues: Queues, daemonSet: string, delayMs: number, now: number): Promise<void> {
  const due = now + delayMs;
  await queues.reconcile.add('wake', { daemonSet }, { delay: delayMs, jobId: jobIdFor(`wake/${daemonSet}/${due}`) });
}

/** What every worker of the engine (events, reconcile) is given. */
export interface EngineWorkerOptions {
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly store: EventStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** BullMQ lock duration: a dead worker's job is taken over this long after its last heartbeat. Default `DefaultLockMs`. */
  readonly lockDurationMs?: number;
}

/**
 * How long a job stays locked to a worker that stopped renewing it: 4 s.
 * A worker renews its locks every half of this, so only an event loop held
 * for more than 2 s loses one — and a pass run twice is harmless (its
 * commit is guarded by the rv of everything it read). BullMQ's own default
 * (30 s), with its 30 s stalled check, left a killed worker's pass waiting
 * up to a minute (`test/recovery.int.test.ts` timed out at 60 s); with this
 * and `stalledIntervalFor`, it is taken over at most 5 s after the kill.
 */
export const DefaultLockMs = 4000;

/** How often a worker looks for jobs whose lock expired: every second, or the lock's duration if shorter. */
export function stalledIntervalFor(lockDurationMs: number): number {
  return Math.min(1000, lockDurationMs);
}

/** BullMQ's options for an engine worker running `concurrency` jobs at once. */
export function bullWorkerOptions(options: EngineWorkerOptions, concurrency: number): WorkerOptions {
  return {
    connection: options.connection,
    prefix: queuePrefix(options.prefix),
    concurrency,
    lockDuration: options.lockDurationMs ?? DefaultLockMs,
    stalledInterval: stalledIntervalFor(options.lockDurationMs ?? DefaultLockMs),
    // A pass stalled by a dead worker is run again, not failed: passes are idempotent.
    maxStalledCount: 10,
  };
}

/**
 * Run a job's work; a commit the script refused (a key of the wrong type, a
 * malformed commit) would be refused again on every try, so it fails the
 * job at once (BullMQ's `UnrecoverableError`) instead of retrying it.
 */
export async function failFastOnRefusal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommitRefused) throw new UnrecoverableError(error.message);
    throw error;
  }
}
