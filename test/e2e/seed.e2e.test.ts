/**
 * Guarantee 6 — the seed, end to end through the CLI: `up --simulate`'s
 * cluster, the seed's manifests applied with `everynode apply`, and what
 * `everynode get` shows as nodes join, leave and fail.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { everynode, everynodeProcess, rows } from '../support/cli.ts';

let cluster: LocalCluster;
let server: string;
const file = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

beforeAll(async () => {
  cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('seed'), redisUrl, logger: quietLogger });
  server = cluster.url;
});
afterAll(async () => {
  const prefix = cluster.engine.prefix;
  await cluster.stop();
  await destroyPrefix(prefix);
});

/** `get ds NAME -n NS` as numbers: DESIRED CURRENT READY UP-TO-DATE AVAILABLE. */
async function dsCounts(namespace: string, name: string): Promise<number[]> {
  const { stdout } = await everynode(server, 'get', 'ds', name, '-n', namespace);
  return (rows(stdout)[0] ?? []).slice(1, 6).map(Number);
}

async function podsByNode(namespace: string): Promise<Map<string, string[]>> {
  const { stdout } = await everynode(server, 'get', 'pods', '-n', namespace, '-o', 'wide');
  const out = new Map<string, string[]>();
  for (const row of rows(stdout)) {
    const [name, , status, , , , node] = row as string[];
    out.set(node as string, [...(out.get(node as string) ?? []), `${name} ${status}`]);
  }
  return out;
}

describe('the seed through the CLI', () => {
  it('six nodes → six pods, masters tolerated', async () => {
    const nodes = await everynode(server, 'apply', '-f', file('cluster-6-nodes.yaml'));
    expect(nodes.stdout).toBe(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'].map((n) => `node/${n} created\n`).join(''));
    const ds = await everynode(server, 'apply', '-f', file('fluentd-daemonset.yaml'));
    expect(ds.stdout).toBe('daemonset.apps/fluentd-elasticsearch created\n');
    await eventually(async () => (await dsCounts('kube-system', 'fluentd-elasticsearch')).join(' ') === '6 6 6 6 6', 20_000, '6 6 6 6 6');
    const pods = await podsByNode('kube-system');
    expect([...pods.keys()].sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
    expect([...pods.values()].every((p) => p.length === 1 && p[0]!.endsWith('Running'))).toBe(true);
    // The same, through the executable in its own process.
    const table = await everynodeProcess(server, 'get', 'ds', '-n', 'kube-system');
    expect(table.stdout).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nfluentd-elasticsearch\s+6\s+6\s+6\s+6\s+6\s+<none>\s+\d+s\n$/);
    expect((await everynode(server, 'apply', '-f', file('fluentd-daemonset.yaml'))).stdout).toBe('daemonset.apps/fluentd-elasticsearch unchanged\n');
  });

  it('a seventh node joins → a seventh pod', async () => {
    expect((await everynode(server, 'node', 'join', 'worker04')).stdout).toBe('node/worker04 created\n');
    await eventually(async () => (await dsCounts('kube-system', 'fluentd-elasticsearch')).join(' ') === '7 7 7 7 7', 20_000, '7 7 7 7 7');
    expect((await podsByNode('kube-system')).get('worker04')).toHaveLength(1);
  });

  it('a node removed → its pod deleted at once', async () => {
    const before = (await podsByNode('kube-system')).get('worker01');
    expect(before).toHaveLength(1);
    await everynode(server, 'node', 'remove', 'worker01');
    // Read-your-writes: the removal is in the log when the command returns; the pass follows at once.
    await eventually(async () => !(await podsByNode('kube-system')).has('worker01'), 5_000, 'the pod on worker01 gone');
    expect((await dsCounts('kube-system', 'fluentd-elasticsearch')).join(' ')).toBe('6 6 6 6 6');
    const log = await everynode(server, 'log', '--limit', '1000', '-o', 'json');
    const entries = (JSON.parse(log.stdout) as { items: { kind: string; decisions?: { type: string; reason?: string; node?: string }[] }[] }).items;
    expect(entries.some((e) => e.kind === 'pass' && e.decisions?.some((d) => d.type === 'PodDeleteRequested' && d.reason === 'NodeRemoved' && d.node === 'worker01'))).toBe(true);
  });

  it('a node annotated to fail pods → its pod is recreated after backoff, again and again, while the others stay Running', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const manifest = join(mkdtempSync(join(tmpdir(), 'everynode-')), 'failing.yaml');
    writeFileSync(
      manifest,
      'apiVersion: v1\nkind: Node\nmetadata:\n  name: flaky01\n  annotations:\n    sim.everynode.io/fail-pods: "true"\nstatus:\n  conditions:\n  - type: Ready\n    status: "True"\n',
    );
    expect((await everynode(server, 'apply', '-f', manifest)).stdout).toBe('node/flaky01 created\n');
    const kills = async () => {
      const { stdout } = await everynode(server, 'log', '--limit', '10000', '-o', 'json');
      const entries = (JSON.parse(stdout) as { items: { kind: string; at: string; decisions?: { type: string; reason?: string; node?: string }[] }[] }).items;
      return entries
        .filter((e) => e.kind === 'pass' && e.decisions?.some((d) => d.type === 'PodDeleteRequested' && d.reason === 'Failed' && d.node === 'flaky01'))
        .map((e) => Date.parse(e.at));
    };
    const times = await eventually(async () => {
      const k = await kills();
      return k.length >= 3 && k;
    }, 20_000, 'three kills of failed pods on flaky01');
    // Backoff: 1 s, then 2 s between kills (at least; the agent's start delay adds to it).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2000);
    const pods = await podsByNode('kube-system');
    for (const [node, list] of pods) {
      if (node === 'flaky01' || node === '<none>') continue; // <none>: the replacement not yet started
      expect(list.every((p) => p.endsWith('Running')), `pods on ${node}`).toBe(true);
    }
    expect((await dsCounts('kube-system', 'fluentd-elasticsearch'))[4]).toBe(6);
  });

  it('only-master03-daemonset.yaml → exactly one pod, on master03', async () => {
    expect((await everynode(server, 'apply', '-f', file('only-master03-daemonset.yaml'))).stdout).toBe('daemonset.apps/node-exporter-master03 created\n');
    await eventually(async () => (await dsCounts('monitoring', 'node-exporter-master03')).join(' ') === '1 1 1 1 1', 20_000, '1 1 1 1 1');
    const pods = await podsByNode('monitoring');
    expect([...pods.keys()]).toEqual(['master03']);
    expect((await everynode(server, 'replay', '--verify')).code).toBe(0);
  });
});
