/**
 * Real kubectls against an everynode API, with a kubeconfig from `everynode
 * kubeconfig`'s own function and a discovery cache of their own, so no run
 * sees another's (or the user's) cached discovery.
 *
 * Which kubectls: `KUBECTL` alone when set; else the two
 * `scripts/fetch-kubectl.mjs` keeps in `node_modules/.cache` (1.20 and
 * 1.32, fetched now when missing, as `.ci/run` does first); else, when
 * neither can be had, the machine's `/usr/bin/kubectl`. One that cannot be
 * had fails every call, naming why: the tests fail, they are not skipped.
 */
import { type ChildProcessWithoutNullStreams, execFile, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFor } from '@everynode/cli';
import { fetchKubectls, kubectls } from '../../scripts/fetch-kubectl.mjs';

/** A kubectl binary the tests run. */
export interface KubectlBinary {
  /** `v1.20`, `v1.32`: what the suite's titles say. */
  readonly name: string;
  readonly path: string;
  /** The minor version it reports (`version --client`), or undefined when it does not run. */
  readonly minor: number | undefined;
  /** Why it cannot be run, when it cannot. */
  readonly missing?: string;
}

/** The machine's kubectl: used only when neither cached one can be had. */
const systemKubectl = '/usr/bin/kubectl';

/** The minor version `path` reports, or undefined when it does not run. */
function minorOf(path: string): number | undefined {
  try {
    const out = execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    return Number.parseInt((JSON.parse(out) as { clientVersion: { minor: string } }).clientVersion.minor, 10);
  } catch {
    return undefined;
  }
}

/** `path`, found runnable or not, as a binary named for its version. */
function binaryAt(path: string, why: string): KubectlBinary {
  const minor = minorOf(path);
  return { name: minor === undefined ? path : `v1.${minor}`, path, minor, ...(minor === undefined ? { missing: why } : {}) };
}

/** The kubectls the suite runs (see the module header), oldest first. */
export function kubectlsUnderTest(): KubectlBinary[] {
  const chosen = process.env.KUBECTL;
  if (chosen) return [binaryAt(chosen, `KUBECTL=${chosen} does not run \`kubectl version --client\``)];
  const failures = kubectls.every((k) => existsSync(k.path)) ? [] : fetchKubectls();
  const cached = kubectls.map((k) => ({ name: k.name, path: k.path, minor: minorOf(k.path) }));
  if (cached.every((k) => k.minor === undefined) && minorOf(systemKubectl) !== undefined) {
    console.warn(`kubectl e2e: neither cached kubectl could be had (${failures.join('; ')}); running ${systemKubectl} alone`);
    return [binaryAt(systemKubectl, '')];
  }
  const why = `run \`node scripts/fetch-kubectl.mjs\` (${failures.join('; ') || 'it did not run'}), or set KUBECTL to a kubectl`;
  return cached.map((k) => (k.minor === undefined ? { ...k, missing: why } : k));
}

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
  /** The binary it runs. */
  readonly binary: KubectlBinary;
  /** Remove the kubeconfig and the cache. */
  cleanup(): void;
}

/** Throws, naming the fix, unless `binary` can be run. */
function checkInstalled(binary: KubectlBinary): void {
  if (binary.missing !== undefined) throw new Error(`kubectl ${binary.name} cannot be run: ${binary.missing}`);
  accessSync(binary.path, constants.X_OK);
}

/** `binary` for the API at `server`. */
export function kubectlFor(server: string, binary: KubectlBinary): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server));
  const argsFor = (args: string[]) => ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args];
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const run = (...args: string[]) =>
    new Promise<KubectlResult>((resolve) => {
      checkInstalled(binary);
      execFile(
        binary.path,
        argsFor(args),
        { env, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const spawnKubectl = (...args: string[]) => {
    checkInstalled(binary);
    return spawn(binary.path, argsFor(args), { env });
  };
  return Object.assign(run, { kubeconfig, binary, spawn: spawnKubectl, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
}
