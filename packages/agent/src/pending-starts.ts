/**
 * Pods waiting out their start delay, so that a delete command for a pod that
 * has not started yet cancels the start, as a kubelet never reports a pod it
 * was told to remove. Otherwise a late `Running` report (its `time` later
 * than the `pod.deleted`) could bring the deleted pod back. In-process only:
 * with several agents, a delete handled by another one cannot cancel this one.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class PendingStarts {
  readonly #byPod = new Map<string, Set<AbortController>>();

  /** Waits `ms` for the pod `podKey`; `false` when a delete cancelled the wait. */
  async wait(podKey: string, ms: number): Promise<boolean> {
    const controller = new AbortController();
    const waiting = this.#byPod.get(podKey) ?? new Set<AbortController>();
    waiting.add(controller);
    this.#byPod.set(podKey, waiting);
    try {
      await sleep(ms, undefined, { signal: controller.signal });
      return true;
    } catch (error) {
      if (controller.signal.aborted) return false;
      throw error;
    } finally {
      waiting.delete(controller);
      if (waiting.size === 0 && this.#byPod.get(podKey) === waiting) this.#byPod.delete(podKey);
    }
  }

  /** Cancels every pending start of `podKey`; returns how many there were. */
  cancel(podKey: string): number {
    const waiting = this.#byPod.get(podKey);
    if (waiting === undefined) return 0;
    const count = waiting.size;
    for (const controller of waiting) controller.abort();
    return count;
  }
}
