/**
 * The DaemonSet's status, counted as `updateDaemonSetStatus`
 * (pkg/controller/daemon/daemon_controller.go) counts it, and when a pass
 * must look again because a pod will become available with time.
 *
 * Status is a sum over nodes, so it is computed from per-node contributions:
 * a pass over a few nodes can update the sum without reading the others.
 */
import type { DaemonSetStatus, Node, Pod } from '@everynode/api';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { isPodUpdated } from './history.ts';
import { daemonPodsByNode } from './pods-by-node.ts';
import { compareByCreationTimestampAndPhase, isPodAvailable, isPodReady, isTerminating, readySince } from './pod-util.ts';
import type { Millis, NodeContribution, PassContext } from './state.ts';

export const noContribution: NodeContribution = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0, old: 0 };

/**
 * A node's share of the status: `desired` if it should run a pod; of those,
 * `current` if it has one, and — for the oldest — `ready`, `available`,
 * `updated`; `misscheduled` if it should not run one but has one.
 */
export function nodeContribution(ctx: PassContext, node: Node, pods: readonly Pod[] | undefined): NodeContribution {
  const { shouldRun } = nodeShouldRunDaemonPod(node, ctx.ds);
  const old = pods?.some((p) => !isTerminating(p) && !isPodUpdated(p, ctx.hash, ctx.ds)) ? 1 : 0;
  if (!shouldRun) return { ...noContribution, misscheduled: pods ? 1 : 0, old };
  if (!pods) return { ...noContribution, desired: 1 };
  const pod = [...pods].sort(compareByCreationTimestampAndPhase)[0] as Pod;
  const ready = isPodReady(pod) ? 1 : 0;
  const available = ready && isPodAvailable(pod, ctx.ds.spec.minReadySeconds ?? 0, ctx.now) ? 1 : 0;
  const updated = isPodUpdated(pod, ctx.hash, ctx.ds) ? 1 : 0;
  return { desired: 1, current: 1, misscheduled: 0, ready, available, updated, old };
}

/** Every existing node's contribution (nodes that do not exist never count). */
export function nodeContributions(ctx: PassContext): Map<string, NodeContribution> {
  const byNode = daemonPodsByNode(ctx);
  const out = new Map<string, NodeContribution>();
  for (const [name, node] of ctx.nodes) out.set(name, nodeContribution(ctx, node, byNode.get(name)));
  return out;
}

/** `a + sign × b`, field by field. */
export function addContribution(a: NodeContribution, b: NodeContribution, sign: 1 | -1 = 1): NodeContribution {
  return {
    desired: a.desired + sign * b.desired,
    current: a.current + sign * b.current,
    misscheduled: a.misscheduled + sign * b.misscheduled,
    ready: a.ready + sign * b.ready,
    available: a.available + sign * b.available,
    updated: a.updated + sign * b.updated,
    old: a.old + sign * b.old,
  };
}

/** The totals a stored status stands for (`old` is not part of Kubernetes' status; it comes from the contributions). */
export function totalsOf(status: DaemonSetStatus | undefined, old: number): NodeContribution {
  return {
    desired: status?.desiredNumberScheduled ?? 0,
    current: status?.currentNumberScheduled ?? 0,
    misscheduled: status?.numberMisscheduled ?? 0,
    ready: status?.numberReady ?? 0,
    available: status?.numberAvailable ?? 0,
    updated: status?.updatedNumberScheduled ?? 0,
    old,
  };
}

/** The status for `totals`, observing the DaemonSet's generation. */
export function statusFrom(ctx: PassContext, totals: NodeContribution, collisionCount: number): DaemonSetStatus {
  return {
    ...ctx.ds.status,
    currentNumberScheduled: totals.current,
    numberMisscheduled: totals.misscheduled,
    desiredNumberScheduled: totals.desired,
    numberReady: totals.ready,
    observedGeneration: ctx.ds.metadata.generation ?? 1,
    updatedNumberScheduled: totals.updated,
    numberAvailable: totals.available,
    numberUnavailable: totals.desired - totals.available,
    ...(collisionCount > 0 ? { collisionCount } : {}),
  };
}

/**
 * The soonest a Ready pod of the DaemonSet becomes Available, from now — any
 * such pod may unblock a rolling update, not only the ones status counts.
 */
export function untilNextAvailable(ctx: PassContext): Millis | undefined {
  const minReady = ctx.ds.spec.minReadySeconds ?? 0;
  let next = Infinity;
  for (const pods of daemonPodsByNode(ctx).values()) {
    for (const pod of pods) {
      if (!isPodReady(pod) || isPodAvailable(pod, minReady, ctx.now)) continue;
      const since = readySince(pod);
      // Available only strictly after ready time + minReadySeconds.
      if (since !== undefined) next = Math.min(next, since + minReady * 1000 + 1);
    }
  }
  return Number.isFinite(next) ? Math.max(next - ctx.now, 1) : undefined;
}

const counters = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
] as const;

/** Whether storing `next` would change anything (`storeDaemonSetStatus` skips a no-op write). */
export function statusChanged(previous: DaemonSetStatus | undefined, next: DaemonSetStatus): boolean {
  return counters.some((field) => (previous?.[field] ?? 0) !== (next[field] ?? 0));
}
