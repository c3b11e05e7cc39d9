/**
 * The DaemonSet's status, counted as `updateDaemonSetStatus`
 * (pkg/controller/daemon/daemon_controller.go) counts it, and when a pass
 * must look again because a pod will become available with time.
 */
import type { DaemonSetStatus, Pod } from '@everynode/api';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { isPodUpdated } from './history.ts';
import type { PassContext } from './manage.ts';
import { nodeToDaemonPods } from './pods-by-node.ts';
import { compareByCreationTimestampAndPhase, isPodAvailable, isPodReady, readySince } from './pod-util.ts';
import type { Millis } from './state.ts';

export interface StatusResult {
  readonly status: DaemonSetStatus;
  /** The soonest a Ready pod of the DaemonSet becomes Available (minReadySeconds), from now. */
  readonly requeueAfterMs?: Millis;
}

/**
 * Per existing node: `desired` if it should run a pod; of those, `current` if
 * it has one, and for the oldest one `ready`, `available`, `updated`;
 * `misscheduled` if it should not run one but has one. Nodes that do not
 * exist never count.
 */
export function computeStatus(ctx: PassContext, collisionCount: number): StatusResult {
  const byNode = nodeToDaemonPods(ctx.ds, ctx.pods.values());
  const minReady = ctx.ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let nextAvailableAt = Infinity;

  for (const [name, node] of ctx.nodes) {
    const pods = byNode.get(name);
    const { shouldRun } = nodeShouldRunDaemonPod(node, ctx.ds);
    if (!shouldRun) {
      if (pods) misscheduled++;
      continue;
    }
    desired++;
    if (!pods) continue;
    current++;
    const pod = [...pods].sort(compareByCreationTimestampAndPhase)[0] as Pod;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, ctx.now)) available++;
    }
    if (isPodUpdated(pod, ctx.hash, ctx.ds)) updated++;
  }
  // Any pod turning available may unblock a rolling update, not only the ones counted above.
  for (const pods of byNode.values()) {
    for (const pod of pods) {
      if (isPodReady(pod) && !isPodAvailable(pod, minReady, ctx.now)) {
        nextAvailableAt = Math.min(nextAvailableAt, availableAt(pod, minReady));
      }
    }
  }

  const status: DaemonSetStatus = {
    ...ctx.ds.status,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ctx.ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
    ...(collisionCount > 0 ? { collisionCount } : {}),
  };
  return Number.isFinite(nextAvailableAt)
    ? { status, requeueAfterMs: Math.max(nextAvailableAt - ctx.now, 1) }
    : { status };
}

/** The first instant the pod counts as available: just past ready time + minReadySeconds. */
function availableAt(pod: Pod, minReadySeconds: number): Millis {
  const since = readySince(pod);
  return since === undefined ? Infinity : since + minReadySeconds * 1000 + 1;
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
