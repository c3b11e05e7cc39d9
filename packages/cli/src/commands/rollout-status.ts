/**
 * `rollout status ds/NAME`: kubectl's `DaemonSetStatusViewer` loop. kubectl
 * watches and prints the viewer's message on every change of the object;
 * this polls the DaemonSet instead (the server's watch came later) and
 * prints a message whenever it differs from the last one printed.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonSet } from '@everynode/api';
import type { EverynodeClient } from '@everynode/client';
import { ApiError } from '@everynode/client';
import { rolloutStatus } from '@everynode/daemonset';
import { CliError } from '../errors.ts';

export interface WaitOptions {
  /** Give up after this many milliseconds; 0 waits for ever (kubectl's default). */
  readonly timeoutMs: number;
  /** `--watch=false`: print the status once and return, done or not. */
  readonly watch: boolean;
  /** Milliseconds between polls. */
  readonly pollMs: number;
  /** Where messages go (stdout). */
  readonly write: (text: string) => void;
}

/** kubectl's text when `--timeout` passes first (`wait.ErrWaitTimeout`). */
export const timedOut = 'error: timed out waiting for the condition';

/**
 * Poll `namespace/name` until its rollout is complete. Throws kubectl's
 * errors: NotFound at the start, the OnDelete refusal, the timeout, or
 * `object has been deleted` when the DaemonSet goes while waited on.
 */
export async function waitForRollout(client: EverynodeClient, namespace: string, name: string, options: WaitOptions): Promise<void> {
  const deadline = options.timeoutMs > 0 ? performance.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
  let last: string | undefined;
  for (let first = true; ; first = false) {
    const status = rolloutStatus(await read(client, namespace, name, first));
    if (status.error !== undefined) throw new CliError(`error: ${status.error}`);
    if (status.message !== last) options.write(`${status.message}\n`);
    last = status.message;
    if (status.done || !options.watch) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new CliError(timedOut);
    await sleep(Math.min(options.pollMs, left));
    if (performance.now() >= deadline) throw new CliError(timedOut);
  }
}

async function read(client: EverynodeClient, namespace: string, name: string, first: boolean): Promise<DaemonSet> {
  try {
    return await client.getDaemonSet(namespace, name);
  } catch (error) {
    // Gone after we started waiting: kubectl's watch sees DELETED and gives up with this.
    if (!first && error instanceof ApiError && error.status === 404) throw new CliError('error: object has been deleted');
    throw error;
  }
}
