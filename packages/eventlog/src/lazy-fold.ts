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
 * The core's `ClusterState` holds real nodes and pods only. Meanwhile the
 * fold keeps nodes and pods in maps of its own (`LazyState`), whose slots
 * hold either the object or, until it is built, its `PendingNode` /
 * `PendingPod` — in the order `evolve` would have given the objects, which a
 * pending object keeps by holding its slot. An entry read whole is folded by
 * the core into a `ClusterState` of the objects it reads (built first; the
 * DaemonSets and versions are the fold's own), and what it leaves is put
 * back in the slots, in the same order the core's maps would have had.
 * `finish` builds what is still pending and gives the state.
 */
import { EventType, type Node, type Pod } from '@everynode/api';
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
class PendingNode implements ObjectVersion {
  readonly deleted = false;
  constructor(
    /** `node/NAME`. */
    readonly key: string,
    readonly name: string,
    readonly creationTimestamp: string,
    public at: number,
    /** The last upsert applied: its body is the node. */
    public lastSeq: number,
  ) {}
}

/**
 * A pod whose status reports were folded from their lines. It is the pod's
 * version meanwhile (`at`, `deleted`, `uid`) and stands for the pod in the
 * core's checks (`metadata.uid`); only `at` and the seqs change.
 */
class PendingPod implements ObjectVersion {
  readonly deleted = false;
  /** The pod's own uid, for the core's checks. */
  readonly metadata: { readonly uid: string | undefined };
  at: number;
  lastSeq: number;
  /** The last report after the first that gave labels. */
  labelsSeq: number | undefined;
  constructor(
    /** `pod/NS/NAME`. */
    readonly key: string,
    /** `NS/NAME`. */
    readonly name: string,
    /** The pod before the reports; undefined when the first report (`firstSeq`) created it. */
    readonly base: Pod | undefined,
    readonly firstSeq: number,
    readonly firstAt: number,
    readonly uid: string | undefined,
    labelsSeq: number | undefined,
  ) {
    this.metadata = { uid };
    this.at = firstAt;
    this.lastSeq = firstSeq;
    this.labelsSeq = labelsSeq;
  }
}

type Pending = PendingNode | PendingPod;

/**
 * The fold's state: the core's, but that a node or pod not built yet holds
 * its slot (and so its place in the order) as its pending object.
 */
interface LazyState {
  readonly nodes: Map<string, Node | PendingNode>;
  readonly pods: Map<string, Pod | PendingPod>;
  readonly daemonSets: ClusterState['daemonSets'];
  readonly versions: ClusterState['versions'];
}

/**
 * A map an entry read whole is folded into: it remembers the keys deleted,
 * so that a key deleted and set again (which moves it to the end of a map)
 * is moved in the fold's map too.
 */
class ScratchMap<V> extends Map<string, V> {
  readonly deleted = new Set<string>();

  override delete(key: string): boolean {
    this.deleted.add(key);
    return super.delete(key);
  }

  override clear(): void {
    this.deleted.clear();
    super.clear();
  }

  /** Put what the fold left here back into `slots`, in the order a fold into `slots` itself would have left; then clear. */
  putBack<S>(slots: Map<string, V | S>): void {
    for (const key of this.deleted) if (!this.has(key)) slots.delete(key);
    // Set in place unless deleted meanwhile: a new key, or one set again, goes to the end, in the order it came.
    for (const [key, value] of this) {
      if (this.deleted.has(key)) slots.delete(key);
      slots.set(key, value);
    }
    this.clear();
  }
}

/** See the module's comment. */
export class LazyFold {
  readonly #state: ClusterState;
  readonly #lazy: LazyState;
  /** Pending objects by object key (`node/NAME`, `pod/NS/NAME`: the keys of `state.versions`). */
  readonly #pendingNodes = new Map<string, PendingNode>();
  readonly #pendingPods = new Map<string, PendingPod>();
  /** What an entry read whole is folded into: the objects it reads, the fold's DaemonSets and versions. */
  readonly #scratch: { readonly nodes: ScratchMap<Node>; readonly pods: ScratchMap<Pod>; readonly state: ClusterState };

  /** Fold on from `state`, which `finish` gives back folded (its nodes and pods are the fold's own until then). */
  constructor(
    private readonly store: EventStore,
    state: ClusterState,
  ) {
    this.#state = state;
    this.#lazy = { nodes: new Map(state.nodes), pods: new Map(state.pods), daemonSets: state.daemonSets, versions: state.versions };
    state.nodes.clear();
    state.pods.clear();
    const nodes = new ScratchMap<Node>();
    const pods = new ScratchMap<Pod>();
    this.#scratch = { nodes, pods, state: { nodes, pods, daemonSets: state.daemonSets, versions: state.versions } };
  }

  /** Fold an entry known by its index line (one of `HeaderFoldedTypes`). */
  line(line: IndexCursor): void {
    if (line.typeIs(EventType.PodStatus)) this.#podStatus(line);
    else this.#nodeEvent(line);
  }

  /** What `evolve` does with a node event, the node's body left for later. */
  #nodeEvent(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pendingNodes.get(key);
    const time = line.time;
    const { nodes, versions } = this.#lazy;
    const known = pending ?? versions.get(key);
    if (!nodeEventApplies(known, time)) return;
    const removed = line.typeIs(EventType.NodeRemoved);
    if (pending && !removed) {
      pending.at = time;
      pending.lastSeq = line.seq;
      return;
    }
    if (!key.startsWith('node/')) throw new Error(`log index: entry ${line.seq} is a node event about ${key}`);
    const name = key.slice('node/'.length);
    versions.set(key, nodeVersionAfter(known, time, removed) as ObjectVersion);
    if (removed) {
      nodes.delete(name);
      this.#pendingNodes.delete(key);
      return;
    }
    const previous = built(nodes.get(name), key);
    const creationTimestamp = nodeCreationTimestamp(previous, line.extra(0), time);
    const node = new PendingNode(key, name, creationTimestamp, time, line.seq);
    this.#pendingNodes.set(key, node);
    // In place when the node is there: it keeps its place in the order.
    nodes.set(name, node);
  }

  /** What `evolve` does with a pod status report, the bodies left for later. */
  #podStatus(line: IndexCursor): void {
    const key = line.object;
    const pending = this.#pendingPods.get(key);
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
    const { pods, versions } = this.#lazy;
    const current = built(pods.get(name), key);
    const known = versions.get(key);
    if (podReportIgnored(current, known, reportedUid, time) !== undefined) return;
    // The pod's uid, and its version's: a report that applies names none or the pod's own, so later ones leave it.
    const uid = reportedUid ?? current?.metadata.uid;
    const labelsSeq = current !== undefined && line.extra(1) === 'labels' ? line.seq : undefined;
    const pod = new PendingPod(key, name, current, line.seq, time, uid, labelsSeq);
    this.#pendingPods.set(key, pod);
    if (known === undefined) versions.set(key, podVersionAfterReport(time, uid));
    pods.set(name, pod);
  }

  /** Fold an entry read whole, once the objects it reads are built. */
  async entry(entry: LogEntry): Promise<void> {
    const reads = readsOf(entry);
    const unbuilt = reads.filter((key) => this.#pendingNodes.has(key) || this.#pendingPods.has(key));
    if (unbuilt.length > 0) await this.build(unbuilt);
    const { nodes, pods, state } = this.#scratch;
    for (const key of reads) {
      if (key.startsWith('node/')) {
        const name = key.slice('node/'.length);
        const node = built(this.#lazy.nodes.get(name), key);
        if (node !== undefined) nodes.set(name, node);
      } else {
        const name = key.slice('pod/'.length);
        const pod = built(this.#lazy.pods.get(name), key);
        if (pod !== undefined) pods.set(name, pod);
      }
    }
    applyEntry(state, entry);
    nodes.putBack(this.#lazy.nodes);
    pods.putBack(this.#lazy.pods);
  }

  /** Build every pending object, and give the state folded (the one the fold began with). */
  async finish(): Promise<ClusterState> {
    await this.build([...this.#pendingNodes.keys(), ...this.#pendingPods.keys()]);
    for (const [name, node] of this.#lazy.nodes) this.#state.nodes.set(name, built(node, `node/${name}`));
    for (const [name, pod] of this.#lazy.pods) this.#state.pods.set(name, built(pod, `pod/${name}`));
    return this.#state;
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
    for (let i = 0; i < sorted.length; i += 2000) chunks.push(sorted.slice(i, i + 2000));
    const reads = chunks.map((chunk) => readRuns(this.store, runsOf(bodiesNeeded(chunk))));
    const { nodes, pods, versions } = this.#lazy;
    for (const [i, chunk] of chunks.entries()) {
      const bodies = new Map(await reads[i]);
      const body = (seq: number): LogEntry => {
        const json = bodies.get(seq);
        if (json === undefined) throw new Error(`log entry ${seq} is gone: was the log trimmed during the replay?`);
        return entryOf(json, seq);
      };
      for (const pending of chunk) {
        if (pending instanceof PendingNode) {
          nodes.set(pending.name, nodeAsStored(upsertedNode(body(pending.lastSeq)), pending.creationTimestamp));
          versions.set(pending.key, nodeVersionAfter(undefined, pending.at, false) as ObjectVersion);
          this.#pendingNodes.delete(pending.key);
        } else {
          pods.set(pending.name, builtPod(pending, (seq) => reportedPod(body(seq))));
          versions.set(pending.key, podVersionAfterReport(pending.at, pending.uid));
          this.#pendingPods.delete(pending.key);
        }
      }
    }
  }
}

/** The object in a slot (or none), which must not be pending (`key` names it in the error). */
function built<T>(slot: T | Pending, key: string): T {
  if (slot instanceof PendingNode || slot instanceof PendingPod) throw new Error(`replay: ${key} is read before it is built`);
  return slot;
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
    if (p instanceof PendingPod) {
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
    if (type.startsWith('io.everynode.node.')) return [`node/${meta.name ?? ''}`];
    if (type.startsWith('io.everynode.pod.')) return [`pod/${meta.namespace ?? 'default'}/${meta.name ?? ''}`];
    return [];
  }
  return entry.decisions.map(podOf).filter((key): key is string => key !== undefined);
}

/** The pod a decision reads or writes, as an object key. */
function podOf(d: Decision): string | undefined {
  if (d.type === 'PodCreateRequested') return `pod/${d.pod.metadata.namespace}/${d.pod.metadata.name}`;
  return 'namespace' in d && 'name' in d ? `pod/${d.namespace}/${d.name}` : undefined;
}
