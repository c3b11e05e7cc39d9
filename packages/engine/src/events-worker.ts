/**
 * The `events` worker: validate, then accept into the log and projection in
 * one idempotent step, then ask for passes over the DaemonSets it concerns.
 * A refused event goes to the dead-letter queue with its reason and the job
 * completes, so it never blocks the events behind it; a lost race or a
 * dropped connection is thrown and retried with backoff. A job that fails
 * for good (every attempt spent, or a refusal no retry can change) parks
 * each of its events in the dead-letter queue with the last error, to be
 * replayed once the cause is fixed — not left among failed jobs, where
 * nothing would ever look at it again.
 */
import { type ClusterEvent, type DaemonSet, DefaultJsonLimits, EventType, type JsonLimits, truncateText } from '@everynode/api';
import { type Job, Worker } from 'bullmq';
import { acceptEvents } from './accept.ts';
import { admit } from './admission.ts';
import { DeadLetterQueue, type Letter } from './dead-letters.ts';
import { timed } from './metrics.ts';
import { bullWorkerOptions, type EngineWorkerOptions, failFastOnRefusal, QueueName, requestPass } from './queues.ts';

export interface EventHandlerOptions extends EngineWorkerOptions {
  /** Jobs handled at once by this process. Default 16. */
  readonly concurrency?: number;
  /** Where refused events are kept. Default: the `dead-letter` queue with its default bounds. */
  readonly deadLetters?: DeadLetterQueue;
  /** Each event's bounds (`admit`). Default `DefaultJsonLimits`: 64 deep, 1 MiB. */
  readonly limits?: JsonLimits;
}

/** Handle one job's events (one CloudEvent, or an array from a batch). */
export async function handleEvents(job: Pick<Job, 'id' | 'data' | 'timestamp'>, options: EventHandlerOptions): Promise<{ accepted: number; refused: number }> {
  const { store, queues, metrics, logger } = options;
  const raws: unknown[] = Array.isArray(job.data) ? job.data : [job.data];
  const daemonSets = new Map<string, DaemonSet>();
  const current = (namespace: string, name: string) => daemonSets.get(`${namespace}/${name}`);
  if (raws.some((r) => (r as { type?: unknown })?.type === EventType.DaemonSetApplied)) {
    for (const ds of await store.listDaemonSets()) daemonSets.set(`${ds.metadata.namespace}/${ds.metadata.name}`, ds);
  }

  const valid: ClusterEvent[] = [];
  const refused: Letter[] = [];
  for (const raw of raws) {
    // A job's timestamp: a retry stamps a time-less event as the first try did.
    const admission = admit(raw, current, job.timestamp, options.limits ?? DefaultJsonLimits);
    if (admission.ok) {
      valid.push(admission.event);
      continue;
    }
    metrics.events.inc({ outcome: 'refused' });
    const id = (raw as { id?: unknown } | null)?.id;
    logger.warn({ jobId: job.id, eventId: typeof id === 'string' ? truncateText(id) : undefined, reason: admission.reason }, 'event refused');
    refused.push({ kind: 'refused', message: raw, reason: admission.reason, ...(job.id === undefined ? {} : { jobId: job.id }) });
  }
  await (options.deadLetters ?? new DeadLetterQueue(queues.deadLetter, metrics)).add(refused);
  if (valid.length === 0) return { accepted: 0, refused: refused.length };

  const { results, dirty } = await acceptEvents(store, valid, Date.now());
  for (const r of results) metrics.events.inc({ outcome: r.duplicate ? 'duplicate' : r.applied ? 'applied' : 'stale' });
  await Promise.all([...dirty].map((ds) => requestPass(queues, ds)));
  metrics.adds.inc({ name: QueueName.Reconcile }, dirty.size);
  logger.debug({ jobId: job.id, events: results.length, dirty: [...dirty] }, 'events accepted');
  return { accepted: valid.length, refused: refused.length };
}

export function startEventHandler(options: EventHandlerOptions): Worker {
  const worker = new Worker(QueueName.Events, (job) => timed(options.metrics, QueueName.Events, job, () => failFastOnRefusal(() => handleEvents(job, options))), bullWorkerOptions(options, options.concurrency ?? 16));
  worker.on('failed', (job, error) => {
    options.logger.error({ jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'event job failed');
    if (!job || !(error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1))) return;
    const raws: unknown[] = Array.isArray(job.data) ? job.data : [job.data];
    const reason = `not accepted after ${job.attemptsMade} attempt(s): ${truncateText(error.message)}`;
    const letters: Letter[] = raws.map((message) => ({ kind: 'parked', message, reason, ...(job.id === undefined ? {} : { jobId: job.id }) }));
    (options.deadLetters ?? new DeadLetterQueue(options.queues.deadLetter, options.metrics)).add(letters).catch((parkError: unknown) => {
      options.logger.error({ jobId: job.id, err: parkError }, 'the events of a failed job could not be parked: they stay among the failed jobs of the events queue');
    });
  });
  return worker;
}
