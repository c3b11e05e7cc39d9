/**
 * RollingUpdate: replace old pods within the budget — `rollingUpdate`,
 * `findUpdatedPodsOnNode` (pkg/controller/daemon/update.go) and
 * `updatedDesiredNodeCounts` (daemon_controller.go).
 *
 * Nodes are visited in name order (upstream walks a Go map, in no order);
 * only the counts are Kubernetes' promise, and ours are the same.
 */
import type { Node, Pod } from '@everynode/api';
import { rollingUpdateBudget } from './budget.ts';
import { podDeleteRequested } from './decisions.ts';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { isPodUpdated } from './history.ts';
import { createPods, type StepResult } from './manage.ts';
import { daemonPodsByNode, sortedNodeNames } from './pods-by-node.ts';
import { isPodAvailable, isTerminating } from './pod-util.ts';
import { DeleteReason, type Decision, type PassContext } from './state.ts';

/**
 * The pods of a node split into at most one new and one old, ignoring
 * terminating ones; `undefined` when there are more (manage prunes them first).
 */
export function findUpdatedPodsOnNode(
  ctx: PassContext,
  pods: readonly Pod[],
): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (isPodUpdated(pod, ctx.hash, ctx.ds)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}) };
}

/** The DaemonSet's pods per node, with an empty entry for every node that should run one. */
function desiredNodePods(ctx: PassContext): { byNode: Map<string, readonly Pod[]>; desired: number } {
  const grouped = daemonPodsByNode(ctx);
  let desired = 0;
  // Walked in name order, every node with pods or that should run one; pods on no node of
  // the pass (a node removed) are placed among them after, in name order too.
  const out = new Map<string, readonly Pod[]>();
  let elsewhere = 0;
  for (const name of sortedNodeNames(ctx)) {
    const pods = grouped.get(name);
    if (nodeShouldRunDaemonPod(ctx.nodes.get(name) as Node, ctx.ds).shouldRun) {
      desired++;
      out.set(name, pods ?? []);
    } else if (pods !== undefined) out.set(name, pods);
  }
  for (const name of grouped.keys()) if (!ctx.nodes.has(name)) elsewhere++;
  if (elsewhere === 0) return { byNode: out, desired };
  return { byNode: new Map([...out, ...[...grouped].filter(([name]) => !ctx.nodes.has(name))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), desired };
}

/** `rollingUpdate`: the deletions (and, when surging, creations) this pass may make. */
export function rollingUpdate(ctx: PassContext): StepResult {
  const { byNode, desired } = desiredNodePods(ctx);
  const { maxSurge, maxUnavailable } = rollingUpdateBudget(ctx.ds, desired);
  return maxSurge === 0 ? replaceWithinUnavailable(ctx, byNode, maxUnavailable) : replaceBySurge(ctx, byNode, maxSurge, desired);
}

/**
 * Without surge: delete old pods while no more than `maxUnavailable` nodes
 * are without an available pod; manage creates the replacements. Old pods
 * that are not available are replaced regardless — they serve nothing.
 */
function replaceWithinUnavailable(ctx: PassContext, byNode: ReadonlyMap<string, readonly Pod[]>, maxUnavailable: number): StepResult {
  const minReady = ctx.ds.spec.minReadySeconds ?? 0;
  let numUnavailable = 0;
  const toDelete: { pod: Pod; node: string }[] = [];
  const candidates: { pod: Pod; node: string }[] = [];
  for (const [node, pods] of byNode) {
    const found = findUpdatedPodsOnNode(ctx, pods);
    if (found === undefined) {
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if ((oldPod === undefined) === (newPod === undefined)) {
      numUnavailable++;
    } else if (newPod) {
      if (!isPodAvailable(newPod, minReady, ctx.now)) numUnavailable++;
    } else if (oldPod && !isPodAvailable(oldPod, minReady, ctx.now)) {
      toDelete.push({ pod: oldPod, node });
      numUnavailable++;
    } else if (oldPod && numUnavailable < maxUnavailable) {
      candidates.push({ pod: oldPod, node });
    }
  }
  const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
  const decisions: Decision[] = [...toDelete, ...candidates.slice(0, remaining)].map(({ pod, node }) =>
    podDeleteRequested(pod, node, DeleteReason.RollingUpdate),
  );
  return { decisions };
}

/**
 * With surge: start a new pod beside an old one on up to `maxSurge` nodes
 * (at once where the old pod is not available); manage deletes the old pod
 * once the new one is available. Pods on nodes that no longer qualify go only
 * while availability stays at 100 %.
 */
function replaceBySurge(ctx: PassContext, byNode: ReadonlyMap<string, readonly Pod[]>, maxSurge: number, desired: number): StepResult {
  const minReady = ctx.ds.spec.minReadySeconds ?? 0;
  const available = (pod: Pod) => isPodAvailable(pod, minReady, ctx.now);
  const shouldRun = (node: string) => {
    const n: Node | undefined = ctx.nodes.get(node);
    return n !== undefined && nodeShouldRunDaemonPod(n, ctx.ds).shouldRun;
  };
  const toDelete: { pod: Pod; node: string }[] = [];
  const shouldNotRun: { pod: Pod; node: string }[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;

  for (const [node, pods] of byNode) {
    const found = findUpdatedPodsOnNode(ctx, pods);
    if (found === undefined) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable++;

    if (oldPod === undefined) continue;
    if (newPod === undefined) {
      if (!available(oldPod)) {
        if (!shouldRun(node)) toDelete.push({ pod: oldPod, node });
        else allowedNewNodes.push(node);
      } else if (!shouldRun(node)) {
        shouldNotRun.push({ pod: oldPod, node });
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(node);
      }
    } else if (!available(newPod)) {
      numSurge++;
    } else {
      toDelete.push({ pod: oldPod, node });
    }
  }

  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRun.length);
  toDelete.push(...shouldNotRun.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  const createOn = [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)];

  const decisions: Decision[] = toDelete.map(({ pod, node }) => podDeleteRequested(pod, node, DeleteReason.RollingUpdate));
  decisions.push(...createPods(ctx, createOn));
  return { decisions };
}
