/**
 * Rolling-update budgets: how many pods may be unavailable, or surge, at once.
 * Mirrors `util.UnavailableCount` / `util.SurgeCount` (pkg/controller/daemon/util/daemonset_util.go)
 * and `updatedDesiredNodeCounts` (pkg/controller/daemon/daemon_controller.go).
 */
import type { DaemonSet, IntOrString } from '@everynode/api';

/**
 * `intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true)`: an int as
 * is, `"30%"` as `ceil(30 × total / 100)`. Validation has already refused
 * malformed values; one that slips through counts as 0.
 */
export function scaledValue(value: IntOrString | undefined, total: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (match) return Math.ceil((Number(match[1]) * total) / 100);
  const asInt = /^\d+$/.exec(value);
  return asInt ? Number(value) : 0;
}

function rollingUpdateOf(ds: DaemonSet) {
  return ds.spec.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
}

/** `util.AllowsSurge`: RollingUpdate with a non-zero `maxSurge` (as an int or percent of anything). */
export function allowsSurge(ds: DaemonSet): boolean {
  const maxSurge = rollingUpdateOf(ds)?.maxSurge;
  return maxSurge !== undefined && scaledValue(maxSurge, 100) !== 0;
}

/** `util.SurgeCount`: extra pods allowed during a surge update; 0 unless RollingUpdate. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  return scaledValue(rollingUpdateOf(ds)?.maxSurge, desired);
}

/** `util.UnavailableCount`: pods allowed to be unavailable; 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  return scaledValue(rollingUpdateOf(ds)?.maxUnavailable, desired);
}

/**
 * The budgets a rolling update works with (`updatedDesiredNodeCounts`),
 * including Kubernetes' rule that both rounding to zero means one may be
 * unavailable — so a `1%` budget on ten nodes still makes progress.
 */
export function rollingUpdateBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}
