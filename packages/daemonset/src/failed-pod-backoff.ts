/**
 * Backoff before killing a failed daemon pod, so a pod that fails at once is
 * not recreated in a hot loop: `flowcontrol.Backoff` as kube-controller-manager
 * configures it for DaemonSets (1 s doubling to 15 min), keyed per
 * (DaemonSet, generation, node) as `failedPodsBackoffKey` does.
 */
import type { FailedPodBackoff, Millis } from './state.ts';

export const initialBackoffMs = 1_000;
export const maxBackoffMs = 15 * 60_000;

/**
 * `IsInBackOffSinceUpdate`: whether the last kill on this node, in this
 * generation, is more recent than the current delay. Returns the wait left.
 */
export function backoffRemaining(entry: FailedPodBackoff | undefined, generation: number, now: Millis): Millis {
  if (entry === undefined || entry.generation !== generation) return 0;
  const left = entry.lastAt + entry.delayMs - now;
  return left > 0 ? left : 0;
}

/**
 * `Next`: the entry after a kill at `now` — 1 s the first time (or after an
 * idle spell longer than twice the maximum, or in a new generation), else
 * twice the previous delay, capped at 15 min.
 */
export function nextBackoff(entry: FailedPodBackoff | undefined, generation: number, now: Millis): FailedPodBackoff {
  const fresh = entry === undefined || entry.generation !== generation || now - entry.lastAt > 2 * maxBackoffMs;
  const delayMs = fresh ? initialBackoffMs : Math.min(entry.delayMs * 2, maxBackoffMs);
  return { generation, delayMs, lastAt: now };
}
