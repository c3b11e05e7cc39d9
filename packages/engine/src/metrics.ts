/**
 * Prometheus metrics, named as Kubernetes users expect them: client-go's
 * workqueue metrics (labelled `name` = the queue) and controller-runtime's
 * reconcile metrics, plus everynode's own counters.
 */
import type { Job, Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The queues whose depth `workqueue_depth` reports (the engine's `Queues` are these). */
export interface MeteredQueues {
  readonly events: Queue;
  readonly reconcile: Queue;
  readonly commands: Queue;
  readonly deadLetter: Queue;
}

const buckets = [1e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

export class Metrics {
  readonly registry = new Registry();
  readonly adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: [this.registry] });
  readonly retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: [this.registry] });
  readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'],
    buckets,
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name'],
    buckets,
    registers: [this.registry],
  });
  readonly reconciles = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'],
    buckets,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'everynode_events_total',
    help: 'Events handled, by outcome (applied, stale, duplicate, refused)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly deadLettersDropped = new Counter({
    name: 'everynode_dead_letters_dropped_total',
    help: 'Dead letters dropped, oldest first, to keep the dead-letter queue within its bound',
    registers: [this.registry],
  });
  readonly commands = new Counter({ name: 'everynode_commands_published_total', help: 'Commands published to the commands queue', registers: [this.registry] });
  readonly decisions = new Counter({ name: 'everynode_decisions_total', help: 'Decisions recorded, by type', labelNames: ['type'], registers: [this.registry] });

  constructor(queues?: MeteredQueues) {
    collectDefaultMetrics({ register: this.registry });
    if (!queues) return;
    const all = [queues.events, queues.reconcile, queues.commands, queues.deadLetter];
    new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers: [this.registry],
      async collect() {
        const counts = await Promise.all(all.map((q) => q.getJobCounts('wait', 'prioritized', 'delayed')));
        all.forEach((q, i) => {
          const c = counts[i] ?? {};
          this.set({ name: q.name }, (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0));
        });
      },
    });
  }
}

/** Record workqueue timings around a job. */
export async function timed<T>(metrics: Metrics, name: string, job: Job, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  if (job.attemptsMade > 0) metrics.retries.inc({ name });
  metrics.queueDuration.observe({ name }, Math.max(0, started - job.timestamp) / 1000);
  try {
    return await work();
  } finally {
    metrics.workDuration.observe({ name }, (Date.now() - started) / 1000);
  }
}
