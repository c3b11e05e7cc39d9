/**
 * The taints a node effectively carries.
 *
 * Kubernetes' DaemonSet controller reads only `node.spec.taints`; a node's
 * readiness, pressure and cordon reach it because the node lifecycle
 * controller turns them into taints. We have no such controller, so
 * (docs/contract.md §1) we derive those taints here, as it would add them.
 */
import type { Node, Taint } from '@everynode/api';

/** The well-known taint keys (`v1.TaintNode*`, staging/src/k8s.io/api/core/v1/well_known_taints.go). */
export const NodeTaintKey = {
  NotReady: 'node.kubernetes.io/not-ready',
  Unreachable: 'node.kubernetes.io/unreachable',
  Unschedulable: 'node.kubernetes.io/unschedulable',
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
} as const;
export type NodeTaintKey = (typeof NodeTaintKey)[keyof typeof NodeTaintKey];

/**
 * `type/status` of a condition → taint key, as `nodeConditionToTaintKeyStatusMap`
 * (pkg/controller/nodelifecycle/node_lifecycle_controller.go). A missing
 * condition adds no taint: in particular a node that reports no `Ready`
 * condition at all is treated as Ready (the real controller would mark it
 * Unknown only after a grace period we do not model).
 */
const conditionTaintKeys: ReadonlyMap<string, NodeTaintKey> = new Map([
  ['Ready/False', NodeTaintKey.NotReady],
  ['Ready/Unknown', NodeTaintKey.Unreachable],
  ['MemoryPressure/True', NodeTaintKey.MemoryPressure],
  ['DiskPressure/True', NodeTaintKey.DiskPressure],
  ['NetworkUnavailable/True', NodeTaintKey.NetworkUnavailable],
  ['PIDPressure/True', NodeTaintKey.PIDPressure],
]);

/**
 * `node.spec.taints`, followed by the `NoSchedule` taints its conditions and
 * `spec.unschedulable` imply (in condition order, then unschedulable — the
 * order of `doNoScheduleTaintingPass`). A taint the node already carries with
 * the same key and effect is not added twice. Never mutates `node`.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints: Taint[] = [...(node.spec?.taints ?? [])];
  const add = (key: NodeTaintKey): void => {
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  };
  for (const condition of node.status?.conditions ?? []) {
    const key = conditionTaintKeys.get(`${condition.type}/${condition.status}`);
    if (key !== undefined) add(key);
  }
  if (node.spec?.unschedulable === true) add(NodeTaintKey.Unschedulable);
  return taints;
}
