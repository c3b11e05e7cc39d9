/**
 * `minReadySeconds` for real (issue 4): a pod counts as available — in the
 * rollout's budget and in `status.numberAvailable` — only once it has been
 * Ready for longer than minReadySeconds. The new template's pods take
 * 400 ms to start (their own start-delay annotation overrides the nodes').
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { daemonSet, Sim, type UpdateStrategy } from '../support/rollout-manifests.ts';
import { startRolloutCluster } from '../support/rollout-cluster.ts';
import { availableUpperBound, startSampler, unavailableOverBudget, violations } from '../support/rollout.ts';

const minReadySeconds = 2;
const podStartDelayMs = 400;
const updateStrategy: UpdateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } };

describe('minReadySeconds, sampled while a rollout runs', () => {
  it(
    'numberAvailable never counts a pod Ready for less than minReadySeconds, and the rollout completes',
    async () => {
      const c = await startRolloutCluster('min-ready', 3, 50);
      onTestFinished(() => c.stop());
      await c.apply('v1.yaml', [daemonSet({ image: 'agent:v1', updateStrategy, minReadySeconds })]);
      await c.rolledOut('agent', minReadySeconds);

      const sampler = startSampler(c.reader, 'default', 'agent');
      const startedAt = Date.now();
      const podAnnotations = { [Sim.StartDelayMs]: String(podStartDelayMs) };
      await c.apply('v2.yaml', [daemonSet({ image: 'agent:v2', updateStrategy, minReadySeconds, podAnnotations })]);
      const watching = c.cli('rollout', 'status', 'ds/agent', '--timeout', '30s');
      const newHash = await c.rolledOut('agent', minReadySeconds);
      const tookMs = Date.now() - startedAt;
      const samples = await sampler.stop();

      // The status: never more available than pods Ready for longer than minReadySeconds (seen in the last second).
      expect(violations(samples, (s, i) => {
        const bound = availableUpperBound(samples, i, minReadySeconds, 1000);
        const available = s.status?.numberAvailable ?? 0;
        return available > bound ? `numberAvailable ${available}, but only ${bound} nodes with a pod Ready for ${minReadySeconds} s` : undefined;
      })).toEqual([]);
      // The wait was visible: pods Ready but not yet available.
      expect(samples.some((s) => (s.status?.numberReady ?? 0) > (s.status?.numberAvailable ?? 0))).toBe(true);
      // The budget counts availability the same way: the next node waits for the last one's pod to be available.
      expect(unavailableOverBudget(samples, c.nodes, 1, minReadySeconds)).toEqual([]);
      // One node at a time, each waiting out the start delay and minReadySeconds.
      expect(tookMs).toBeGreaterThanOrEqual(c.nodes.length * (minReadySeconds * 1000 + podStartDelayMs));
      expect([...samples.at(-1)!.byNode.values()].flat().every((p) => p.hash === newHash)).toBe(true);

      // The pods' own start delay won over the nodes' 50 ms.
      const started = (await c.reader.listPods('default')).filter((p) => p.metadata.labels?.['controller-revision-hash'] === newHash);
      expect(started).toHaveLength(c.nodes.length);
      for (const pod of started) {
        const readyAt = Date.parse(pod.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime ?? '');
        expect(readyAt - Date.parse(pod.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(podStartDelayMs);
      }

      // `rollout status`, watching all along, printed kubectl's messages in order and exited 0.
      const status = await watching;
      expect(status.code).toBe(0);
      const lines = status.stdout.trimEnd().split('\n');
      expect(lines).toContain('Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...');
      expect(lines.at(-1)).toBe('daemon set "agent" successfully rolled out');
      const updated = lines.map((l) => /: (\d) out of 3 new pods have been updated/.exec(l)?.[1]).filter((n) => n !== undefined);
      expect(updated.length).toBeGreaterThan(0);
      expect(updated).toEqual([...updated].sort());
    },
    60_000,
  );
});
