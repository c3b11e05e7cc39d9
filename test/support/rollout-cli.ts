/**
 * `everynode rollout status` and `rollout undo` for the rollout scenarios.
 *
 * Those commands are being written alongside these tests. Until the CLI has
 * `rollout`, each helper does what the command would (poll the status the
 * way kubectl does; re-apply the earlier manifest) and says so with
 * `viaCli: false`, so the scenarios' invariants are checked either way and
 * the CLI's own output is asserted as soon as it exists.
 */
import { buildProgram, processIO } from '@everynode/cli';
import { rolloutStatus as kubectlRolloutStatus } from '@everynode/daemonset';
import type { CliResult } from './cli.ts';
import type { RolloutCluster } from './rollout-cluster.ts';

export interface RolloutResult extends CliResult {
  /** Whether `everynode rollout …` ran; `false`: the stand-in did. */
  readonly viaCli: boolean;
}

/** Whether this build of the CLI has `rollout` (`everynode rollout --help` would print the program's help either way). */
export function hasRolloutCommand(): boolean {
  const io = processIO({ env: process.env, stdout: () => undefined, stderr: () => undefined });
  return buildProgram(io).commands.some((command) => command.name() === 'rollout');
}

/** `everynode rollout status ds/NAME --timeout SECONDSs`. */
export async function rolloutStatus(c: RolloutCluster, name: string, timeoutSeconds: number): Promise<RolloutResult> {
  if (hasRolloutCommand()) {
    return { ...(await c.cli('rollout', 'status', `ds/${name}`, '--timeout', `${timeoutSeconds}s`)), viaCli: true };
  }
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const ds = await c.reader.getDaemonSet('default', name);
    const status = ds && kubectlRolloutStatus(ds);
    if (status?.done) return { code: 0, stdout: `${status.message}\n`, stderr: '', viaCli: false };
    if (Date.now() > deadline) return { code: 1, stdout: '', stderr: 'error: timed out waiting for the condition\n', viaCli: false };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `everynode rollout undo ds/NAME`; the stand-in re-applies `previous`, the manifest of the revision before. */
export async function rolloutUndo(c: RolloutCluster, name: string, previous: readonly object[]): Promise<RolloutResult> {
  if (hasRolloutCommand()) return { ...(await c.cli('rollout', 'undo', `ds/${name}`)), viaCli: true };
  return { ...(await c.apply('undo.yaml', previous)), viaCli: false };
}
