/**
 * RollingUpdate for real (issue 4): an image change rolled out through
 * `up --simulate`'s cluster and the CLI, the cluster sampled every 25 ms
 * while it runs, and the strategy's budget checked on every sample.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { daemonSet, type UpdateStrategy } from '../support/rollout-manifests.ts';
import { startRolloutCluster, type RolloutCluster } from '../support/rollout-cluster.ts';
import {
  livePods,
  startSampler,
  statusOverBudget,
  surgedNodes,
  unavailableNodes,
  unavailableOverBudget,
  violations,
  type Sample,
} from '../support/rollout.ts';

const timeout = 60_000;

async function cluster(scenario: string): Promise<RolloutCluster> {
  const c = await startRolloutCluster(scenario, 10, 150);
  onTestFinished(() => c.stop());
  return c;
}

/** Roll `agent` from image v1 to v2 under `updateStrategy`, sampling while it runs. */
async function rollImage(c: RolloutCluster, updateStrategy: UpdateStrategy) {
  await c.apply('v1.yaml', [daemonSet({ image: 'agent:v1', updateStrategy })]);
  const oldHash = await c.rolledOut('agent');
  const sampler = startSampler(c.reader, 'default', 'agent');
  await c.apply('v2.yaml', [daemonSet({ image: 'agent:v2', updateStrategy })]);
  const newHash = await c.rolledOut('agent');
  const samples = await sampler.stop();
  return { oldHash, newHash, samples };
}

/** The highest `count` of any one sample. */
const peak = (samples: readonly Sample[], count: (s: Sample) => number) => Math.max(...samples.map(count));

/** How many samples show pods of both revisions: the rollout was seen mid-way. */
const midway = (samples: readonly Sample[], oldHash: string, newHash: string) =>
  samples.filter((s) => {
    const hashes = new Set([...s.byNode.values()].flat().map((p) => p.hash));
    return hashes.has(oldHash) && hashes.has(newHash);
  }).length;

/** What the CLI says once it is over: `rollout status` exits 0, and every pod carries the new revision. */
async function expectRolledOut(c: RolloutCluster, newHash: string) {
  const status = await c.cli('rollout', 'status', 'ds/agent', '--timeout', '5s');
  expect(status).toEqual({ code: 0, stdout: 'daemon set "agent" successfully rolled out\n', stderr: '' });
  const pods = JSON.parse((await c.cli('get', 'pods', '-o', 'json')).stdout) as { items: { metadata: { labels: Record<string, string> } }[] };
  expect(pods.items.map((p) => p.metadata.labels['controller-revision-hash'])).toEqual(Array(c.nodes.length).fill(newHash));
}

describe('RollingUpdate, sampled while it runs', () => {
  it.each([
    { maxUnavailable: 1, budget: 1 },
    { maxUnavailable: '30%', budget: 3 },
  ])(
    'maxUnavailable $maxUnavailable on 10 nodes: never more than $budget without an available pod',
    async ({ maxUnavailable, budget }) => {
      const c = await cluster(`mu-${budget}`);
      const { oldHash, newHash, samples } = await rollImage(c, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } });

      expect(newHash).not.toBe(oldHash);
      expect(midway(samples, oldHash, newHash)).toBeGreaterThan(5);
      expect(unavailableOverBudget(samples, c.nodes, budget)).toEqual([]);
      // The budget was used, not merely respected: percentages round up (ceil(30% × 10) = 3).
      expect(peak(samples, (s) => unavailableNodes(s, c.nodes).length)).toBe(budget);
      expect(statusOverBudget(samples, budget)).toEqual([]);
      // Without surge a node never runs two pods.
      expect(peak(samples, (s) => surgedNodes(s).length)).toBe(0);
      await expectRolledOut(c, newHash);
    },
    timeout,
  );

  it(
    'maxSurge 1, maxUnavailable 0: every node always has an available pod, at most one node runs two',
    async () => {
      const c = await cluster('surge');
      const { oldHash, newHash, samples } = await rollImage(c, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });

      expect(newHash).not.toBe(oldHash);
      expect(midway(samples, oldHash, newHash)).toBeGreaterThan(5);
      expect(unavailableOverBudget(samples, c.nodes, 0)).toEqual([]);
      expect(violations(samples, (s) => {
        const surged = surgedNodes(s);
        return surged.length > 1 ? `${surged.length} nodes with two live pods: ${surged.join(' ')}` : undefined;
      })).toEqual([]);
      // The surge slot was used: some sample saw a node running the old pod and the new one side by side.
      expect(samples.some((s) => c.nodes.some((n) => new Set(livePods(s, n).map((p) => p.hash)).size === 2))).toBe(true);
      expect(statusOverBudget(samples, 0)).toEqual([]);
      await expectRolledOut(c, newHash);
    },
    timeout,
  );
});
