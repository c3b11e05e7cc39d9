/**
 * Accepting events: the engine's first operation. Each validated event is
 * appended to the log once per `(source, id)` — a repeat changes nothing —
 * and folded into the projection by the core's `evolve`, and the DaemonSets
 * it concerns are marked dirty (with the event's seq as a cause of the next
 * pass), all in one atomic commit.
 *
 * Fetch (the slice of the projection the events touch), decide (`evolve`),
 * record (one commit, guarded by the rv of every object read): a lost race
 * is read again and retried.
 */
import { type ClusterEvent, EventType, IfVersionAttribute, type Pod, preconditionFailed } from '@everynode/api';
import { evolve, targetNodeName, type Evolution } from '@everynode/daemonset';
import { AllNodes, CommitBuilder, CommitContention, dedupeField, type EventEntry, type EventStore, LogSchemaVersion, Slice } from '@everynode/eventlog/internal';

/** What became of one submitted event. */
export interface Acceptance {
  readonly id: string;
  readonly source: string;
  /** Its log sequence number (the first one, if it was a duplicate). */
  readonly seq: number;
  readonly duplicate: boolean;
  readonly applied: boolean;
  readonly ignored?: string;
}

/** Commits tried before giving up with `CommitContention` (transient: the job is retried). */
const attempts = 20;

/**
 * Accept validated `events`, in order, at `at` (ms: the acceptance time).
 * Returns what became of each, and the DaemonSet keys that need a pass.
 */
export async function acceptEvents(store: EventStore, events: readonly ClusterEvent[], at: number): Promise<{ results: Acceptance[]; dirty: Set<string> }> {
  const results = new Map<number, Acceptance>();
  const all = () => events.map((_, i) => results.get(i)).filter((r): r is Acceptance => r !== undefined);
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Which are already in the log, and what the rest touch: read together, one round trip.
    const candidates = events.map((e, i) => [e, i] as const).filter(([, i]) => !results.has(i));
    const [, slice] = await Promise.all([markKnown(store, events, results), sliceFor(store, candidates.map(([e]) => e))]);
    // A second copy of an event in this batch (two deliveries that shared a job) is a duplicate of the first.
    const firstOf = new Map<string, number>();
    const copies: [index: number, of: number][] = [];
    const pending = candidates.filter(([event, i]) => {
      if (results.has(i)) return false;
      const first = firstOf.get(dedupeField(event));
      if (first === undefined) firstOf.set(dedupeField(event), i);
      else copies.push([i, first]);
      return first === undefined;
    });
    if (pending.length === 0) break;
    const commit = new CommitBuilder(store.keys);
    const outcomes: { index: number; evolution: Evolution; entry: number }[] = [];
    // Objects an earlier event of this commit changes: a later one naming a resourceVersion for them names an old one.
    const changed = new Set<string>();
    for (const [event, index] of pending) {
      const failed = preconditionOf(event, slice, changed);
      const evolution: Evolution = failed === undefined ? evolve(slice.state, event) : { applied: false, affected: [], ignored: failed };
      if (evolution.applied) changed.add(objectKeyOf(event));
      const body: Omit<EventEntry, 'seq'> = {
        v: LogSchemaVersion,
        kind: 'event',
        at: new Date(at).toISOString(),
        event,
        applied: evolution.applied,
        ...(evolution.ignored ? { ignored: evolution.ignored } : {}),
      };
      const entry = commit.entry(body, dedupeField(event));
      markDirty(store, commit, slice, event, evolution, entry);
      outcomes.push({ index, evolution, entry });
    }
    slice.writeChanges(commit);
    const outcome = await store.commit(commit);
    // A conflict is read again; a duplicate means another worker won, and markKnown picks it up next round.
    if (outcome.kind !== 'ok') continue;
    for (const { index, evolution, entry } of outcomes) {
      const event = events[index];
      const seq = outcome.seqs[entry];
      if (event === undefined || seq === undefined) throw new Error(`commit answered no seq for entry ${entry}`);
      results.set(index, {
        id: event.id,
        source: event.source,
        seq,
        duplicate: false,
        applied: evolution.applied,
        ...(evolution.ignored ? { ignored: evolution.ignored } : {}),
      });
    }
    for (const [index, of] of copies) {
      const event = events[index] as ClusterEvent;
      results.set(index, { id: event.id, source: event.source, seq: (results.get(of) as Acceptance).seq, duplicate: true, applied: false });
    }
    return { results: all(), dirty: dirtyOf(slice, outcomes.map((o) => o.evolution)) };
  }
  if (results.size === events.length) return { results: all(), dirty: new Set() };
  throw new CommitContention('could not accept events: the objects they touch kept changing');
}

/** Record, for events already in the log, that they are duplicates. */
async function markKnown(store: EventStore, events: readonly ClusterEvent[], results: Map<number, Acceptance>): Promise<void> {
  const unknown = events.map((e, i) => [e, i] as const).filter(([, i]) => !results.has(i));
  if (unknown.length === 0) return;
  const seqs = await store.seqsOf(unknown.map(([e]) => e));
  unknown.forEach(([event, index], i) => {
    const seq = seqs[i];
    if (seq !== undefined) results.set(index, { id: event.id, source: event.source, seq, duplicate: true, applied: false });
  });
}

/** Read what the events touch: their nodes, pods and DaemonSets (for writing), and every DaemonSet record. */
async function sliceFor(store: EventStore, events: readonly ClusterEvent[]): Promise<Slice> {
  const slice = new Slice(store.redis, store.keys);
  const nodes = new Set<string>();
  const pods = new Set<string>();
  const daemonSets = new Set<string>();
  for (const event of events) {
    const meta = event.data.metadata;
    if (isNodeEvent(event)) nodes.add(meta.name ?? '');
    else if (isPodEvent(event)) pods.add(`${meta.namespace ?? 'default'}/${meta.name}`);
    else daemonSets.add(`${meta.namespace ?? 'default'}/${meta.name}`);
  }
  await slice.load({ nodes: [...nodes], pods: [...pods], daemonSets: [...daemonSets], allDaemonSets: true });
  return slice;
}

/** The key of the object `event` changes, as `{p}:rv` names it. */
function objectKeyOf(event: ClusterEvent): string {
  const meta = event.data.metadata;
  if (isNodeEvent(event)) return `node/${meta.name ?? ''}`;
  return `${isPodEvent(event) ? 'pod' : 'ds'}/${meta.namespace ?? 'default'}/${meta.name}`;
}

/**
 * Why `event`'s precondition fails (`everynodeifversion`: its object must be
 * at that resourceVersion), or undefined when it holds or there is none. The
 * commit is guarded by the rv read, so a change after this read makes the
 * commit read again and check again: two writers naming one version cannot
 * both pass.
 */
function preconditionOf(event: ClusterEvent, slice: Slice, changed: ReadonlySet<string>): string | undefined {
  const expected = event[IfVersionAttribute];
  if (typeof expected !== 'string') return undefined;
  const key = objectKeyOf(event);
  const current = slice.rvOf(key) ?? '0';
  if (changed.has(key)) return preconditionFailed(expected, 'a newer version, from an event just before it');
  return expected === current ? undefined : preconditionFailed(expected, current);
}

const isNodeEvent = (event: ClusterEvent) => event.type === EventType.NodeJoined || event.type === EventType.NodeUpdated || event.type === EventType.NodeRemoved;
const isPodEvent = (event: ClusterEvent) => event.type === EventType.PodStatus || event.type === EventType.PodDeleted;

/** Dirty marks and causes for one event: which DaemonSets must look again, at which nodes. */
function markDirty(store: EventStore, commit: CommitBuilder, slice: Slice, event: ClusterEvent, evolution: Evolution, entry: number): void {
  if (!evolution.applied) return;
  const mark = (dsKey: string, node: string) => {
    commit.hincr(store.keys.dirty(dsKey), node);
    // Which node the event concerns, so the pass can name the causes of each decision.
    commit.hsetSeq(store.keys.causes(dsKey), entry, node);
  };
  if (evolution.affected === 'all') {
    const node = event.data.metadata.name ?? '';
    for (const [dsKey, record] of slice.state.daemonSets) if (!record.deleted) mark(dsKey, node);
    return;
  }
  for (const dsKey of evolution.affected) {
    if (!isNodeEvent(event) && !isPodEvent(event)) {
      mark(dsKey, AllNodes);
      continue;
    }
    const meta = event.data.metadata;
    const podKey = `${meta.namespace ?? 'default'}/${meta.name}`;
    const pod = slice.state.pods.get(podKey) ?? slice.podAsRead(podKey);
    const reported: Pod | undefined = event.type === EventType.PodStatus ? event.data : undefined;
    const node = (pod && targetNodeName(pod)) ?? reported?.spec.nodeName ?? AllNodes;
    mark(dsKey, node);
  }
}

/** The DaemonSets the applied events concern. */
function dirtyOf(slice: Slice, evolutions: readonly Evolution[]): Set<string> {
  const out = new Set<string>();
  for (const evolution of evolutions) {
    if (!evolution.applied) continue;
    if (evolution.affected === 'all') {
      for (const [dsKey, record] of slice.state.daemonSets) if (!record.deleted) out.add(dsKey);
    } else {
      for (const dsKey of evolution.affected) out.add(dsKey);
    }
  }
  return out;
}
