/**
 * One pod per qualifying node, none elsewhere: `manage` and `podsShouldBeOnNode`
 * (pkg/controller/daemon/daemon_controller.go).
 */
import type { Node, Pod } from '@everynode/api';
import { allowsSurge } from './budget.ts';
import { podCreateRequested, podDeleteRequested } from './decisions.ts';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { backoffRemaining, nextBackoff } from './failed-pod-backoff.ts';
import { isPodUpdated } from './history.ts';
import { daemonPodMaker } from './new-pod.ts';
import { daemonPodsByNode, sortedNodeNames } from './pods-by-node.ts';
import { compareByCreationTimestampAndPhase, isPodAvailable, isPodReady, isTerminating } from './pod-util.ts';
import { DeleteReason, type Decision, type FailedPodBackoff, type Millis, type PassContext } from './state.ts';

export interface StepResult {
  readonly decisions: Decision[];
  /** When a later pass must look again (a failed pod still in backoff). */
  readonly requeueAfterMs?: Millis;
}

interface NodePlan {
  create: boolean;
  deletes: { pod: Pod; reason: DeleteReason }[];
  /** A failed pod waits for its backoff: look again after this long. */
  waitMs?: Millis;
  /** A failed pod is killed now: the node's new backoff entry. */
  backoff?: FailedPodBackoff;
}

/**
 * `podsShouldBeOnNode`: what to create and delete on one node, given whether
 * the DaemonSet should run and should continue running there, and the pods
 * it has there.
 */
export function podsShouldBeOnNode(
  ctx: PassContext,
  nodeName: string,
  shouldRun: boolean,
  shouldContinueRunning: boolean,
  pods: readonly Pod[],
): NodePlan {
  const plan: NodePlan = { create: false, deletes: [] };
  if (shouldRun && pods.length === 0) {
    plan.create = true;
    return plan;
  }
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!isTerminating(pod)) plan.deletes.push({ pod, reason: DeleteReason.NodeIneligible });
    return plan;
  }

  const generation = ctx.ds.metadata.generation ?? 1;
  let backoff = ctx.controller.failedPodBackoff[nodeName];
  const running: Pod[] = [];
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    const phase = pod.status?.phase;
    if (phase === 'Failed') {
      // A kill starts a new backoff window, so a second failed pod on the node waits for it.
      const wait = backoffRemaining(backoff, generation, ctx.now);
      if (wait > 0) {
        plan.waitMs = Math.min(plan.waitMs ?? Infinity, wait);
        continue;
      }
      backoff = nextBackoff(backoff, generation, ctx.now);
      plan.backoff = backoff;
      plan.deletes.push({ pod, reason: DeleteReason.Failed });
    } else if (phase === 'Succeeded') {
      plan.deletes.push({ pod, reason: DeleteReason.Succeeded });
    } else {
      running.push(pod);
    }
  }

  if (!allowsSurge(ctx.ds)) {
    // Keep the bound, oldest pod; the rest go.
    running.sort(compareByCreationTimestampAndPhase);
    for (const extra of running.slice(1)) plan.deletes.push({ pod: extra, reason: DeleteReason.Duplicate });
    return plan;
  }

  if (running.length === 0) {
    // Under surge a terminating pod does not hold up its replacement.
    plan.create = shouldRun;
    return plan;
  }
  if (running.length > 1) planSurgeNode(ctx, running, plan);
  return plan;
}

/**
 * Surge: keep at most the oldest new and the oldest old pod; the old one goes
 * once it is not Ready or the new one is Available.
 */
function planSurgeNode(ctx: PassContext, running: Pod[], plan: NodePlan): void {
  running.sort(compareByCreationTimestampAndPhase);
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (isPodUpdated(pod, ctx.hash, ctx.ds)) {
      if (oldestNew === undefined) oldestNew = pod;
      else plan.deletes.push({ pod, reason: DeleteReason.Duplicate });
    } else if (oldestOld === undefined) {
      oldestOld = pod;
    } else {
      plan.deletes.push({ pod, reason: DeleteReason.Duplicate });
    }
  }
  if (oldestNew && oldestOld) {
    const minReady = ctx.ds.spec.minReadySeconds ?? 0;
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, ctx.now)) {
      plan.deletes.push({ pod: oldestOld, reason: DeleteReason.RollingUpdate });
    }
  }
}

/**
 * `manage`: plan every node, then create and delete. Pods on nodes that no
 * longer exist are deleted at once and stop counting (docs/contract.md §1; upstream
 * leaves bound ones to PodGC, which force-deletes them).
 */
export function manage(ctx: PassContext): StepResult {
  const byNode = daemonPodsByNode(ctx);
  const decisions: Decision[] = [];
  const createOn: string[] = [];
  let requeueAfterMs: Millis | undefined;

  for (const nodeName of sortedNodeNames(ctx)) {
    const node = ctx.nodes.get(nodeName) as Node;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ctx.ds);
    const plan = podsShouldBeOnNode(ctx, nodeName, shouldRun, shouldContinueRunning, byNode.get(nodeName) ?? []);
    if (plan.create) createOn.push(nodeName);
    if (plan.backoff) decisions.push({ type: 'FailedPodBackoffRecorded', node: nodeName, backoff: plan.backoff });
    for (const { pod, reason } of plan.deletes) decisions.push(podDeleteRequested(pod, nodeName, reason));
    if (plan.waitMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, plan.waitMs);
  }

  for (const [nodeName, pods] of byNode) {
    if (ctx.nodes.has(nodeName) || (ctx.scope && !ctx.scope.has(nodeName))) continue;
    for (const pod of pods) decisions.push(podDeleteRequested(pod, nodeName, DeleteReason.NodeRemoved, true));
  }

  decisions.push(...createPods(ctx, createOn));
  return requeueAfterMs === undefined ? { decisions } : { decisions, requeueAfterMs };
}

/** `syncNodes`' creations: one new pod per node, numbered from the DaemonSet's pod counter. */
export function createPods(ctx: PassContext, nodeNames: readonly string[]): Decision[] {
  const namespace = ctx.ds.metadata.namespace ?? 'default';
  const created = new Set<string>();
  const nameTaken = (name: string) => created.has(name) || ctx.pods.has(`${namespace}/${name}`);
  // One maker for the lot: the pods share what they have alike (`daemonPodMaker`).
  const make = daemonPodMaker(ctx.ds, ctx.hash, ctx.now);
  return nodeNames.map((nodeName, i) => {
    const pod = make(nodeName, ctx.controller.podSequence + i, nameTaken);
    created.add(pod.metadata.name);
    return podCreateRequested(pod, nodeName);
  });
}
