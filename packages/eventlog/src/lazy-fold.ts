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
 *
 * ## The fold's state
 *
 * The core's `ClusterState` holds real nodes and pods only: an object not
 * built yet is not in it, but in the fold's own maps of pending objects
 * (`PendingNode`, `PendingPod`). The state's node and pod maps are
 * `OrderKeepingMap`s, which keep the order `evolve` gives the objects — a
 * pending object keeps its place there while it is out of the map — and
 * `finish` gives the state built, in that order.
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
  timestamp,
} from '@everynode/daemonset';
import type { EventEntry, LogEntry } from './entries.ts';
import { type IndexCursor, readRuns, runsOf } from './log-index.ts';
import { entryOf, type EventStore } from './store.ts';

/** Fold one log entry into `state` (whole). */
export function applyEntry(state: ClusterState, entry: LogEntry): void {
  if (entry.kind === 'event') evolve(state, entry.event);
  else applyPass(state, entry.daemonSet, entry.decisions, Date.parse(entry.at));
}

/** A pod status report's uid extra when the report names none (`header.ts`). */
const NoUid = '-';

/** The entry types folded from their index lines. */
export const HeaderFoldedTypes: readonly string[] = [EventType.NodeJoined, EventType.NodeUpdated, EventType.NodeRemoved, EventType.PodStatus];

/** A node whose events were folded from their lines. It is the node's version meanwhile (`at`, `deleted`), updated in place. */
interface PendingNode extends ObjectVersion {
  readonly kind: 'node';
  /** `node/NAME`. */
  readonly key: string;
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
  /** `pod/NS/NAME`. */
  readonly key: string;
  /** `NS/NAME`. */
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

/**
 * A node or pod map of the fold's state: real objects only, which also
 * keeps its keys in the order `evolve` gives them, in a set of its own. A
 * pending object holds its place (`reserve`, `setAside`) while it is out of
 * the map; built, it takes it back (`restore`). `copyInOrder` gives the map
 * in that order.
 */
class OrderKeepingMap<V> extends Map<string, V> {
  /** The keys of the map and the reserved ones, in order. */
  readonly #order = new Set<string>();

  override set(key: string, value: V): this {
    // A key the set holds keeps its place, as a map's does when set again.
    this.#order.add(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.#order.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.#order.clear();
    super.clear();
  }

  /** Take a place at the end for a new object folded elsewhere until it is built. */
  reserve(key: string): void {
    this.#order.add(key);
  }

  /** Take an object out of the map while it is folded elsewhere; its key keeps its place. */
  setAside(key: string): void {
    super.delete(key);
  }

  /** Put an object reserved or set aside back, built, in its place. */
  restore(key: string, value: V): void {
    super.set(key, value);
  }

  /** Put the objects into `target` in order; a reserved key must hold its object again (`what` names the kind). */
  copyInOrder(target: Map<string, V>, what: string): void {
    for (const key of this.#order) {
      const value = this.get(key);
      if (value === undefined) throw new Error(`replay: ${what} ${key} was never built`);
      target.set(key, value);
    }
  }
}

/** See the module's comment. */
export class LazyFold {
  /** The state the fold began with, which `finish` gives back folded. */
  readonly #start: ClusterState;
  /** The state the core folds into: the start's DaemonSets and versions, its nodes and pods in `OrderKeepingMap`s. */
  readonly #state: ClusterState;
  readonly #nodes = new OrderKeepingMap<Node>();
  readonly #pods = new OrderKeepingMap<Pod>();
  /** Pending objects by object key (`node/NAME`, `pod/NS/NAME`: the keys of `state.versions`). */
  readonly #pendingNodes = new Map<string, PendingNode>();
  readonly #pendingPods = new Map<string, PendingPod>();

  /** Fold on from `state`, which `finish` gives back folded (its nodes and pods are the fold's own until then). `chunkSize`: objects built per read of their bodies. */
  constructor(
    private readonly store: EventStore,
    state: ClusterState,
    private readonly chunkSize = 2000,
  ) {
    this.#start = state;
    for (const [name, node] of state.nodes) this.#nodes.set(name, node);
    for (const [key, pod] of state.pods) this.#pods.set(key, pod);
    state.nodes.clear();
    state.pods.clear();
    this.#state = { nodes: this.#nodes, pods: this.#pods, daemonSets: state.daemonSets, versions: state.versions };
  }

  /** Fold an entry known by its index line (one of `HeaderFoldedTypes`). */
  line(line: IndexCursor): void {
    if (line.typeIs(EventType.PodStatus)) this.#podStatus(line);
    else this.#nodeEvent(line);
  }

  /** The last time `#timestamp` wrote, and what it wrote. */
  #lastTime = Number.NaN;
  #lastTimestamp = '';

  /**
   * `timestamp(time)`, the creation time `nodeCreationTimestamp` gives a node
   * that names none, kept for the next node: nodes submitted together join
   * in the same millisecond, and `toISOString` was ~1 µs a node.
   */
  #timestamp(time: number): string {
    if (time !== this.#lastTime) {
      this.#lastTimestamp = timestamp(time);
      this.#lastTime = time;
    }
    return this.#lastTimestamp;
  }

  /** What `evolve` does with a node event, the node's body left for later. */
  #nodeEvent(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pendingNodes.get(key);
    const time = line.time;
    const known = pending ?? this.#state.versions.get(key);
    if (!nodeEventApplies(known, time)) return;
    const removed = line.typeIs(EventType.NodeRemoved);
    if (pending && !removed) {
      pending.at = time;
      pending.lastSeq = line.seq;
      return;
    }
    if (!key.startsWith('node/')) throw new Error(`log index: entry ${line.seq} is a node event about ${key}`);
    const name = key.slice('node/'.length);
    this.#state.versions.set(key, nodeVersionAfter(known, time, removed) as ObjectVersion);
    if (removed) {
      this.#nodes.delete(name);
      this.#pendingNodes.delete(key);
      return;
    }
    const previous = this.#nodes.get(name);
    const creationTimestamp = nodeCreationTimestamp(previous, line.extra(0) ?? this.#timestamp(time), time);
    this.#pendingNodes.set(key, { kind: 'node', key, name, creationTimestamp, at: time, deleted: false, lastSeq: line.seq });
    if (previous === undefined) this.#nodes.reserve(name);
    else this.#nodes.setAside(name);
  }

  /** What `evolve` does with a pod status report, the bodies left for later. */
  #podStatus(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pendingPods.get(key);
    const time = line.time;
    if (pending) {
      // The report names no uid or the pod's own (read in place: a uid string per report is most of the garbage of a pod history).
      const reportedUid = line.extraIs(0, NoUid) ? undefined : pending.uid !== undefined && line.extraIs(0, pending.uid) ? pending.uid : line.extra(0);
      if (podReportIgnored(pending, pending, reportedUid, time) !== undefined) return;
      pending.at = time;
      pending.lastSeq = line.seq;
      if (line.extraIs(1, 'labels')) pending.labelsSeq = line.seq;
      return;
    }
    const uidField = line.extra(0);
    const reportedUid = uidField === NoUid ? undefined : uidField;
    if (!key.startsWith('pod/')) throw new Error(`log index: entry ${line.seq} is a pod status report about ${key}`);
    const name = key.slice('pod/'.length);
    const current = this.#pods.get(name);
    const known = this.#state.versions.get(key);
    if (podReportIgnored(current, known, reportedUid, time) !== undefined) return;
    // The pod's uid, and its version's: a report that applies names none or the pod's own, so later ones leave it.
    const uid = reportedUid ?? current?.metadata.uid;
    const labelsSeq = current !== undefined && line.extraIs(1, 'labels') ? line.seq : undefined;
    this.#pendingPods.set(key, { kind: 'pod', key, name, base: current, firstSeq: line.seq, firstAt: time, metadata: { uid }, at: time, deleted: false, uid, lastSeq: line.seq, labelsSeq });
    if (known === undefined) this.#state.versions.set(key, podVersionAfterReport(time, uid));
    if (current === undefined) this.#pods.reserve(name);
    else this.#pods.setAside(name);
  }

  /** Fold an entry read whole, once the objects it reads are built. */
  async entry(entry: LogEntry): Promise<void> {
    const reads = readsOf(entry).filter((key) => this.#pendingNodes.has(key) || this.#pendingPods.has(key));
    if (reads.length > 0) await this.build(reads);
    applyEntry(this.#state, entry);
  }

  /** Build every pending object, and give the state folded (the one the fold began with). */
  async finish(): Promise<ClusterState> {
    await this.build([...this.#pendingNodes.keys(), ...this.#pendingPods.keys()]);
    this.#nodes.copyInOrder(this.#start.nodes, 'node');
    this.#pods.copyInOrder(this.#start.pods, 'pod');
    return this.#start;
  }

  /** Build the pending objects of these keys, reading the bodies they need in chunks that overlap the parsing. */
  async build(keys: readonly string[]): Promise<void> {
    const wanted = new Set<Pending>();
    for (const key of keys) {
      const pending = this.#pendingNodes.get(key) ?? this.#pendingPods.get(key);
      if (pending !== undefined) wanted.add(pending);
    }
    const sorted = [...wanted].sort((a, b) => a.lastSeq - b.lastSeq);
    const chunks: Pending[][] = [];
    for (let i = 0; i < sorted.length; i += this.chunkSize) chunks.push(sorted.slice(i, i + this.chunkSize));
    // Two chunks are read ahead of the one built: Redis and the wire overlap the parsing, and no more
    // bodies are held than that (all of a big state's at once were tens of MB for the GC to copy).
    const reads: Promise<[number, string][]>[] = [];
    const readAhead = (upTo: number) => {
      for (let i = reads.length; i < Math.min(upTo, chunks.length); i++) reads.push(readRuns(this.store, runsOf(bodiesNeeded(chunks[i] as Pending[]))));
    };
    const { versions } = this.#state;
    for (const [i, chunk] of chunks.entries()) {
      readAhead(i + 3);
      const bodies = new Map(await reads[i]);
      const body = (seq: number): LogEntry => {
        const json = bodies.get(seq);
        if (json === undefined) throw new Error(`log entry ${seq} is gone: was the log trimmed during the replay?`);
        return entryOf(json, seq);
      };
      for (const pending of chunk) {
        if (pending.kind === 'node') {
          this.#nodes.restore(pending.name, nodeAsStored(upsertedNode(body(pending.lastSeq)), pending.creationTimestamp));
          versions.set(pending.key, nodeVersionAfter(undefined, pending.at, false) as ObjectVersion);
          this.#pendingNodes.delete(pending.key);
        } else {
          this.#pods.restore(pending.name, builtPod(pending, (seq) => reportedPod(body(seq))));
          versions.set(pending.key, podVersionAfterReport(pending.at, pending.uid));
          this.#pendingPods.delete(pending.key);
        }
      }
    }
  }
}

/** The node an upsert gives (its index line said it is one). */
function upsertedNode(entry: LogEntry): Node {
  if (entry.kind === 'event' && (entry.event.type === EventType.NodeJoined || entry.event.type === EventType.NodeUpdated)) return entry.event.data;
  throw new Error(`log entry ${entry.seq} is not a node upsert, though its index line says so`);
}

/** The pod a status report gives (its index line said it is one). */
function reportedPod(entry: LogEntry): Pod {
  if (entry.kind === 'event' && entry.event.type === EventType.PodStatus) return entry.event.data;
  throw new Error(`log entry ${entry.seq} is not a pod status report, though its index line says so`);
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
