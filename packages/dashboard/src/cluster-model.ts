/**
 * The cluster as the dashboard holds it, and what each cell of the grid
 * shows. Pure: lists and watch events in, a view out — the same functions
 * serve the live cluster (lists, then watches) and a past one (`/state?to=`).
 *
 * A cell is one node × one DaemonSet. Whether the node should run the
 * DaemonSet's pod is the controller's own predicate
 * (`nodeShouldRunDaemonPod`), and whether a pod runs the current template is
 * its `controller-revision-hash` against the template's hash — so the grid
 * says what the controller would, not an approximation of it.
 */
import { ControllerRevisionHashLabel, controllerOf, type DaemonSet, type Node, type Pod } from '@everynode/api';
import { computeHash, isPodReady, nodeShouldRunDaemonPod } from '@everynode/daemonset';

/** What a cell shows. */
export const CellState = {
  /** Running and Ready, on the current template. */
  Running: 'running',
  /** Not yet running, or running but not Ready. */
  Pending: 'pending',
  Failed: 'failed',
  /** The node should run a pod and has none (yet). */
  Missing: 'missing',
  /** No pod, and none wanted. */
  None: 'none',
  /** A pod on a node that should not run one. */
  Misscheduled: 'misscheduled',
  /** A pod of an older template (a rollout has yet to replace it), or one being deleted. */
  Updating: 'updating',
} as const;
export type CellState = (typeof CellState)[keyof typeof CellState];

/** A cell: its state and the pod it shows, if any. */
export interface Cell {
  readonly state: CellState;
  readonly pod?: Pod;
}

/** Nodes, DaemonSets and pods by key (`name` for nodes, `namespace/name` for the others). */
export interface ClusterView {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly daemonSets: ReadonlyMap<string, DaemonSet>;
  readonly pods: ReadonlyMap<string, Pod>;
}

/** The kinds a view holds. */
export type Kind = keyof ClusterView;

/** A Kubernetes watch event as the API streams it. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

interface Named {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string; readonly annotations?: Readonly<Record<string, string>> };
}

/** The annotation of the BOOKMARK that ends a watch's initial events (`sendInitialEvents=true`). */
export const InitialEventsEnd = 'k8s.io/initial-events-end';

/** Where in `events` the initial events end (the index of that BOOKMARK), or -1 when they go on. */
export function initialEventsEnd(events: readonly WatchEvent<Named>[]): number {
  return events.findIndex((e) => e.type === 'BOOKMARK' && e.object.metadata.annotations?.[InitialEventsEnd] === 'true');
}

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function keyOf(object: Named): string {
  const { namespace, name = '' } = object.metadata;
  return namespace === undefined ? name : `${namespace}/${name}`;
}

/** A view holding `items` of each kind. */
export function viewOf(lists: { nodes: readonly Node[]; daemonSets: readonly DaemonSet[]; pods: readonly Pod[] }): ClusterView {
  const byKey = <T extends Named>(items: readonly T[]) => new Map(items.map((item) => [keyOf(item), item]));
  return { nodes: byKey(lists.nodes), daemonSets: byKey(lists.daemonSets), pods: byKey(lists.pods) };
}

/** `view` with `events` applied, in order, to its `kind` (bookmarks and errors change nothing); one copy for the lot. */
export function applyWatchEvents<K extends Kind>(view: ClusterView, kind: K, events: readonly WatchEvent<Named>[]): ClusterView {
  const changes = events.filter((e) => e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED');
  if (changes.length === 0) return view;
  const next = new Map(view[kind] as ReadonlyMap<string, Named>);
  for (const event of changes) {
    if (event.type === 'DELETED') next.delete(keyOf(event.object));
    else next.set(keyOf(event.object), event.object);
  }
  return { ...view, [kind]: next };
}

/** The DaemonSet `pod` belongs to (`namespace/name`), if a DaemonSet controls it. */
export function ownerKeyOf(pod: Pod): string | undefined {
  const owner = controllerOf(pod.metadata);
  if (owner?.kind !== 'DaemonSet') return undefined;
  return `${pod.metadata.namespace ?? 'default'}/${owner.name}`;
}

/** The daemon pods by DaemonSet key, then node name: what the grid looks cells up in. */
export function podsByCell(pods: ReadonlyMap<string, Pod>): Map<string, Map<string, Pod[]>> {
  const out = new Map<string, Map<string, Pod[]>>();
  for (const pod of pods.values()) {
    const owner = ownerKeyOf(pod);
    const node = pod.spec.nodeName;
    if (owner === undefined || !node) continue;
    let byNode = out.get(owner);
    if (!byNode) out.set(owner, (byNode = new Map()));
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return out;
}

/** The template hash pods of `ds` carry when they are up to date. */
export function currentHashOf(ds: DaemonSet): string {
  return computeHash(ds.spec.template, ds.status?.collisionCount);
}

/** A pod's own state, ignoring whether it belongs on its node. */
export function podState(pod: Pod, currentHash: string): CellState {
  if (pod.metadata.deletionTimestamp !== undefined) return CellState.Updating;
  if (pod.status?.phase === 'Failed') return CellState.Failed;
  const hash = pod.metadata.labels?.[ControllerRevisionHashLabel];
  if (hash !== undefined && hash !== currentHash) return CellState.Updating;
  if (pod.status?.phase === 'Running' && isPodReady(pod)) return CellState.Running;
  return CellState.Pending;
}

/**
 * The cell of `node` × `ds`, given the DaemonSet's pods on the node
 * (`pods`) and its current hash: misscheduled when the node should not run
 * it and a pod is there; missing when it should and none is; otherwise the
 * state of the pod that counts (a live one before a terminating one).
 */
export function cellOf(node: Node, ds: DaemonSet, pods: readonly Pod[], currentHash: string): Cell {
  const { shouldContinueRunning, shouldRun } = nodeShouldRunDaemonPod(node, ds);
  const live = pods.filter((pod) => pod.metadata.deletionTimestamp === undefined);
  const pod = live[0] ?? pods[0];
  if (!pod) return { state: shouldRun ? CellState.Missing : CellState.None };
  if (!shouldContinueRunning && live.length > 0) return { state: CellState.Misscheduled, pod };
  return { state: podState(pod, currentHash), pod };
}

/** A label filter: `key=value` pairs and bare `key`s, comma-separated (a small `labelSelector`); empty matches every node. */
export function nodeMatches(node: Node, filter: string): boolean {
  const labels = node.metadata.labels ?? {};
  for (const term of filter.split(',').map((t) => t.trim()).filter((t) => t !== '')) {
    const at = term.indexOf('=');
    if (at === -1) {
      if (!(term in labels) && !(node.metadata.name ?? '').includes(term)) return false;
    } else if (labels[term.slice(0, at).trim()] !== term.slice(at + 1).trim()) return false;
  }
  return true;
}

/** One row of the grid: a node and its cells, in the order of `daemonSets`. */
export interface GridRow {
  readonly node: Node;
  readonly cells: readonly Cell[];
}

/** The grid: the DaemonSets as columns (by key), the nodes `filter` matches as rows (by name). */
export interface Grid {
  readonly columns: readonly DaemonSet[];
  readonly rows: readonly GridRow[];
  /** How many cells are in each state. */
  readonly counts: Readonly<Record<CellState, number>>;
}

const sortedValues = <T>(map: ReadonlyMap<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** The grid of `view`, its nodes narrowed by `filter`. */
export function gridOf(view: ClusterView, filter = ''): Grid {
  const columns = sortedValues(view.daemonSets);
  const hashes = columns.map(currentHashOf);
  const cellsBy = podsByCell(view.pods);
  const counts = Object.fromEntries(Object.values(CellState).map((s) => [s, 0])) as Record<CellState, number>;
  const rows: GridRow[] = [];
  for (const node of sortedValues(view.nodes)) {
    if (!nodeMatches(node, filter)) continue;
    const name = node.metadata.name ?? '';
    const cells = columns.map((ds, i) => cellOf(node, ds, cellsBy.get(keyOf(ds))?.get(name) ?? [], hashes[i] as string));
    for (const cell of cells) counts[cell.state]++;
    rows.push({ node, cells });
  }
  return { columns, rows, counts };
}

/** The highest resourceVersion among `objects` and `since`: how far the view has seen the log. */
export function newestSeq(since: number, objects: Iterable<Named>): number {
  let seq = since;
  for (const object of objects) {
    const rv = Number(object.metadata.resourceVersion);
    if (Number.isInteger(rv) && rv > seq) seq = rv;
  }
  return seq;
}
