/**
 * Real kubectl against an everynode API: `KUBECTL` (default
 * `/usr/bin/kubectl`, which `.ci/run` installs when it is missing) with a
 * kubeconfig from `everynode kubeconfig`'s own function and a discovery
 * cache of its own, so no run sees another's (or the user's) cached
 * discovery. Without a kubectl every call fails, saying how to get one: the
 * tests fail, they are not skipped.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFor } from '@everynode/cli';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kubectl {
  /** `kubectl …args` against the server: resolves on any exit status; rejects only when there is no kubectl to run. */
  (...args: string[]): Promise<KubectlResult>;
  /** `kubectl …args` left running (`get -w`, `rollout status`): read its output as it comes, kill it when done. */
  spawn(...args: string[]): ChildProcessWithoutNullStreams;
  /** The kubeconfig file it uses. */
  readonly kubeconfig: string;
  /** Remove the kubeconfig and the cache. */
  cleanup(): void;
}

/** The kubectl executable the tests run. */
export const kubectlPath = process.env.KUBECTL || '/usr/bin/kubectl';

/** Throws, naming the fix, unless `kubectlPath` can be run. */
function checkInstalled(): void {
  try {
    accessSync(kubectlPath, constants.X_OK);
  } catch {
    throw new Error(`kubectl is not installed at ${kubectlPath}: install it (Debian: apt-get install kubernetes-client; .ci/run does) or set KUBECTL to its path`);
  }
}

/** kubectl for the API at `server`. */
export function kubectlFor(server: string): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  const argsFor = (args: string[]) => ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args];
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const run = (...args: string[]) =>
    new Promise<KubectlResult>((resolve) => {
      checkInstalled();
      execFile(
        kubectlPath,
        argsFor(args),
        { env, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const spawnKubectl = (...args: string[]) => {
    checkInstalled();
    return spawn(kubectlPath, argsFor(args), { env });
  };
  return Object.assign(run, { kubeconfig, spawn: spawnKubectl, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
}
