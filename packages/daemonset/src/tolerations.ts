/**
 * Tolerations: whether one tolerates a taint, and the ones every daemon pod
 * gets so that node problems never keep it off (or evict it from) its node.
 *
 * `tolerationSeconds` never matters here: the DaemonSet controller counts a
 * NoExecute taint as tolerated however long the toleration lasts.
 */
import type { PodSpec, Taint, TaintEffect, Toleration } from '@everynode/api';
import { NodeTaintKey } from './node-taints.ts';

/**
 * Whether `toleration` tolerates `taint` — `Toleration.ToleratesTaint`
 * (staging/src/k8s.io/api/core/v1/toleration.go):
 * - an empty effect matches every effect, else the effects must be equal;
 * - an empty key matches every key (validation allows it only with `Exists`);
 * - `Exists` matches every value; `Equal` or no operator compares values,
 *   a missing value being `""`;
 * - any other operator tolerates nothing (`Lt`/`Gt` sit behind a feature gate
 *   that is off by default, so we do not support them).
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * The first of `taints` with one of `effects` that no toleration tolerates, or
 * `undefined` when all are tolerated — `v1helper.FindMatchingUntoleratedTaint`
 * (staging/src/k8s.io/component-helpers/scheduling/corev1/helpers.go) with an
 * inclusion filter by effect.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly TaintEffect[],
): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

/**
 * The tolerations every daemon pod gets, in the order
 * `util.AddOrUpdateDaemonPodTolerations` (pkg/controller/daemon/util/daemonset_util.go)
 * adds them: all `Exists`, none with `tolerationSeconds` (so never evicted);
 * `network-unavailable` only for host-network pods, which need no pod network.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: NodeTaintKey, effect: TaintEffect): Toleration => ({ key, operator: 'Exists', effect });
  const tolerations = [
    exists(NodeTaintKey.NotReady, 'NoExecute'),
    exists(NodeTaintKey.Unreachable, 'NoExecute'),
    exists(NodeTaintKey.DiskPressure, 'NoSchedule'),
    exists(NodeTaintKey.MemoryPressure, 'NoSchedule'),
    exists(NodeTaintKey.PIDPressure, 'NoSchedule'),
    exists(NodeTaintKey.Unschedulable, 'NoSchedule'),
  ];
  if (hostNetwork) tolerations.push(exists(NodeTaintKey.NetworkUnavailable, 'NoSchedule'));
  return tolerations;
}

/**
 * `toleration` added to `tolerations` — `v1helper.AddOrUpdateTolerationInPodSpec`
 * (pkg/apis/core/v1/helper/helpers.go). Tolerations are the same one when key,
 * effect, operator and value agree (`Toleration.MatchToleration`): each such one
 * is replaced in place by `toleration`, unless one of them is already identical
 * (`tolerationSeconds` included), in which case nothing changes. With no such
 * one, `toleration` is appended. Returns a new array; never mutates.
 */
export function addOrUpdateToleration(tolerations: readonly Toleration[], toleration: Toleration): Toleration[] {
  const same = (t: Toleration): boolean => isSameToleration(t, toleration);
  if (tolerations.some((t) => same(t) && t.tolerationSeconds === toleration.tolerationSeconds)) return [...tolerations];
  if (!tolerations.some(same)) return [...tolerations, toleration];
  return tolerations.map((t) => (same(t) ? toleration : t));
}

/** `spec` with the daemon pod tolerations added (`util.AddOrUpdateDaemonPodTolerations`). Never mutates. */
export function withDaemonPodTolerations(spec: PodSpec): PodSpec {
  return { ...spec, tolerations: daemonTolerationsOf(spec) };
}

/** Merged tolerations per pod spec object: a pass asks once per node, the answer is the same. */
const merged = new WeakMap<PodSpec, Toleration[]>();

/** The spec's tolerations with the automatic daemon ones merged in (cached; treat as read-only). */
export function daemonTolerationsOf(spec: PodSpec): Toleration[] {
  let tolerations = merged.get(spec);
  if (tolerations === undefined) {
    tolerations = daemonPodTolerations(spec.hostNetwork === true).reduce(addOrUpdateToleration, spec.tolerations ?? []);
    merged.set(spec, tolerations);
  }
  return tolerations;
}

/** `Toleration.MatchToleration`: key, effect, operator and value agree (a missing one is `""`). */
function isSameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.effect ?? '') === (b.effect ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '')
  );
}
