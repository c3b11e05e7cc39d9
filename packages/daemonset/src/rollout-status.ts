/**
 * `kubectl rollout status ds/NAME`: `DaemonSetStatusViewer.Status`
 * (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go).
 */
import type { DaemonSet } from '@everynode/api';

export type RolloutStatus =
  | { readonly done: boolean; readonly message: string; readonly error?: undefined }
  | { readonly done: false; readonly message?: undefined; readonly error: string };

/** The message kubectl prints for the DaemonSet as it stands, and whether the rollout is complete. */
export function rolloutStatus(ds: DaemonSet): RolloutStatus {
  if (ds.spec.updateStrategy?.type !== 'RollingUpdate') {
    return { done: false, error: 'rollout status is only available for RollingUpdate strategy type' };
  }
  const name = ds.metadata.name ?? '';
  const generation = ds.metadata.generation ?? 0;
  const status = ds.status;
  if (status === undefined || generation > (status.observedGeneration ?? 0)) {
    return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
  }
  const desired = status.desiredNumberScheduled;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < desired) {
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    };
  }
  if (available < desired) {
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`,
    };
  }
  return { done: true, message: `daemon set "${name}" successfully rolled out` };
}
