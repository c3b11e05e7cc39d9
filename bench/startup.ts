/**
 * Figure 11, startup and footprint, as a user meets them: the built
 * `everynode` executable (run `npm run build` first; `npm run bench` does)
 * timed as a whole process — spawn to exit — beside real kubectl in the same
 * run, runs interleaved so that both see the same machine:
 *   11a. `everynode --help`
 *   11b. `everynode get pods -A` against a running `up --simulate` holding the
 *        seed's cluster, and `kubectl get pods -A` against the same server
 *   11c. `everynode up --simulate` from spawn to `/readyz` answering 200
 *   11d. the RSS of that one `up` process, idle (after 30 s, once V8 has
 *        given back what starting took), and just after ready
 * each min / median / max over several runs, against `kubectl version --client`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/random.ts';
import { kubectlsUnderTest } from '../test/support/kubectl.ts';
import type { BenchContext } from './context.ts';


const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/everynode.mjs');
const fixtures = join(root, 'test/fixtures');

/** Wall-clock milliseconds of one process from spawn to exit; throws when it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`bench: ${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}
const show = (s: { min: number; median: number; max: number }, unit = 'ms') => `median ${Math.round(s.median)} ${unit} (min ${Math.round(s.min)}, max ${Math.round(s.max)})`;

/** `/readyz`'s status over HTTPS, the certificate not checked (it is the run's own, self-signed). */
function readyz(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(0));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

interface Up {
  readonly port: number;
  readonly pid: number;
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** `everynode up --simulate` on a fresh prefix; resolves once `/readyz` answers 200. */
async function startUp(env: NodeJS.ProcessEnv, prefix: string): Promise<Up> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin, 'up', '--simulate', '--port', String(port), '--prefix', prefix], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  while ((await readyz(port)) !== 200) {
    if (child.exitCode !== null) throw new Error(`bench: up exited ${child.exitCode}: ${stderr}`);
    await sleep(5);
  }
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    port,
    pid: child.pid!,
    readyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function benchStartup(options: Pick<BenchContext, 'redisUrl' | 'report' | 'cleanup'> & { readonly runs: number }): Promise<void> {
  const { runs, report } = options;
  const kubectl = kubectlsUnderTest().filter((k) => k.minor !== undefined).at(-1);
  if (!kubectl) throw new Error('bench: figure 11 needs a kubectl: run `node scripts/fetch-kubectl.mjs`');
  const home = mkdtempSync(join(tmpdir(), 'everynode-bench-startup-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: home, REDIS_URL: options.redisUrl, LOG_LEVEL: 'warn' };
  for (const key of ['EVERYNODE_SERVER', 'EVERYNODE_TOKEN', 'EVERYNODE_CA_FILE', 'EVERYNODE_TOKENS_FILE', 'NODE_OPTIONS']) delete env[key];
  const prefixes: string[] = [];
  try {
    // 11c and 11d: `up` from spawn to ready, several times; the last one stays up, holding the seed, for 11b.
    const readies: number[] = [];
    let up: Up | undefined;
    for (let i = 0; i < runs; i++) {
      await up?.stop();
      const prefix = `bench-startup-${process.pid}-${i}`;
      prefixes.push(prefix);
      up = await startUp(env, prefix);
      readies.push(up.readyMs);
    }
    const rssAtReady = rssKb(up!.pid);
    const server = { ...env, EVERYNODE_SERVER: `https://127.0.0.1:${up!.port}` };
    for (const file of ['cluster-6-nodes.yaml', 'fluentd-daemonset.yaml']) timed(process.execPath, [bin, 'apply', '-f', join(fixtures, file)], server);
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, spawnSync(process.execPath, [bin, 'kubeconfig'], { env: server, encoding: 'utf8' }).stdout);
    const kube = (...args: string[]) => timed(kubectl.path, ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'kube-cache'), ...args], env);
    // Warm both (the page cache, kubectl's discovery cache), as a user's second command is.
    timed(process.execPath, [bin, 'get', 'pods', '-A'], server);
    kube('get', 'pods', '-A');

    const help: number[] = [];
    const get: number[] = [];
    const kubectlVersion: number[] = [];
    const kubectlGet: number[] = [];
    const bareNode: number[] = [];
    for (let i = 0; i < runs * 3; i++) {
      bareNode.push(timed(process.execPath, ['-e', '0'], env));
      help.push(timed(process.execPath, [bin, '--help'], env));
      get.push(timed(process.execPath, [bin, 'get', 'pods', '-A'], server));
      kubectlVersion.push(kube('version', '--client'));
      kubectlGet.push(kube('get', 'pods', '-A'));
    }
    // 11d: idle, once V8's memory reducer has run (it shrinks the young generation after ~20 s idle).
    await sleep(30_000);
    const rssIdle = rssKb(up!.pid);
    await up!.stop();

    const k = stats(kubectlVersion);
    const g = stats(get);
    report(`11. startup, whole process (${kubectl.name} kubectl beside it, ${runs * 3} runs each, interleaved)`, '');
    report('   kubectl version --client', show(k));
    report('   node -e 0 (the floor: Node starting and exiting)', `${show(stats(bareNode))}, ${(stats(bareNode).median / k.median).toFixed(1)}× kubectl`);
    report('   11a. everynode --help', `${show(stats(help))}, ${(stats(help).median / k.median).toFixed(1)}× kubectl`);
    report('   11b. everynode get pods -A', `${show(g)}, ${(g.median / k.median).toFixed(1)}× kubectl version --client`, '≤ 3×', g.median <= 3 * k.median);
    report('        kubectl get pods -A (same server)', `${show(stats(kubectlGet))}; everynode ${(g.median / stats(kubectlGet).median).toFixed(1)}× it`);
    const r = stats(readies);
    report(`   11c. everynode up --simulate → /readyz 200 (${runs} runs)`, show(r), '≤ 1 s', r.median <= 1000);
    report('   11d. idle up, one process: RSS after 30 s idle', `${Math.round(rssIdle / 1024)} MB (just after ready: ${Math.round(rssAtReady / 1024)} MB)`, '≤ 100 MB', rssIdle <= 100 * 1024);
  } finally {
    await Promise.all(prefixes.map(options.cleanup));
    rmSync(home, { recursive: true, force: true });
  }
}
