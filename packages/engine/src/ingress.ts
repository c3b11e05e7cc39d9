/**
 * Events in: validated at the edge and queued on `events` in batches; a
 * refused one is answered with its reason and kept in the dead-letter queue.
 * With `wait`, the caller gets read-your-writes: the promise resolves once
 * every accepted event is in the log.
 *
 * Events submitted within `lingerMs` of each other share one job (as a
 * producer's linger does): one job per event would cost every event a whole
 * BullMQ round of its own. Submits waiting for the log share one watch of
 * it (`ArrivalWatch`), whose Redis calls follow the log's growth, not the
 * number of waiting submits.
 */
import { AttributeMaxChars, type ClusterEvent, type DaemonSet, DefaultJsonLimits, eventJobId, EventType, IfVersionAttribute, type JsonLimits, PreconditionFailedPrefix, truncateText } from '@everynode/api';
import type { EventStore } from '@everynode/eventlog';
import { admit } from './admission.ts';
import type { DeadLetterQueue } from './dead-letters.ts';
import type { EventIngress, MessageOrigin, Refusal, SubmitOptions, SubmitResult } from './ports.ts';
import type { Queues } from './queues.ts';
import type { ReplicationFence } from './replication-fence.ts';

/** Events per `events` job: big enough to amortise a job, small enough to retry cheaply. */
const batchSize = 500;

/** Waits for the log to go past `after` (`LogWaiter.wait`): true when it did, false on timeout or abort. */
export type WaitForSeq = (after: number, timeoutMs: number, signal?: AbortSignal) => Promise<boolean>;

interface Arrival {
  readonly events: readonly ClusterEvent[];
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (seqs: number[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Every `wait` submit of an ingress waiting for its events to reach the log,
 * watched by one loop: it reads the last seq, then the seqs of every event
 * still awaited in one HMGET, settles each submit whose events are all in
 * (or whose time is up), and sleeps on the log (`WaitForSeq`: one blocked
 * XREAD shared by the engine) until it grows past that last seq, or a new
 * submit comes to be checked. Two Redis calls per round however many
 * submits wait: each submit polling on its own every 5 ms made 500
 * waiting HTTP requests 100,000 calls a second.
 */
class ArrivalWatch {
  readonly #waiting = new Set<Arrival>();
  /** The loop runs (it ends when nobody waits). */
  #running = false;
  /** A submit came since the last round read the seqs: check before sleeping, or cut the sleep short. */
  #fresh = false;
  #sleep: AbortController | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly waitForSeq: WaitForSeq,
  ) {}

  /** Resolve with each event's seq once every one is in the log; reject after `timeoutMs`. */
  wait(events: readonly ClusterEvent[], timeoutMs: number): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.add({ events, deadline: Date.now() + timeoutMs, timeoutMs, resolve, reject });
      this.#fresh = true;
      this.#sleep?.abort();
      if (this.#running) return;
      this.#running = true;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    while (this.#waiting.size > 0) {
      this.#fresh = false;
      const waiting = [...this.#waiting];
      try {
        const after = await this.store.lastSeq();
        const seqs = await this.store.seqsOf(waiting.flatMap((arrival) => arrival.events));
        let next = Number.POSITIVE_INFINITY;
        let at = 0;
        for (const arrival of waiting) {
          const mine = seqs.slice(at, (at += arrival.events.length));
          const missing = mine.filter((seq) => seq === undefined).length;
          if (missing === 0) arrival.resolve(mine as number[]);
          else if (Date.now() >= arrival.deadline) arrival.reject(new Error(`timed out after ${arrival.timeoutMs} ms waiting for ${missing} event(s) to reach the log`));
          else {
            next = Math.min(next, arrival.deadline);
            continue;
          }
          this.#waiting.delete(arrival);
        }
        if (this.#waiting.size === 0 || this.#fresh) continue;
        const sleep = (this.#sleep = new AbortController());
        const sleepMs = Math.max(1, next - Date.now());
        const started = Date.now();
        const grew = await this.waitForSeq(after, sleepMs, sleep.signal);
        // Neither grown, cut short nor timed out: the watch of the log is closed (the engine is closing).
        if (!grew && !sleep.signal.aborted && Date.now() - started < sleepMs - 5) throw new Error('the log is no longer watched: the engine is closing');
      } catch (error) {
        // Redis failed: the submits waiting now fail (a 503 to an HTTP client); the next one starts again.
        for (const arrival of waiting) {
          this.#waiting.delete(arrival);
          arrival.reject(error);
        }
      } finally {
        this.#sleep = undefined;
      }
    }
    // In the same tick as the last check of the loop: a submit coming after it starts a new loop.
    this.#running = false;
  }
}

interface Pending {
  readonly events: ClusterEvent[];
  readonly done: { resolve: () => void; reject: (error: unknown) => void }[];
  timer?: NodeJS.Timeout;
}

export class QueueIngress implements EventIngress {
  private pending: Pending = { events: [], done: [] };
  private readonly arrivals: ArrivalWatch;

  /**
   * @param deadLetters where refused events and parked messages are kept.
   * @param limits each event's bounds (`admit`). Default `DefaultJsonLimits`: 64 deep, 1 MiB.
   * @param lingerMs how long an event may wait for others to share its job. Default 1 ms.
   * @param waitForSeq how a `wait` submit sleeps until the log grows (the engine's `LogWaiter`).
   * @param fence with `wait`, confirmed after the events are in the log (`EVERYNODE_WAIT_REPLICAS`). Default: none.
   */
  constructor(
    private readonly store: EventStore,
    private readonly queues: Queues,
    private readonly deadLetters: DeadLetterQueue,
    waitForSeq: WaitForSeq,
    private readonly limits: JsonLimits = DefaultJsonLimits,
    private readonly lingerMs = 1,
    private readonly fence?: ReplicationFence,
  ) {
    this.arrivals = new ArrivalWatch(store, waitForSeq);
  }

  async submit(events: readonly unknown[], options: SubmitOptions = {}): Promise<SubmitResult> {
    const receivedAt = Date.now();
    const daemonSets = await this.currentDaemonSets(events);
    const accepted: ClusterEvent[] = [];
    const refused: Refusal[] = [];
    events.forEach((raw, index) => {
      const admission = admit(raw, (ns, name) => daemonSets.get(`${ns}/${name}`), receivedAt, this.limits);
      if (admission.ok) {
        accepted.push(admission.event);
        return;
      }
      const { id, source } = (typeof raw === 'object' && raw !== null ? raw : {}) as { id?: unknown; source?: unknown };
      // The refused event's id and source, for the client to match: whole when within their bounds, else cut.
      refused.push({
        index,
        ...(typeof id === 'string' ? { id: truncateText(id, AttributeMaxChars.id) } : {}),
        ...(typeof source === 'string' ? { source: truncateText(source, AttributeMaxChars.source) } : {}),
        reason: admission.reason,
      });
    });
    await this.deadLetters.add(refused.map((r) => ({ kind: 'refused', message: events[r.index], reason: r.reason, ...(options.origin ? { origin: options.origin } : {}) })));
    if (accepted.length > 0) await this.enqueue(accepted);
    let conflicts: (string | undefined)[] = [];
    if (options.wait && accepted.length > 0) {
      const seqs = await this.arrivals.wait(accepted, options.timeoutMs ?? 10_000);
      await this.fence?.confirm();
      conflicts = await this.conflictsOf(accepted, seqs);
    }
    return { accepted: accepted.map((e, i) => ({ id: e.id, source: e.source, ...(conflicts[i] ? { conflict: conflicts[i] } : {}) })), refused };
  }

  async park(message: unknown, reason: string, origin: MessageOrigin): Promise<void> {
    await this.deadLetters.add([{ kind: 'parked', message, reason, origin }]);
  }

  async backlog(): Promise<number> {
    const counts = await this.queues.events.getJobCounts('waiting', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** Queue events: they join the pending batch, sent when full or `lingerMs` after it opened. */
  private enqueue(events: readonly ClusterEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const batch = this.pending;
      batch.events.push(...events);
      batch.done.push({ resolve, reject });
      if (batch.events.length >= batchSize) void this.flush(batch);
      else batch.timer ??= setTimeout(() => void this.flush(batch), this.lingerMs);
    });
  }

  private async flush(batch: Pending): Promise<void> {
    if (this.pending !== batch) return;
    clearTimeout(batch.timer);
    this.pending = { events: [], done: [] };
    try {
      for (let i = 0; i < batch.events.length; i += batchSize) {
        const events = batch.events.slice(i, i + batchSize);
        const first = events[0] as ClusterEvent;
        // One event keeps its own id as job id (a resubmission is then a BullMQ no-op); a batch gets BullMQ's.
        const opts = events.length === 1 ? { jobId: eventJobId(first) } : {};
        await this.queues.events.add(events.length === 1 ? first.type : 'batch', events.length === 1 ? first : events, opts);
      }
      for (const d of batch.done) d.resolve();
    } catch (error) {
      for (const d of batch.done) d.reject(error);
    }
  }

  private async currentDaemonSets(events: readonly unknown[]): Promise<Map<string, DaemonSet>> {
    const out = new Map<string, DaemonSet>();
    if (!events.some((e) => (e as { type?: unknown })?.type === EventType.DaemonSetApplied)) return out;
    for (const ds of await this.store.listDaemonSets()) out.set(`${ds.metadata.namespace}/${ds.metadata.name}`, ds);
    return out;
  }

  /** For each event that named a resourceVersion (`everynodeifversion`): why it changed nothing, when its precondition failed. */
  private async conflictsOf(events: readonly ClusterEvent[], seqs: readonly number[]): Promise<(string | undefined)[]> {
    return Promise.all(
      events.map(async (event, i) => {
        if (event[IfVersionAttribute] === undefined) return undefined;
        const [entry] = await this.store.readLog({ after: (seqs[i] as number) - 1, limit: 1 });
        const ignored = entry?.kind === 'event' ? entry.ignored : undefined;
        return ignored?.startsWith(PreconditionFailedPrefix) ? ignored : undefined;
      }),
    );
  }
}
