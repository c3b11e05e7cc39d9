/**
 * OnDelete for real (issue 4): a new template replaces nothing by itself;
 * a pod that disappears (here: a `pod.deleted` event, as when a user or an
 * eviction removes it) comes back with the new revision, and only that one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cloudEvent, eventually } from '../support/cluster.ts';
import { daemonSet } from '../support/rollout-manifests.ts';
import { startRolloutCluster } from '../support/rollout-cluster.ts';
import { currentHash, podIdentities, sample, startSampler, violations } from '../support/rollout.ts';

const updateStrategy = { type: 'OnDelete' } as const;

describe('OnDelete', () => {
  it(
    'a new template replaces nothing; a deleted pod comes back with the new revision',
    async () => {
      const c = await startRolloutCluster('on-delete', 5, 100);
      onTestFinished(() => c.stop());
      await c.apply('v1.yaml', [daemonSet({ image: 'agent:v1', updateStrategy })]);
      const oldHash = await c.rolledOut('agent');
      const before = podIdentities(await sample(c.reader, 'default', 'agent'));

      const sampler = startSampler(c.reader, 'default', 'agent');
      await c.apply('v2.yaml', [daemonSet({ image: 'agent:v2', updateStrategy })]);
      const newHash = await currentHash(c.reader, 'default', 'agent');
      await sleep(2000);
      const samples = await sampler.stop();

      expect(newHash).not.toBe(oldHash);
      const same = (s: Parameters<typeof podIdentities>[0]) => JSON.stringify([...podIdentities(s)]) === JSON.stringify([...before]);
      expect(violations(samples, (s) => (same(s) ? undefined : `pods changed: ${JSON.stringify([...podIdentities(s)])}`))).toEqual([]);
      const seen = samples.at(-1)!;
      expect(seen.status?.observedGeneration).toBe(seen.generation);
      expect(seen.status?.updatedNumberScheduled).toBe(0);

      const [victim] = seen.byNode.get('node-03')!;
      await c.emit('delete.jsonl', [cloudEvent('io.everynode.pod.deleted', { metadata: { namespace: 'default', name: victim!.name } })]);
      const replaced = await eventually(async () => {
        const s = await sample(c.reader, 'default', 'agent');
        const pods = s.byNode.get('node-03') ?? [];
        return pods.length === 1 && pods[0]!.phase === 'Running' && s.status?.updatedNumberScheduled === 1 && s;
      }, 10_000, 'a Running replacement on node-03');

      const [replacement] = replaced.byNode.get('node-03')!;
      expect(replacement!.name).not.toBe(victim!.name);
      expect(replacement!.hash).toBe(newHash);
      const after = podIdentities(replaced);
      for (const node of c.nodes.filter((n) => n !== 'node-03')) expect(after.get(node), `${node} untouched`).toEqual(before.get(node));
      expect([...after.values()].flat().filter((p) => p.endsWith(oldHash))).toHaveLength(4);
    },
    60_000,
  );
});
