/**
 * The seed's whole story told with real kubectl alone, against
 * `up --simulate`'s cluster: apply the six nodes and the fluentd DaemonSet →
 * `get ds` prints `6 6 6 6 6` in kubectl's columns; `get pods -o wide`;
 * `describe ds`; the image changed and applied again → `rollout status`
 * follows the rollout over watch; `rollout history` and `rollout undo`;
 * `cordon`, `label`, `taint`; `delete node worker01` → its pod gone; a
 * `get pods -w` started before the rollout shows every change as it
 * happens; `explain daemonset.spec`. The steps run in order, each on the
 * cluster the one before left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { type Kubectl, type KubectlBinary, kubectlFor, kubectlsUnderTest } from '../support/kubectl.ts';

const file = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const seedNodes = ['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'];
const ns = ['-n', 'kube-system'];
const ds = 'ds/fluentd-elasticsearch';

/** kubectl's table as rows of cells (its columns are separated by at least two spaces). */
const rows = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.trim().split(/\s{2,}/));

/** A long-running kubectl (a watch): its output so far, and a way to stop it. */
interface Running {
  readonly output: () => string;
  stop(): void;
}

function runInBackground(kubectl: Kubectl, args: string[]): Running {
  const child: ChildProcess = spawn(kubectl.binary.path, ['--kubeconfig', kubectl.kubeconfig, '--cache-dir', mkdtempSync(join(tmpdir(), 'everynode-kubectl-cache-')), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { output: () => text, stop: () => child.kill('SIGTERM') };
}

// The story once per kubectl, old (1.20) and current (1.32), each against a cluster of its own.
describe.each(kubectlsUnderTest().map((binary) => [binary.name, binary] as const))('the seed story with kubectl %s alone', (_name: string, binary: KubectlBinary) => {
  let cluster: LocalCluster;
  let kubectl: Kubectl;
  let watching: Running | undefined;
  let podsBefore: Map<string, string>;

  beforeAll(async () => {
    cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('kubectl-story'), redisUrl, logger: quietLogger });
    kubectl = kubectlFor(cluster.url, binary);
  });
  afterAll(async () => {
    watching?.stop();
    kubectl?.cleanup();
    if (!cluster) return;
    const prefix = cluster.engine.prefix;
    await cluster.stop();
    await destroyPrefix(prefix);
  });

  /** Pod name → node name, from `kubectl get pods -o wide`. */
  async function podsByName(): Promise<Map<string, string>> {
    const table = rows((await kubectl('get', 'pods', ...ns, '-o', 'wide')).stdout);
    const node = table[0]?.indexOf('NODE') ?? -1;
    return new Map(table.slice(1).map((cells) => [cells[0] ?? '', cells[node] ?? '']));
  }

  it('kubectl apply -f the six nodes and the DaemonSet', async () => {
    const nodes = await kubectl('apply', '-f', file('cluster-6-nodes.yaml'));
    expect(nodes).toMatchObject({ code: 0, stdout: seedNodes.map((n) => `node/${n} created\n`).join('') });
    expect(await kubectl('apply', '-f', file('fluentd-daemonset.yaml'))).toMatchObject({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch created\n' });
  });

  it("kubectl get ds prints the seed's 6 6 6 6 6 in kubectl's own columns", async () => {
    const table = await eventually(async () => {
      const t = rows((await kubectl('get', 'ds', ...ns)).stdout);
      return t[1]?.slice(1, 6).join(' ') === '6 6 6 6 6' && t;
    }, 20_000, 'the DaemonSet at 6 6 6 6 6');
    expect(table[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(table[1]?.slice(0, 7)).toEqual(['fluentd-elasticsearch', '6', '6', '6', '6', '6', '<none>']);
  });

  it('kubectl get pods -o wide: one Running pod on each node', async () => {
    const { stdout } = await kubectl('get', 'pods', ...ns, '-o', 'wide');
    const table = rows(stdout);
    expect(table[0]?.slice(0, 7)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    expect(table.slice(1).map((cells) => cells[2])).toEqual(Array(6).fill('Running'));
    podsBefore = await podsByName();
    expect([...podsBefore.values()].sort()).toEqual(seedNodes);
  });

  it('kubectl describe ds tells the counts and the pod template', async () => {
    const { code, stdout } = await kubectl('describe', ds, ...ns);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Desired Number of Nodes Scheduled: 6$/m);
    expect(stdout).toMatch(/^Pods Status:\s+6 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    expect(stdout).toMatch(/Image:\s+quay\.io\/fluentd_elasticsearch\/fluentd:v2\.5\.2/);
  });

  it('the image changed and applied again: kubectl rollout status follows the rollout to its end', async () => {
    watching = runInBackground(kubectl, ['get', 'pods', ...ns, '--watch', '--output-watch-events']);
    await eventually(async () => rows(watching?.output() ?? '').length >= 7 || undefined, 20_000, "the watch's first rows");
    const dir = mkdtempSync(join(tmpdir(), 'everynode-story-'));
    const changed = join(dir, 'fluentd-v2.6.0.yaml');
    writeFileSync(changed, readFileSync(file('fluentd-daemonset.yaml'), 'utf8').replace('fluentd:v2.5.2', 'fluentd:v2.6.0'));
    expect(await kubectl('apply', '-f', changed)).toMatchObject({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch configured\n' });
    const status = await kubectl('rollout', 'status', ds, ...ns, '--timeout=90s');
    expect(status.code).toBe(0);
    expect(status.stdout.trim().split('\n').at(-1)).toBe('daemon set "fluentd-elasticsearch" successfully rolled out');
    const images = (await kubectl('get', 'pods', ...ns, '-o', 'jsonpath={.items[*].spec.containers[0].image}')).stdout.split(' ');
    expect(images).toEqual(Array(6).fill('quay.io/fluentd_elasticsearch/fluentd:v2.6.0'));
  });

  it('kubectl get pods -w showed the rollout as it happened: every old pod DELETED, six new ones ADDED', async () => {
    const seen = await eventually(async () => {
      const events = rows(watching?.output() ?? '').filter((cells) => cells[0] === 'ADDED' || cells[0] === 'DELETED' || cells[0] === 'MODIFIED');
      const deleted = new Set(events.filter((c) => c[0] === 'DELETED').map((c) => c[1]));
      return [...podsBefore.keys()].every((name) => deleted.has(name)) && events;
    }, 20_000, 'DELETED rows for every pod of the first revision');
    const added = new Set(seen.filter((c) => c[0] === 'ADDED').map((c) => c[1]));
    const now = await podsByName();
    for (const name of now.keys()) expect(added.has(name), `ADDED row for ${name}`).toBe(true);
  });

  it('kubectl rollout history lists both revisions, and rollout undo goes back to the first image', async () => {
    const history = await kubectl('rollout', 'history', ds, ...ns);
    expect(history.code).toBe(0);
    expect(rows(history.stdout)).toEqual([['daemonset.apps/fluentd-elasticsearch'], ['REVISION', 'CHANGE-CAUSE'], ['1', '<none>'], ['2', '<none>']]);
    expect(await kubectl('rollout', 'undo', ds, ...ns)).toMatchObject({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch rolled back\n' });
    const status = await kubectl('rollout', 'status', ds, ...ns, '--timeout=90s');
    expect(status.stdout.trim().split('\n').at(-1)).toBe('daemon set "fluentd-elasticsearch" successfully rolled out');
    const images = (await kubectl('get', 'pods', ...ns, '-o', 'jsonpath={.items[*].spec.containers[0].image}')).stdout.split(' ');
    expect(images).toEqual(Array(6).fill('quay.io/fluentd_elasticsearch/fluentd:v2.5.2'));
  });

  it('kubectl cordon, label and taint change the node', async () => {
    expect(await kubectl('cordon', 'worker02')).toMatchObject({ code: 0, stdout: 'node/worker02 cordoned\n' });
    expect(await kubectl('label', 'node', 'worker02', 'zone=b')).toMatchObject({ code: 0, stdout: 'node/worker02 labeled\n' });
    expect(await kubectl('taint', 'node', 'worker02', 'dedicated=logs:NoSchedule')).toMatchObject({ code: 0, stdout: 'node/worker02 tainted\n' });
    const table = rows((await kubectl('get', 'node', 'worker02', '-L', 'zone')).stdout);
    expect(table[1]?.[1]).toBe('Ready,SchedulingDisabled');
    expect(table[1]?.at(-1)).toBe('b');
  });

  it('kubectl delete node worker01: its pod is gone, and the watch showed it go', async () => {
    const [podOnWorker01] = [...(await podsByName())].find(([, node]) => node === 'worker01') ?? [];
    expect(podOnWorker01).toBeDefined();
    expect(await kubectl('delete', 'node', 'worker01')).toMatchObject({ code: 0, stdout: 'node "worker01" deleted\n' });
    await eventually(async () => ![...(await podsByName()).values()].includes('worker01'), 20_000, 'no pod on worker01');
    await eventually(async () => rows(watching?.output() ?? '').some((c) => c[0] === 'DELETED' && c[1] === podOnWorker01), 20_000, 'the DELETED row of the pod on worker01');
    // worker01 gone, and worker02's NoSchedule taint (not tolerated) takes it out of the desired count, as upstream
    // counts it: its pod stays (NoSchedule evicts nothing) and is counted misscheduled.
    const table = rows((await kubectl('get', 'ds', ...ns)).stdout);
    expect(table[1]?.slice(1, 6)).toEqual(['4', '4', '4', '4', '4']);
    expect((await kubectl('get', ds, ...ns, '-o', 'jsonpath={.status.numberMisscheduled}')).stdout).toBe('1');
    expect([...(await podsByName()).values()]).toContain('worker02');
  });

  it('kubectl explain daemonset.spec prints our field docs', async () => {
    const { code, stdout } = await kubectl('explain', 'daemonset.spec');
    expect(code).toBe(0);
    expect(stdout).toMatch(/updateStrategy/);
    expect(stdout).toMatch(/revisionHistoryLimit/);
  });
});
