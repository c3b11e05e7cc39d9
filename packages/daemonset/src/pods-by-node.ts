/**
 * Which pods a DaemonSet has on which node: `getNodesToDaemonPods`
 * (pkg/controller/daemon/daemon_controller.go).
 */
import type { DaemonSet, Pod } from '@everynode/api';
import { targetNodeName } from './node-affinity.ts';
import { isControlledBy, isTerminal, isTerminating } from './pod-util.ts';
import type { PassContext } from './state.ts';

/** The names of the pass's nodes, sorted (as `Array.prototype.sort` orders strings), as the pass keeps them if it does. Read-only. */
export function sortedNodeNames(ctx: PassContext): readonly string[] {
  return ctx.nodeNames ? ctx.nodeNames() : [...ctx.nodes.keys()].sort();
}

/** The pass's pods grouped by node (`nodeToDaemonPods`), as the pass keeps them if it does. Read-only. */
export function daemonPodsByNode(ctx: PassContext): ReadonlyMap<string, readonly Pod[]> {
  return ctx.podsByNode ? ctx.podsByNode() : nodeToDaemonPods(ctx.ds, ctx.pods.values());
}

/**
 * The DaemonSet's pods grouped by the node they run on or are meant for.
 * Pods that are both terminal and terminating are left out unless
 * `includeDeletedTerminal` (history clean-up counts them); pods with no
 * target node are skipped, as upstream does.
 */
export function nodeToDaemonPods(
  ds: DaemonSet,
  pods: Iterable<Pod>,
  includeDeletedTerminal = false,
): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!isControlledBy(pod, ds)) continue;
    if (!includeDeletedTerminal && isTerminal(pod) && isTerminating(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}
