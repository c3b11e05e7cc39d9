/** A DaemonSet's rollout as the numbers `kubectl get ds` prints: pure, for the Rollouts tab and its tests. */
import type { DaemonSet } from '@everynode/api';

/** The bars, in `kubectl get ds` order, with the status field each reads. */
export const rolloutBars = [
  ['desired', 'desiredNumberScheduled'],
  ['current', 'currentNumberScheduled'],
  ['ready', 'numberReady'],
  ['up-to-date', 'updatedNumberScheduled'],
  ['available', 'numberAvailable'],
  ['misscheduled', 'numberMisscheduled'],
] as const;

/** The numbers of `ds`'s status, by bar (a number the controller has not reported is 0). */
export function rolloutNumbers(ds: DaemonSet): Record<(typeof rolloutBars)[number][0], number> {
  const status = ds.status;
  return Object.fromEntries(rolloutBars.map(([label, field]) => [label, status?.[field] ?? 0])) as Record<(typeof rolloutBars)[number][0], number>;
}
