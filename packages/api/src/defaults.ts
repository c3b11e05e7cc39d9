/**
 * Kubernetes' defaulting for `apps/v1 DaemonSet` (`SetDefaults_DaemonSet`, plus
 * the pod-template default the DaemonSet rules depend on). The API server
 * defaults before it validates; callers here do the same
 * (`parseDaemonSet` in `validation.ts`).
 */
import type { DaemonSet } from './daemonset.ts';
import { UpdateStrategyType } from './daemonset.ts';
import { jsonCopy } from './text.ts';

/** `spec.revisionHistoryLimit` when unset. */
export const DefaultRevisionHistoryLimit = 10;
/** `rollingUpdate.maxUnavailable` when unset: one node at a time. */
export const DefaultMaxUnavailable = 1;
/** `rollingUpdate.maxSurge` when unset: no surge. */
export const DefaultMaxSurge = 0;

/**
 * The DaemonSet with Kubernetes' defaults filled in. Returns a deep copy: the
 * input is never mutated, and the result shares nothing with it.
 *
 * Defaults (each only when unset):
 * - `metadata.namespace`: `default`;
 * - `spec.updateStrategy.type`: `RollingUpdate`;
 * - for `RollingUpdate` only: `rollingUpdate.maxUnavailable` 1 and
 *   `rollingUpdate.maxSurge` 0 (`OnDelete` gets no `rollingUpdate`);
 * - `spec.revisionHistoryLimit`: 10; `spec.minReadySeconds`: 0;
 * - `spec.template.spec.restartPolicy`: `Always`.
 *
 * `spec.selector` is deliberately not defaulted: apps/v1 requires it, and
 * validation refuses a DaemonSet without one.
 */
export function withDaemonSetDefaults(ds: DaemonSet): DaemonSet {
  const out = jsonCopy(ds);
  // Go defaulting treats "" as unset, so an empty string is defaulted too.
  if (!out.metadata.namespace) out.metadata.namespace = 'default';

  const spec = out.spec;
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = UpdateStrategyType.RollingUpdate;
  if (strategy.type === UpdateStrategyType.RollingUpdate) {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= DefaultMaxUnavailable;
    rollingUpdate.maxSurge ??= DefaultMaxSurge;
  }
  spec.revisionHistoryLimit ??= DefaultRevisionHistoryLimit;
  spec.minReadySeconds ??= 0;
  if (!spec.template.spec.restartPolicy) spec.template.spec.restartPolicy = 'Always';
  return out;
}
