/**
 * Figure 3's latency hop by hop: where the time between an event's submit
 * and its command reaching an executor goes, for events submitted one at a
 * time. BullMQ writes every job's life to each queue's event stream
 * (`added`, `active`, `completed`), and a stream entry's id is Redis's clock
 * in ms when it was written; this reads the `events`, `reconcile` and
 * `commands` streams as the run goes (`QueueEvents`, so nothing is trimmed
 * away before it is read) and puts each event's path together:
 *   submit → queued       the ingress adding its `events` job
 *   queued → taken        waiting for an events worker
 *   events worker         log + projection, the pass requested
 *   → pass done           waiting for the pass that decides it, and that pass
 *                         (read, decide, commit): the last `reconcile` job to
 *                         complete before the command was queued (one runs at
 *                         a time per DaemonSet); the passes' own run times are
 *                         given apart
 *   → command queued      the outbox publisher adding the command's job
 *   → executor            waiting for an executor to take it
 * ms resolution (Redis's clock; the submits read the same machine's clock).
 */
import { QueueEvents } from 'bullmq';
import { QueueName, queuePrefix, redisConnectionOptions } from '@everynode/engine/internal';

const msOf = (streamId: string) => Number(streamId.slice(0, streamId.indexOf('-')));

export interface EventPath {
  /** When it was submitted (epoch ms). */
  readonly submitted: number;
  /** Its `events` job's id. */
  readonly eventsJob: string;
  /** Its command's job id, and when an executor took it (epoch ms). */
  readonly commandJob: string;
  readonly executed: number;
}

export const hopNames = ['submit → queued', 'queued → taken', 'events worker', '→ pass done', '→ command queued', '→ executor'] as const;

export interface HopWatch {
  /** Each event's hops in ms, in `hopNames` order; events whose path was not seen whole are left out. */
  hops(paths: readonly EventPath[]): number[][];
  /** Passes seen, and their run times (ms). */
  passes(): number[];
  close(): Promise<void>;
}

export async function watchHops(redisUrl: string, prefix: string): Promise<HopWatch> {
  const open = async (name: string) => {
    const events = new QueueEvents(name, { connection: redisConnectionOptions(redisUrl), prefix: queuePrefix(prefix), lastEventId: '$' });
    await events.waitUntilReady();
    return events;
  };
  const [events, reconcile, commands] = await Promise.all([open(QueueName.Events), open(QueueName.Reconcile), open(QueueName.Commands)]);
  const seen = { added: new Map<string, number>(), active: new Map<string, number>(), completed: new Map<string, number>(), commandAdded: new Map<string, number>() };
  events.on('added', ({ jobId }, id) => void seen.added.set(jobId, msOf(id)));
  events.on('active', ({ jobId }, id) => void seen.active.set(jobId, msOf(id)));
  events.on('completed', ({ jobId }, id) => void seen.completed.set(jobId, msOf(id)));
  commands.on('added', ({ jobId }, id) => void seen.commandAdded.set(jobId, msOf(id)));
  // Passes: [taken, completed], in the order they were taken.
  const passStarts = new Map<string, number>();
  const passes: [number, number][] = [];
  reconcile.on('active', ({ jobId }, id) => void passStarts.set(jobId, msOf(id)));
  reconcile.on('completed', ({ jobId }, id) => {
    const started = passStarts.get(jobId);
    if (started !== undefined) passes.push([started, msOf(id)]);
  });
  return {
    hops(paths) {
      const ends = passes.map(([, end]) => end).sort((a, b) => a - b);
      /** The last pass end at or before `at` (ms ties count). */
      const passDoneBy = (at: number) => {
        let low = 0;
        let high = ends.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if ((ends[mid] as number) <= at) low = mid + 1;
          else high = mid;
        }
        return ends[low - 1];
      };
      const rows: number[][] = [];
      for (const path of paths) {
        const added = seen.added.get(path.eventsJob);
        const active = seen.active.get(path.eventsJob);
        const completed = seen.completed.get(path.eventsJob);
        const commandAdded = seen.commandAdded.get(path.commandJob);
        if (added === undefined || active === undefined || completed === undefined || commandAdded === undefined) continue;
        const passDone = passDoneBy(commandAdded);
        if (passDone === undefined) continue;
        rows.push([added - path.submitted, active - added, completed - active, passDone - completed, commandAdded - passDone, path.executed - commandAdded]);
      }
      return rows;
    },
    passes: () => passes.map(([start, end]) => end - start),
    async close() {
      await Promise.all([events.close(), reconcile.close(), commands.close()]);
    },
  };
}
