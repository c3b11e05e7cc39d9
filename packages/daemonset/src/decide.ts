/**
 * One pass over one DaemonSet: `syncDaemonSet` (pkg/controller/daemon/daemon_controller.go)
 * as a pure function of its view and `now`.
 *
 * Unlike upstream, a pass sees its own effects at once (there is no informer
 * lag, so no expectations are needed) and repeats manage and rollingUpdate
 * until they have nothing more to say: a pass decides everything it can, and
 * deciding again on the result yields nothing — that is what makes a
 * repeated message harmless. There is no cap of 250 pods per pass.
 *
 * A pass may cover a few nodes only (`view.scope`), when nothing but those
 * nodes can change: no rollout under way, the template's revision current.
 */
import { isEmptySelector, type Pod } from '@everynode/api';
import { applyDecisions, changesPods, type DecisionTarget } from './apply.ts';
import { claimPods } from './claim.ts';
import { dependentsDecisions, isBeingDeleted } from './deletion.ts';
import { cleanupHistory, constructHistory } from './history.ts';
import { manage } from './manage.ts';
import { nodeToDaemonPods } from './pods-by-node.ts';
import { rollingUpdate } from './rolling-update.ts';
import {
  type Decision,
  type DaemonSetView,
  type Millis,
  type NodeContribution,
  type PartialScope,
  type PassContext,
  type PassResult,
} from './state.ts';
import {
  addContribution,
  nodeContributions,
  noContribution,
  statusChanged,
  statusFrom,
  totalsOf,
  untilNextAvailable,
} from './status.ts';

/** Rounds of manage + rollingUpdate before a pass stops; three suffice, more would mean a bug. */
const maxRounds = 8;

export function decide(view: DaemonSetView, now: Millis): PassResult {
  const { scope } = view;
  if (scope && !partialPassPossible(view, scope)) return { ...nothing(scope), fullPassNeeded: true };

  const target: DecisionTarget = {
    daemonSet: view.daemonSet,
    controller: view.controller,
    pods: new Map(view.pods),
    revisions: new Map(view.revisions),
  };
  const decisions: Decision[] = [];
  // The pods by node, grouped once for as long as the pods and the DaemonSet's uid (all the grouping reads of it) stay.
  let byNode: { uid: string | undefined; map: ReadonlyMap<string, readonly Pod[]> } | undefined;
  const podsByNode = () => {
    const { uid } = target.daemonSet.metadata;
    if (byNode === undefined || byNode.uid !== uid) byNode = { uid, map: nodeToDaemonPods(target.daemonSet, target.pods.values()) };
    return byNode.map;
  };
  let names: readonly string[] | undefined;
  const nodeNames = () => (names ??= [...view.nodes.keys()].sort());
  const record = (more: readonly Decision[]) => {
    if (more.length === 0) return;
    applyDecisions(target, more, now);
    if (more.some(changesPods)) byNode = undefined;
    decisions.push(...more);
  };

  // Upstream's controller leaves a DaemonSet being deleted to the garbage collector; here the pass plays it.
  if (view.deleted || isBeingDeleted(view.daemonSet)) {
    record(dependentsDecisions(view));
    return { decisions, events: [], contributions: new Map(), oldTotal: 0 };
  }
  if (isEmptySelector(view.daemonSet.spec.selector)) {
    const message = 'This daemon set is selecting all pods. A non-empty selector is required.';
    return { ...nothing(scope), events: [{ type: 'Warning', reason: 'SelectingAll', message }] };
  }

  record(claimPods(view.daemonSet, view.pods.values(), false));
  const history = constructHistory({ ...view, ...target }, now);
  if (scope && history.decisions.length > 0) return { ...nothing(scope), fullPassNeeded: true };
  record(history.decisions);

  let requeueAfterMs = Infinity;
  const context = (): PassContext => ({
    ds: target.daemonSet,
    nodes: view.nodes,
    pods: target.pods,
    controller: target.controller,
    hash: history.hash,
    now,
    ...(scope ? { scope: scope.nodes } : {}),
    podsByNode,
    nodeNames,
  });
  const rolling = !scope && target.daemonSet.spec.updateStrategy?.type === 'RollingUpdate';
  for (let round = 0; round < maxRounds; round++) {
    const managed = manage(context());
    record(managed.decisions);
    requeueAfterMs = Math.min(requeueAfterMs, managed.requeueAfterMs ?? Infinity);
    const updated = rolling ? rollingUpdate(context()).decisions : [];
    record(updated);
    if (managed.decisions.length === 0 && updated.length === 0) break;
  }
  if (!scope) record(cleanupHistory({ ...view, ...target }, history.current));

  const contributions = nodeContributions(context());
  const totals = scope ? partialTotals(view, scope, contributions) : sum(contributions.values());
  const status = statusFrom(context(), totals, history.collisionCount);
  if (statusChanged(target.daemonSet.status, status)) record([{ type: 'DaemonSetStatusUpdated', status }]);
  requeueAfterMs = Math.min(requeueAfterMs, untilNextAvailable(context()) ?? Infinity);

  return {
    decisions,
    events: [],
    contributions,
    oldTotal: totals.old,
    ...(scope && totals.old > 0 ? { fullPassNeeded: true } : {}),
    ...(Number.isFinite(requeueAfterMs) ? { requeueAfterMs } : {}),
  };
}

/** A partial pass is exact only when the whole cluster runs the current template and it was observed. */
function partialPassPossible(view: DaemonSetView, scope: PartialScope): boolean {
  const ds = view.daemonSet;
  return !view.deleted && !isBeingDeleted(ds) && scope.oldTotal === 0 && ds.status?.observedGeneration === (ds.metadata.generation ?? 1);
}

function nothing(scope: PartialScope | undefined): PassResult {
  return { decisions: [], events: [], contributions: scope ? scope.contributions : new Map(), oldTotal: scope?.oldTotal ?? 0 };
}

function sum(contributions: Iterable<NodeContribution>): NodeContribution {
  let total = noContribution;
  for (const c of contributions) total = addContribution(total, c);
  return total;
}

/** The stored totals with the scope's old contributions replaced by its new ones. */
function partialTotals(view: DaemonSetView, scope: PartialScope, fresh: ReadonlyMap<string, NodeContribution>): NodeContribution {
  let totals = totalsOf(view.daemonSet.status, scope.oldTotal);
  for (const node of scope.nodes) {
    totals = addContribution(totals, scope.contributions.get(node) ?? noContribution, -1);
    totals = addContribution(totals, fresh.get(node) ?? noContribution);
  }
  return totals;
}
