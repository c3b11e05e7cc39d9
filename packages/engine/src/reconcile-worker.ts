/**
 * The `reconcile` worker: one pass per job over one DaemonSet. BullMQ's
 * deduplication (`keepLastIfActive`) guarantees no two passes over one
 * DaemonSet run at once, and a request made during a pass runs after it.
 * Waits (failed-pod backoff, minReadySeconds) become delayed `wake` jobs.
 */
import { defaultDedupeWindowMs, forgetExpiredSeen, takeSnapshot, trimLog } from '@everynode/eventlog';
import { type Job, Worker } from 'bullmq';
import { timed } from './metrics.ts';
import { runPass } from './pass.ts';
import { bullWorkerOptions, type EngineWorkerOptions, failFastOnRefusal, QueueName, requestPass, requestWake, type Queues } from './queues.ts';

export interface ReconcilerOptions extends EngineWorkerOptions {
  /** Passes run at once by this process (over different DaemonSets). Default 4. */
  readonly concurrency?: number;
  /** Called after a pass recorded commands, so the outbox is published at once. */
  readonly onCommands?: () => void;
  /** The clock; a test may move it. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Snapshots: taken when at least `minEntries` entries came since the last;
   * `trim` trims the log behind them, and the trimmed events' dedupe keys are
   * forgotten once `dedupeWindowMs` has passed (`@everynode/eventlog` dedupe-window.ts).
   */
  readonly snapshots?: { readonly minEntries: number; readonly trim: boolean; readonly dedupeWindowMs?: number };
}

export async function handleReconcile(job: Pick<Job, 'name' | 'data' | 'id'>, options: ReconcilerOptions): Promise<unknown> {
  const { store, queues, metrics, logger } = options;
  const daemonSet = (job.data as { daemonSet: string }).daemonSet;
  if (job.name === 'sweep') return sweep(options);
  if (job.name === 'snapshot') return snapshot(options);
  if (job.name === 'wake') {
    await store.markAllDirty(daemonSet);
    await requestPass(queues, daemonSet);
    return { woke: daemonSet };
  }
  const now = (options.clock ?? Date.now)();
  const started = performance.now();
  try {
    const outcome = await runPass(store, daemonSet, now);
    metrics.reconcileTime.observe({ controller: 'daemonset' }, (performance.now() - started) / 1000);
    const result = outcome.requeueAfterMs !== undefined ? 'requeue_after' : outcome.again ? 'requeue' : 'success';
    metrics.reconciles.inc({ controller: 'daemonset', result });
    for (const [type, count] of Object.entries(outcome.decisionTypes ?? {})) metrics.decisions.inc({ type }, count);
    if (outcome.decisions > 0) logger.info({ daemonSet, seq: outcome.seq, decisions: outcome.decisions, commands: outcome.commands, full: outcome.full, nodes: outcome.nodes }, 'pass recorded');
    if (outcome.commands > 0) options.onCommands?.();
    if (outcome.requeueAfterMs !== undefined) await requestWake(queues, daemonSet, outcome.requeueAfterMs, now);
    if (outcome.again) await requestPass(queues, daemonSet);
    return outcome;
  } catch (error) {
    metrics.reconciles.inc({ controller: 'daemonset', result: 'error' });
    metrics.reconcileErrors.inc({ controller: 'daemonset' });
    throw error;
  }
}

/** A snapshot of the cluster as the log implies it, and — when retention is on — the log trimmed behind it. */
async function snapshot(options: ReconcilerOptions): Promise<unknown> {
  const { minEntries = 10_000, trim = false, dedupeWindowMs } = options.snapshots ?? {};
  const window = dedupeWindowMs === undefined ? {} : { dedupeWindowMs };
  const now = (options.clock ?? Date.now)();
  const forgotten = trim ? await forgetExpiredSeen(options.store, now, dedupeWindowMs ?? defaultDedupeWindowMs) : 0;
  const taken = await takeSnapshot(options.store, { minEntries });
  if (!taken) return { snapshot: null, forgotten };
  const horizon = trim ? await trimLog(options.store, taken.seq, { ...window, now }) : await options.store.logHorizon();
  options.logger.info({ seq: taken.seq, horizon, forgotten }, 'snapshot taken');
  return { snapshot: taken, horizon, forgotten };
}

/**
 * The safety net: a pass for every DaemonSet with marks left (a trigger lost
 * to a crash). And the projection's clean-up: the pod bases no pod refers to
 * any more are dropped (`@everynode/eventlog` pod-record.ts).
 */
async function sweep(options: ReconcilerOptions): Promise<{ swept: string[]; podBasesDropped: number }> {
  const dirty = await options.store.dirtyDaemonSets();
  await Promise.all(dirty.map((ds) => requestPass(options.queues, ds)));
  const podBasesDropped = await options.store.forgetUnusedPodBases();
  return { swept: dirty, podBasesDropped };
}

export function startReconciler(options: ReconcilerOptions): Worker {
  const worker = new Worker(QueueName.Reconcile, (job) => timed(options.metrics, QueueName.Reconcile, job, () => failFastOnRefusal(() => handleReconcile(job, options))), bullWorkerOptions(options, options.concurrency ?? 4));
  worker.on('failed', (job, error) => options.logger.error({ jobId: job?.id, daemonSet: job?.data?.daemonSet, err: error }, 'pass failed'));
  return worker;
}

/** Every `everyMs`, some worker considers a snapshot (one job per tick cluster-wide). */
export async function scheduleSnapshots(queues: Queues, everyMs: number): Promise<void> {
  await queues.reconcile.upsertJobScheduler('snapshot', { every: everyMs }, { name: 'snapshot', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
}

/** Every few seconds, some worker sweeps for forgotten marks (a BullMQ job scheduler: one job per tick cluster-wide). */
export async function scheduleSweep(queues: Queues, everyMs = 5000): Promise<void> {
  await queues.reconcile.upsertJobScheduler('sweep', { every: everyMs }, { name: 'sweep', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
}
