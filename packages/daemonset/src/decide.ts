/**
 * One pass over one DaemonSet: `syncDaemonSet` (pkg/controller/daemon/daemon_controller.go)
 * as a pure function of its view and `now`.
 *
 * Unlike upstream, a pass sees its own effects at once (there is no informer
 * lag, so no expectations are needed) and repeats manage and rollingUpdate
 * until they have nothing more to say: a pass decides everything it can, and
 * deciding again on the result yields nothing — that is what makes a
 * repeated message harmless. There is no cap of 250 pods per pass.
 */
import { isEmptySelector } from '@everynode/api';
import { applyDecisions, type DecisionTarget } from './apply.ts';
import { claimPods } from './claim.ts';
import { podDeleteRequested } from './decisions.ts';
import { cleanupHistory, constructHistory } from './history.ts';
import { manage, type PassContext } from './manage.ts';
import { nodeToDaemonPods } from './pods-by-node.ts';
import { isTerminating } from './pod-util.ts';
import { rollingUpdate } from './rolling-update.ts';
import { DeleteReason, type Decision, type DaemonSetView, type Millis, type PassResult } from './state.ts';
import { computeStatus, statusChanged } from './status.ts';

/** Rounds of manage + rollingUpdate before a pass stops; three suffice, more would mean a bug. */
const maxRounds = 8;

export function decide(view: DaemonSetView, now: Millis): PassResult {
  const target: DecisionTarget = {
    daemonSet: view.daemonSet,
    controller: view.controller,
    pods: new Map(view.pods),
    revisions: new Map(view.revisions),
  };
  const decisions: Decision[] = [];
  const record = (more: readonly Decision[]) => {
    applyDecisions(target, more, now);
    decisions.push(...more);
  };

  if (view.deleted) {
    record(deleteEverything(view));
    return { decisions, events: [] };
  }
  if (isEmptySelector(view.daemonSet.spec.selector)) {
    const message = 'This daemon set is selecting all pods. A non-empty selector is required.';
    return { decisions, events: [{ type: 'Warning', reason: 'SelectingAll', message }] };
  }

  record(claimedPods(view));
  const history = constructHistory({ ...view, ...target });
  record(history.decisions);

  let requeueAfterMs = Infinity;
  const context = (): PassContext => ({
    ds: target.daemonSet,
    nodes: view.nodes,
    pods: target.pods,
    controller: target.controller,
    hash: history.hash,
    now,
  });
  for (let round = 0; round < maxRounds; round++) {
    const managed = manage(context());
    record(managed.decisions);
    requeueAfterMs = Math.min(requeueAfterMs, managed.requeueAfterMs ?? Infinity);
    const updated = target.daemonSet.spec.updateStrategy?.type === 'RollingUpdate' ? rollingUpdate(context()).decisions : [];
    record(updated);
    if (managed.decisions.length === 0 && updated.length === 0) break;
  }

  record(cleanupHistory({ ...view, ...target }, history.current));
  const { status, requeueAfterMs: untilAvailable } = computeStatus(context(), history.collisionCount);
  if (statusChanged(target.daemonSet.status, status)) record([{ type: 'DaemonSetStatusUpdated', status }]);
  requeueAfterMs = Math.min(requeueAfterMs, untilAvailable ?? Infinity);

  return Number.isFinite(requeueAfterMs) ? { decisions, events: [], requeueAfterMs } : { decisions, events: [] };
}

function claimedPods(view: DaemonSetView): Decision[] {
  return claimPods(view.daemonSet, view.pods.values(), false);
}

/** A deleted DaemonSet's pods all go (a background cascading delete). */
function deleteEverything(view: DaemonSetView): Decision[] {
  const decisions: Decision[] = [];
  for (const [node, pods] of nodeToDaemonPods(view.daemonSet, view.pods.values(), true)) {
    const nodeExists = view.nodes.has(node);
    for (const pod of pods) {
      if (nodeExists && isTerminating(pod)) continue;
      decisions.push(podDeleteRequested(pod, node, DeleteReason.DaemonSetDeleted, !nodeExists));
    }
  }
  return decisions;
}
