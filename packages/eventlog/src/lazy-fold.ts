/**
 * The fold of a replay. Most of a long history is node events (every change
 * of every node) and pod status reports (every change of every pod), and
 * each mostly overwrites what the one before it left. So those are folded
 * from their index lines (`log-index.ts`, `header.ts`) with the core's own
 * rules — `nodeVersionAfter`, `podReportIgnored` — and each object is built
 * once, when something reads it or the fold is done, from the few bodies
 * that decide it:
 *
 * - a node: the body of its last upsert, with the creation time of its
 *   incarnation (`nodeCreationTimestamp`, from the line of its first);
 * - a pod: as it stood before the reports (or as the first one created it),
 *   then `podAfterReport` with the last report's node and status and the
 *   labels of the last report that gave any.
 *
 * Every other entry is read and folded whole with `evolve` / `applyPass`;
 * first, the objects it reads are built: a node event's node, a pod event's
 * pod, the pods a pass decides about.
 */
import { EventType, EventTypePrefix, type Node, type Pod } from '@everynode/api';
import {
  applyPass,
  type ClusterState,
  type Decision,
  evolve,
  nodeAsStored,
  nodeCreationTimestamp,
  nodeEventApplies,
  nodeVersionAfter,
  type ObjectVersion,
  podAfterReport,
  podReportIgnored,
  podVersionAfterReport,
} from '@everynode/daemonset';
import type { EventEntry, LogEntry } from './entries.ts';
import { type IndexCursor, readRuns, runsOf } from './log-index.ts';
import { entryOf, type EventStore } from './store.ts';

/** Fold one log entry into `state` (whole). */
export function applyEntry(state: ClusterState, entry: LogEntry): void {
  if (entry.kind === 'event') evolve(state, entry.event);
  else applyPass(state, entry.daemonSet, entry.decisions, Date.parse(entry.at));
}

/** The entry types folded from their index lines. */
export const HeaderFoldedTypes: readonly string[] = [EventType.NodeJoined, EventType.NodeUpdated, EventType.NodeRemoved, EventType.PodStatus];

/** A node whose events were folded from their lines. It is the node's version meanwhile (`at`, `deleted`), updated in place. */
interface PendingNode extends ObjectVersion {
  readonly kind: 'node';
  readonly name: string;
  readonly creationTimestamp: string;
  at: number;
  readonly deleted: false;
  /** The last upsert applied: its body is the node. */
  lastSeq: number;
}

/**
 * A pod whose status reports were folded from their lines. It is the pod's
 * version meanwhile (`at`, `deleted`, `uid`) and stands for the pod in the
 * core's checks (`metadata.uid`); only `at` and the seqs change.
 */
interface PendingPod extends ObjectVersion {
  readonly kind: 'pod';
  /** `namespace/name`. */
  readonly name: string;
  /** The pod before the reports; undefined when the first report (`firstSeq`) created it. */
  readonly base: Pod | undefined;
  readonly firstSeq: number;
  readonly firstAt: number;
  /** The pod's own uid, for the core's checks. */
  readonly metadata: { readonly uid: string | undefined };
  at: number;
  readonly deleted: false;
  readonly uid: string | undefined;
  lastSeq: number;
  /** The last report after the first that gave labels. */
  labelsSeq: number | undefined;
}

type Pending = PendingNode | PendingPod;

/** Stands in `state.nodes` / `state.pods` for a pending object until it is built, so the maps keep evolve's order. */
const Unbuilt = Object.freeze({ metadata: { name: '' } }) as unknown as Node & Pod;

/** See the module's comment. */
export class LazyFold {
  /** By object key (`node/NAME`, `pod/NS/NAME`: the keys of `state.versions`). */
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly store: EventStore,
    readonly state: ClusterState,
  ) {}

  /** Fold an entry known by its index line (one of `HeaderFoldedTypes`). */
  line(line: IndexCursor): void {
    if (line.typeIs(EventType.PodStatus)) this.#podStatus(line);
    else this.#nodeEvent(line);
  }

  /** What `evolve` does with a node event, the node's body left for later. */
  #nodeEvent(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pending.get(key) as PendingNode | undefined;
    const time = line.time;
    const known = pending ?? this.state.versions.get(key);
    if (!nodeEventApplies(known, time)) return;
    const removed = line.typeIs(EventType.NodeRemoved);
    if (pending && !removed) {
      pending.at = time;
      pending.lastSeq = line.seq;
      return;
    }
    if (!key.startsWith('node/')) throw new Error(`log index: entry ${line.seq} is a node event about ${key}`);
    const name = key.slice('node/'.length);
    this.state.versions.set(key, nodeVersionAfter(known, time, removed) as ObjectVersion);
    if (removed) {
      this.state.nodes.delete(name);
      this.#pending.delete(key);
      return;
    }
    const previous = this.state.nodes.get(name);
    const creationTimestamp = nodeCreationTimestamp(previous, line.extra(0), time);
    this.#pending.set(key, { kind: 'node', name, creationTimestamp, at: time, deleted: false, lastSeq: line.seq });
    if (previous === undefined) this.state.nodes.set(name, Unbuilt);
  }

  /** What `evolve` does with a pod status report, the bodies left for later. */
  #podStatus(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pending.get(key) as PendingPod | undefined;
    const uidField = line.extra(0);
    const reportedUid = uidField === '-' ? undefined : uidField;
    const time = line.time;
    if (pending) {
      if (podReportIgnored(pending, pending, reportedUid, time) !== undefined) return;
      pending.at = time;
      pending.lastSeq = line.seq;
      if (line.extra(1) === 'labels') pending.labelsSeq = line.seq;
      return;
    }
    if (!key.startsWith('pod/')) throw new Error(`log index: entry ${line.seq} is a pod status report about ${key}`);
    const name = key.slice('pod/'.length);
    const current = this.state.pods.get(name);
    const known = this.state.versions.get(key);
    if (podReportIgnored(current, known, reportedUid, time) !== undefined) return;
    // The pod's uid, and its version's: a report that applies names none or the pod's own, so later ones leave it.
    const uid = reportedUid ?? current?.metadata.uid;
    const labelsSeq = current !== undefined && line.extra(1) === 'labels' ? line.seq : undefined;
    this.#pending.set(key, { kind: 'pod', name, base: current, firstSeq: line.seq, firstAt: time, metadata: { uid }, at: time, deleted: false, uid, lastSeq: line.seq, labelsSeq });
    if (known === undefined) this.state.versions.set(key, podVersionAfterReport(time, uid));
    if (current === undefined) this.state.pods.set(name, Unbuilt);
  }

  /** Fold an entry read whole, once the objects it reads are built. */
  async entry(entry: LogEntry): Promise<void> {
    const reads = readsOf(entry).filter((key) => this.#pending.has(key));
    if (reads.length > 0) await this.build(reads);
    applyEntry(this.state, entry);
  }

  /** Build every pending object. */
  async finish(): Promise<void> {
    await this.build([...this.#pending.keys()]);
  }

  /** Build the pending objects of these keys, reading the bodies they need in chunks that overlap the parsing. */
  async build(keys: readonly string[]): Promise<void> {
    const wanted = keys.map((key) => [key, this.#pending.get(key) as Pending] as const).sort((a, b) => a[1].lastSeq - b[1].lastSeq);
    const chunks: (typeof wanted)[] = [];
    for (let i = 0; i < wanted.length; i += 2000) chunks.push(wanted.slice(i, i + 2000));
    const reads = chunks.map((chunk) => readRuns(this.store, runsOf(bodiesNeeded(chunk.map(([, p]) => p)))));
    for (const [i, chunk] of chunks.entries()) {
      const bodies = new Map(await reads[i]);
      const data = (seq: number) => {
        const json = bodies.get(seq);
        if (json === undefined) throw new Error(`log entry ${seq} is gone: was the log trimmed during the replay?`);
        return (entryOf(json, seq) as EventEntry).event.data;
      };
      for (const [key, pending] of chunk) {
        if (pending.kind === 'node') {
          this.state.nodes.set(pending.name, nodeAsStored(data(pending.lastSeq) as Node, pending.creationTimestamp));
          this.state.versions.set(key, nodeVersionAfter(undefined, pending.at, false) as ObjectVersion);
        } else {
          this.state.pods.set(pending.name, builtPod(pending, data as (seq: number) => Pod));
          this.state.versions.set(key, podVersionAfterReport(pending.at, pending.uid));
        }
        this.#pending.delete(key);
      }
    }
  }
}

/** The pod the reports folded into `pending` leave. */
function builtPod(pending: PendingPod, report: (seq: number) => Pod): Pod {
  const start = pending.base ?? podAfterReport(undefined, report(pending.firstSeq), pending.firstAt);
  if (pending.base === undefined && pending.lastSeq === pending.firstSeq) return start;
  // The reports after the start, in one: the last one's node and status, the labels of the last that gave any.
  const last = report(pending.lastSeq);
  const labels = pending.labelsSeq === undefined ? undefined : report(pending.labelsSeq).metadata.labels;
  return podAfterReport(start, { metadata: { ...last.metadata, labels }, spec: last.spec, status: last.status }, pending.at);
}

/** The seqs whose bodies build these pending objects, ascending. */
function bodiesNeeded(pending: readonly Pending[]): number[] {
  const seqs = new Set<number>();
  for (const p of pending) {
    seqs.add(p.lastSeq);
    if (p.kind === 'pod') {
      if (p.base === undefined) seqs.add(p.firstSeq);
      if (p.labelsSeq !== undefined) seqs.add(p.labelsSeq);
    }
  }
  return [...seqs].sort((a, b) => a - b);
}

/** The object keys (`node/NAME`, `pod/NS/NAME`) an entry's fold reads, of those folded from lines. */
function readsOf(entry: LogEntry): string[] {
  if (entry.kind === 'event') {
    const { type, data } = entry.event as EventEntry['event'];
    const meta = data.metadata as { name?: string; namespace?: string };
    if (type.startsWith(EventTypePrefix.Node)) return [`node/${meta.name ?? ''}`];
    if (type.startsWith(EventTypePrefix.Pod)) return [`pod/${meta.namespace ?? 'default'}/${meta.name ?? ''}`];
    return [];
  }
  return entry.decisions.map(podOf).filter((key): key is string => key !== undefined);
}

/** The pod a decision reads or writes, as an object key. */
function podOf(d: Decision): string | undefined {
  if (d.type === 'PodCreateRequested') return `pod/${d.pod.metadata.namespace}/${d.pod.metadata.name}`;
  return 'namespace' in d && 'name' in d ? `pod/${d.namespace}/${d.name}` : undefined;
}
