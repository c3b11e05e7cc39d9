/**
 * A reconcile pass: the engine's second operation. Fetch the DaemonSet's
 * view, decide (the pure core), record the decisions, the projection change
 * and the commands' outbox mark in one atomic commit — or nothing, if
 * something the pass writes changed meanwhile (then it reads again).
 *
 * A pass covers the nodes its dirty marks name (cost follows the change), or
 * every node when marked `*`, when a rollout is under way, or the first time.
 */
import {
  applyPass,
  decide,
  viewOf,
  type DaemonSetView,
  type NodeContribution,
  type PassResult,
} from '@everynode/daemonset';
import {
  AllNodes,
  CommitBuilder,
  CommitContention,
  type EventStore,
  LogSchemaVersion,
  OldTotalField,
  passEntryJson,
  type PassEntry,
  Slice,
} from '@everynode/eventlog/internal';

export interface PassOutcome {
  /** The pass's log seq, when it decided anything. */
  readonly seq?: number;
  readonly decisions: number;
  /** The decisions recorded, by type (`PodCreateRequested`: 3, …). */
  readonly decisionTypes?: Readonly<Record<string, number>>;
  readonly commands: number;
  /** Whether the pass covered every node. */
  readonly full: boolean;
  readonly nodes: number;
  /** Ask to look again after this long (failed-pod backoff, minReadySeconds). */
  readonly requeueAfterMs?: number;
  /** A full pass was found necessary: run another pass. */
  readonly again: boolean;
}

const encode = (c: NodeContribution) => `${c.desired}${c.current}${c.misscheduled}${c.ready}${c.available}${c.updated}${c.old}`;
const decode = (s: string): NodeContribution => {
  const [desired, current, misscheduled, ready, available, updated, old] = [...s].map(Number) as number[];
  return { desired, current, misscheduled, ready, available, updated, old } as NodeContribution;
};

/** Run one pass over `dsKey` at `now`. Retries lost races a few times, then throws `CommitContention`. */
export async function runPass(store: EventStore, dsKey: string, now: number): Promise<PassOutcome> {
  const { keys } = store;
  for (let attempt = 0; attempt < 10; attempt++) {
    const slice = new Slice(store.redis, keys);
    // Independent reads go out together (ioredis pipelines them): one round trip.
    const [{ marks, causes, oldTotal }] = await Promise.all([store.readPassMarks(dsKey), slice.load({ daemonSets: [dsKey] })]);
    const dirty = Object.keys(marks);
    if (dirty.length === 0) return { decisions: 0, commands: 0, full: false, nodes: 0, again: false };

    // Never passed over in full (no stored totals), or asked to: every node. Else only the marked ones,
    // reading only their contributions — a pass's cost follows the marks, not the cluster.
    const full = dirty.includes(AllNodes) || oldTotal === null;
    const record = slice.state.daemonSets.get(dsKey);
    if (record === undefined) {
      await store.forgetPassState(dsKey);
      return { decisions: 0, commands: 0, full, nodes: 0, again: false };
    }
    const stored = full ? await store.readContributions(dsKey) : {};
    const view = full ? await fullView(store, slice, dsKey) : await partialView(store, slice, dsKey, dirty, oldTotal, stored);
    const result = decide(view, now);
    if (view.scope && result.fullPassNeeded && result.decisions.length === 0) {
      await store.markAllDirty(dsKey);
      continue;
    }

    applyPass(slice.state, dsKey, result.decisions, now);
    const commit = new CommitBuilder(keys);
    // Commands are derived from the logged decisions when published (commandsOf); count them here.
    const commands = result.decisions.filter((d) => d.type === 'PodCreateRequested' || d.type === 'PodDeleteRequested');
    if (result.decisions.length > 0) {
      const entry: Omit<PassEntry, 'seq'> = {
        v: LogSchemaVersion,
        kind: 'pass',
        at: new Date(now).toISOString(),
        daemonSet: dsKey,
        decisions: result.decisions,
        causes: Object.keys(causes).map(Number).sort((a, b) => a - b),
        causedBy: causedByNode(causes),
      };
      const index = commit.entryJson(entry, passEntryJson(entry));
      if (commands.length > 0) commit.outboxPass(keys.outbox, index);
    }
    slice.writeChanges(commit);
    writeContributions(commit, store, dsKey, view, result, stored);
    for (const [node, count] of Object.entries(marks)) commit.hdecr(keys.dirty(dsKey), node, Number(count));
    for (const seq of Object.keys(causes)) commit.hdel(keys.causes(dsKey), seq);
    if (result.fullPassNeeded) commit.hincr(keys.dirty(dsKey), AllNodes);

    const outcome = await store.commit(commit);
    if (outcome.kind !== 'ok') continue;
    // Marks added during the pass come with their own pass request (keepLastIfActive queues it).
    return {
      ...(outcome.seqs[0] !== undefined ? { seq: outcome.seqs[0] } : {}),
      decisions: result.decisions.length,
      decisionTypes: countByType(result.decisions),
      commands: commands.length,
      full: !view.scope,
      nodes: view.nodes.size,
      ...(result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : {}),
      again: result.fullPassNeeded === true,
    };
  }
  throw new CommitContention(`pass over ${dsKey}: the objects it writes kept changing`);
}

/** `seq → node` as `node → seqs` (ascending), for the pass entry's `causedBy`. */
function causedByNode(causes: Record<string, string>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [seq, node] of Object.entries(causes)) (out[node] ??= []).push(Number(seq));
  for (const seqs of Object.values(out)) seqs.sort((a, b) => a - b);
  return out;
}

/** Every node, and every pod the DaemonSet controls or could adopt. */
async function fullView(store: EventStore, slice: Slice, dsKey: string): Promise<DaemonSetView> {
  const record = slice.state.daemonSets.get(dsKey);
  if (!record) throw new Error(`no DaemonSet ${dsKey}`);
  const namespace = record.daemonSet.metadata.namespace ?? 'default';
  await slice.load({ allNodes: true, pods: await store.podKeysOf(dsKey, namespace) });
  return viewFrom(slice, dsKey);
}

/** The dirty nodes, their pods, and the stored contributions of those nodes (filled into `stored`). */
async function partialView(
  store: EventStore,
  slice: Slice,
  dsKey: string,
  nodes: readonly string[],
  oldTotal: string | null,
  stored: Record<string, string>,
): Promise<DaemonSetView> {
  const names = [...nodes];
  const { contributions, nodes: values, podKeys } = await store.readNodeScope(dsKey, names);
  const scoped = new Map<string, NodeContribution>();
  names.forEach((name, i) => {
    const node = values[i];
    if (node) slice.state.nodes.set(name, node);
    const code = contributions[i];
    if (code) {
      stored[name] = code;
      scoped.set(name, decode(code));
    }
  });
  if (oldTotal !== null) stored[OldTotalField] = oldTotal;
  await slice.loadPods(podKeys);
  const view = viewFrom(slice, dsKey);
  return { ...view, scope: { nodes: new Set(names), contributions: scoped, oldTotal: Number(oldTotal ?? 0) } };
}

/** The pass's view of the slice (the core's `viewOf`: pods the DaemonSet controls, and orphans its selector matches). */
function viewFrom(slice: Slice, dsKey: string): DaemonSetView {
  const view = viewOf(slice.state, dsKey);
  if (!view) throw new Error(`no DaemonSet ${dsKey}`);
  return view;
}

function writeContributions(
  commit: CommitBuilder,
  store: EventStore,
  dsKey: string,
  view: DaemonSetView,
  result: PassResult,
  stored: Record<string, string>,
): void {
  const key = store.keys.contributions(dsKey);
  const changed = (node: string, code: string | undefined) => stored[node] !== code;
  const nodes = view.scope ? view.scope.nodes : new Set([...Object.keys(stored), ...result.contributions.keys()]);
  for (const node of nodes) {
    if (node === OldTotalField) continue;
    const c = result.contributions.get(node);
    const code = c ? encode(c) : undefined;
    if (!changed(node, code)) continue;
    if (code === undefined) commit.hdel(key, node);
    else commit.hset(key, node, code);
  }
  if (stored[OldTotalField] !== String(result.oldTotal)) commit.hset(key, OldTotalField, String(result.oldTotal));
}

function countByType(decisions: readonly { readonly type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { type } of decisions) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
