/**
 * Watch end to end: `up --simulate`'s cluster over the real Redis, real
 * kubectl and the everynode executable left running as a user leaves them —
 * `kubectl get pods -w` shows the pod of a node that joins, `kubectl rollout
 * status` follows a rollout to its end, `everynode get -w` prints the new
 * row. Each runs as its own process, read as it prints, then killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalCluster, startLocalCluster } from '@everynode/cli/local-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { type Kubectl, kubectlFor, kubectlsUnderTest } from '../support/kubectl.ts';

let cluster: LocalCluster;
let kubectl: Kubectl;
let dir: string;
const running: ChildProcess[] = [];

const namespace = 'watch-e2e';
const nodeYaml = (name: string) =>
  `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n  labels: {kubernetes.io/hostname: ${name}}\nstatus:\n  conditions: [{type: Ready, status: "True"}]\n`;
/** A DaemonSet whose pods become available 1 s after they run: a rollout over three nodes takes a few seconds. */
const daemonSetYaml = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: agent}}
  minReadySeconds: 1
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "${image}"}]
`;

/** Apply `yaml` with kubectl (as a file: what a user does). */
async function apply(name: string, yaml: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const result = await kubectl('apply', '-f', file);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** What a running process prints, waited on. */
function follow(child: ChildProcess) {
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    get stdout() {
      return stdout;
    },
    /** Wait until stdout satisfies `done`; fail naming what it printed. */
    async until(done: (text: string) => boolean, timeoutMs: number, what: string): Promise<string> {
      await eventually(async () => done(stdout), timeoutMs, `${what}; stdout so far:\n${stdout}\nstderr:\n${stderr}`).catch((error: Error) => {
        throw new Error(`${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      });
      return stdout;
    },
    /** SIGTERM it (as Ctrl-C would end it) and wait for it to go. */
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      return exited;
    },
    exited,
  };
}

/** The rows after the header, split on runs of spaces. */
const rows = (text: string) =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s{2,}/));

/** The pods of the DaemonSet on `node`, by name. */
async function podsOn(node: string): Promise<string[]> {
  const { stdout } = await kubectl('get', 'pods', '-n', namespace, '--field-selector', `spec.nodeName=${node}`, '-o', 'name');
  return stdout.trim().split('\n').filter(Boolean).map((n) => n.replace(/^pod\//, ''));
}

beforeAll(async () => {
  cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('watch-e2e'), redisUrl, logger: quietLogger });
  // The current kubectl (the last one under test); the story test (kubectl-story.e2e.test.ts) runs get -w and rollout status with both.
  const current = kubectlsUnderTest().at(-1);
  if (!current) throw new Error('no kubectl under test');
  kubectl = kubectlFor(cluster.url, current);
  dir = mkdtempSync(join(tmpdir(), 'everynode-watch-e2e-'));
  await apply('nodes', ['w1', 'w2'].map(nodeYaml).join('---\n'));
  await apply('agent', daemonSetYaml('agent:1'));
  await eventually(async () => (await kubectl('get', 'ds', 'agent', '-n', namespace, '-o', 'jsonpath={.status.numberAvailable}')).stdout === '2', 30_000, 'two pods available');
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  kubectl?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!cluster) return;
  const prefix = cluster.engine.prefix;
  await cluster.stop();
  await destroyPrefix(prefix);
});

describe('watch with real kubectl and the everynode executable', () => {
  it('kubectl get pods -w shows the pod of a node that joins', async () => {
    const watch = follow(kubectl.spawn('get', 'pods', '-n', namespace, '-w'));
    const listed = await watch.until((text) => rows(text).length >= 2, 15_000, 'the two pods listed');
    expect(listed.split('\n')[0]?.trim().split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const before = new Set(rows(listed).map((row) => row[0]));

    await apply('w3', nodeYaml('w3'));
    const [podOnW3] = await eventually(async () => {
      const pods = await podsOn('w3');
      return pods.length === 1 && pods;
    }, 15_000, 'a pod on w3');
    const text = await watch.until((t) => rows(t).some((row) => row[0] === podOnW3 && row[2] === 'Running'), 15_000, `${podOnW3} Running`);
    const rowsOfNew = rows(text).filter((row) => row[0] === podOnW3);
    expect(before.has(podOnW3)).toBe(false);
    expect(rowsOfNew.at(-1)?.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    expect(watch.stdout.split('\n').filter((line) => line.startsWith('NAME'))).toHaveLength(1);
    await watch.stop();
  });

  it('kubectl rollout status follows a rollout to "successfully rolled out"', async () => {
    await apply('agent', daemonSetYaml('agent:2'));
    const status = follow(kubectl.spawn('rollout', 'status', `ds/agent`, '-n', namespace, '--timeout=60s'));
    expect(await status.exited).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('daemon set "agent" successfully rolled out');
    // It watched the rollout happen: messages while it was under way, then the end.
    expect(lines.some((line) => line.startsWith('Waiting for daemon set "agent" rollout to finish'))).toBe(true);
    const images = await kubectl('get', 'pods', '-n', namespace, '-o', 'jsonpath={.items[*].spec.containers[0].image}');
    expect(images.stdout.split(' ').sort()).toEqual(['agent:2', 'agent:2', 'agent:2']);
  });

  it('everynode get -w prints the row of a pod that comes', async () => {
    const bin = fileURLToPath(new URL('../../packages/cli/bin/everynode.mjs', import.meta.url));
    const watch = follow(spawn(process.execPath, [bin, 'get', 'pods', '-n', namespace, '-w'], { env: { ...process.env, EVERYNODE_SERVER: cluster.url } }));
    const listed = await watch.until((text) => rows(text).length >= 3, 20_000, 'the three pods listed');
    expect(listed.split('\n')[0]?.trim().split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);

    await apply('w4', nodeYaml('w4'));
    const [podOnW4] = await eventually(async () => {
      const pods = await podsOn('w4');
      return pods.length === 1 && pods;
    }, 15_000, 'a pod on w4');
    await watch.until((t) => rows(t).some((row) => row[0] === podOnW4 && row[2] === 'Running'), 15_000, `${podOnW4} Running`);
    expect(await watch.stop()).toBe(0); // SIGTERM ends the watch cleanly
  });
});
