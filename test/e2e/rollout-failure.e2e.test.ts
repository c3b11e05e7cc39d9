/**
 * A bad template for real (issue 4): its pods fail (their own
 * `sim.everynode.io/fail-pods` annotation), so the rollout stalls within its
 * budget; `rollout status` times out; `rollout undo` brings back the first
 * revision — same hash — without restarting the pods it never replaced.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../support/cluster.ts';
import { daemonSet, Sim, type UpdateStrategy } from '../support/rollout-manifests.ts';
import { startRolloutCluster } from '../support/rollout-cluster.ts';
import { podIdentities, sample, startSampler, statusOverBudget, unavailableOverBudget, type Sample } from '../support/rollout.ts';

const updateStrategy: UpdateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } };
const good = [daemonSet({ image: 'agent:v1', updateStrategy })];
const bad = [daemonSet({ image: 'agent:v2', updateStrategy, podAnnotations: { [Sim.FailPods]: 'true' } })];

/** At most one node without an available pod, in every sample — by its pods and by its status. */
const withinBudget = (samples: readonly Sample[], nodes: readonly string[]) => [...unavailableOverBudget(samples, nodes, 1), ...statusOverBudget(samples, 1)];

describe('a template whose pods fail', () => {
  it(
    'stalls within its budget, times out rollout status, and rollout undo recovers without restarting untouched pods',
    async () => {
      const c = await startRolloutCluster('failure', 10, 100);
      onTestFinished(() => c.stop());
      await c.apply('good.yaml', good);
      const goodHash = await c.rolledOut('agent');
      const before = podIdentities(await sample(c.reader, 'default', 'agent'));

      const stalling = startSampler(c.reader, 'default', 'agent');
      await c.apply('bad.yaml', bad);
      // The first bad pod fails; then the rollout may go no further.
      await eventually(async () => [...(await sample(c.reader, 'default', 'agent')).byNode.values()].flat().some((p) => p.phase === 'Failed'), 10_000, 'a Failed pod');
      const status = await c.cli('rollout', 'status', 'ds/agent', '--timeout', '3s');
      const stalled = await stalling.stop();

      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/^Waiting for daemon set "agent" rollout to finish: [01] out of 10 new pods have been updated\.\.\.\n/);
      expect(status.stderr).toBe('error: timed out waiting for the condition\n');
      expect(withinBudget(stalled, c.nodes)).toEqual([]);
      // The other nine kept their old Running pods all along.
      const touched = new Set(c.nodes.filter((n) => stalled.some((s) => podIdentities(s).get(n)?.join() !== before.get(n)?.join())));
      expect(touched.size).toBe(1);
      const last = stalled.at(-1)!;
      for (const node of c.nodes.filter((n) => !touched.has(n))) {
        expect(last.byNode.get(node)?.map((p) => p.phase)).toEqual(['Running']);
      }
      expect(last.status?.updatedNumberScheduled ?? 0).toBeLessThanOrEqual(1);

      const recovering = startSampler(c.reader, 'default', 'agent');
      expect(await c.cli('rollout', 'undo', 'ds/agent')).toEqual({ code: 0, stdout: 'daemonset.apps/agent rolled back\n', stderr: '' });
      const undoneHash = await c.rolledOut('agent');
      const recovered = await recovering.stop();

      expect(undoneHash).toBe(goodHash);
      expect(withinBudget(recovered, c.nodes)).toEqual([]);
      const after = podIdentities(recovered.at(-1)!);
      for (const node of c.nodes) {
        if (touched.has(node)) expect(after.get(node)).not.toEqual(before.get(node));
        else expect(after.get(node), `${node} not restarted`).toEqual(before.get(node));
      }
      expect([...recovered.at(-1)!.byNode.values()].flat().map((p) => `${p.hash} ${p.phase}`)).toEqual(Array(10).fill(`${goodHash} Running`));
      expect(await c.cli('rollout', 'status', 'ds/agent', '--timeout', '5s')).toEqual({ code: 0, stdout: 'daemon set "agent" successfully rolled out\n', stderr: '' });
      // The whole story — rollout, stall, failures, undo — replays from the log to the live state.
      const replay = await c.cli('replay', '--verify');
      expect(replay.stderr).toBe('');
      expect(replay.code).toBe(0);
    },
    60_000,
  );
});
