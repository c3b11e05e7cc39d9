/**
 * Events in: validated at the edge and queued on `events` in batches; a
 * refused one is answered with its reason and kept in the dead-letter queue.
 * With `wait`, the caller gets read-your-writes: the promise resolves once
 * every accepted event is in the log.
 */
import type { ClusterEvent, DaemonSet } from '@everynode/api';
import type { EventStore } from '@everynode/eventlog';
import type { EventIngress, Refusal, SubmitResult } from './ports.ts';
import { jobIdFor, type Queues } from './queues.ts';
import { admit } from './validate.ts';

/** Events per `events` job: big enough to amortise a job, small enough to retry cheaply. */
const batchSize = 500;

export class QueueIngress implements EventIngress {
  constructor(
    private readonly store: EventStore,
    private readonly queues: Queues,
  ) {}

  async submit(events: readonly unknown[], options: { wait?: boolean; timeoutMs?: number } = {}): Promise<SubmitResult> {
    const daemonSets = await this.currentDaemonSets(events);
    const accepted: ClusterEvent[] = [];
    const refused: Refusal[] = [];
    events.forEach((raw, index) => {
      const admission = admit(raw, (ns, name) => daemonSets.get(`${ns}/${name}`));
      if (admission.ok) {
        accepted.push(admission.event);
        return;
      }
      const { id, source } = (raw ?? {}) as { id?: unknown; source?: unknown };
      refused.push({
        index,
        ...(typeof id === 'string' ? { id } : {}),
        ...(typeof source === 'string' ? { source } : {}),
        reason: admission.reason,
      });
    });
    if (refused.length > 0) {
      await this.queues.deadLetter.addBulk(
        refused.map((r) => ({ name: 'refused', data: { event: events[r.index], reason: r.reason, at: new Date().toISOString() } })),
      );
    }
    for (let i = 0; i < accepted.length; i += batchSize) {
      const batch = accepted.slice(i, i + batchSize);
      const first = batch[0] as ClusterEvent;
      // One event keeps its own id as job id (a resubmission is then a BullMQ no-op); a batch gets BullMQ's.
      const opts = batch.length === 1 ? { jobId: jobIdFor(`${first.source}/${first.id}`) } : {};
      await this.queues.events.add(batch.length === 1 ? first.type : 'batch', batch.length === 1 ? first : batch, opts);
    }
    if (options.wait && accepted.length > 0) await this.waitForLog(accepted, options.timeoutMs ?? 10_000);
    return { accepted: accepted.map((e) => ({ id: e.id, source: e.source })), refused };
  }

  private async currentDaemonSets(events: readonly unknown[]): Promise<Map<string, DaemonSet>> {
    const out = new Map<string, DaemonSet>();
    if (!events.some((e) => (e as { type?: unknown })?.type === 'io.everynode.daemonset.applied')) return out;
    for (const ds of await this.store.listDaemonSets()) out.set(`${ds.metadata.namespace}/${ds.metadata.name}`, ds);
    return out;
  }

  /** Resolve when every event is in the log; reject after `timeoutMs`. */
  private async waitForLog(events: readonly ClusterEvent[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending = [...events];
    while (pending.length > 0) {
      const seqs = await Promise.all(pending.map((e) => this.store.seqOf(e)));
      pending = pending.filter((_, i) => seqs[i] === undefined);
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pending.length} event(s) to reach the log`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
