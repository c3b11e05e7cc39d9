/**
 * Status counted as `updateDaemonSetStatus` counts it — specs after
 * TestNumberReadyStatus, TestObservedGeneration, TestUpdateDaemonSetStatus…
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@everynode/api';
import { newDaemonSet, newNode } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

function threeNodes(): SimCluster {
  return new SimCluster().joinNode(newNode('a')).joinNode(newNode('b')).joinNode(newNode('c')).applyDaemonSet(newDaemonSet('ds'));
}

describe('status', () => {
  it('TestNumberReadyStatus: numberReady counts Ready pods only', () => {
    const sim = threeNodes();
    sim.pass();
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 0, numberAvailable: 0, numberUnavailable: 3 });
    sim.report(sim.pods('a')[0] as Pod, 'Running').report(sim.pods('b')[0] as Pod, 'Running', false);
    sim.pass();
    expect(sim.daemonSet().status).toMatchObject({ numberReady: 1, numberAvailable: 1, numberUnavailable: 2 });
  });

  it('TestObservedGeneration: observedGeneration follows the generation a pass saw', () => {
    const sim = threeNodes();
    sim.pass();
    expect(sim.daemonSet().status?.observedGeneration).toBe(1);
    const changed = newDaemonSet('ds');
    changed.spec.minReadySeconds = 3;
    sim.advance(1).applyDaemonSet(changed);
    expect(sim.daemonSet().status?.observedGeneration).toBe(1);
    sim.pass();
    expect(sim.daemonSet().status?.observedGeneration).toBe(2);
  });

  it('numberMisscheduled counts nodes that keep a pod they should not get (untolerated NoSchedule)', () => {
    const sim = threeNodes();
    sim.settle();
    sim.updateNode({ ...newNode('c'), spec: { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] } });
    const { decisions } = sim.pass();
    expect(decisions.filter((d) => d.type === 'PodDeleteRequested')).toHaveLength(0);
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1 });
  });

  it('a NotReady node (not-ready:NoSchedule) gets no new pod, keeps an existing one, and counts it misscheduled', () => {
    const sim = threeNodes();
    sim.settle();
    const notReady = { ...newNode('c'), status: { conditions: [{ type: 'Ready' as const, status: 'False' as const }] } };
    sim.updateNode(notReady).joinNode({ ...notReady, metadata: { name: 'd' } });
    const { decisions } = sim.pass();
    expect(decisions.filter((d) => d.type === 'PodCreateRequested' || d.type === 'PodDeleteRequested')).toEqual([]);
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 2, numberMisscheduled: 1 });
  });

  it('updatedNumberScheduled counts nodes whose (oldest) pod has the current hash, ready or not', () => {
    const sim = threeNodes();
    sim.settle();
    const ds = newDaemonSet('ds');
    ds.spec.updateStrategy = { type: 'OnDelete' };
    sim.applyDaemonSet(ds);
    const next = newDaemonSet('ds');
    next.spec.updateStrategy = { type: 'OnDelete' };
    next.spec.template.spec.containers = [{ name: 'main', image: 'v2' }];
    sim.advance(1).applyDaemonSet(next);
    sim.pass();
    expect(sim.daemonSet().status?.updatedNumberScheduled).toBe(0);
    sim.emit('io.everynode.pod.deleted', { metadata: { namespace: 'default', name: sim.pods('a')[0]?.metadata.name } });
    sim.pass();
    expect(sim.daemonSet().status).toMatchObject({ updatedNumberScheduled: 1, numberReady: 2 });
  });

  it('a pass that changes no counter records no status update', () => {
    const sim = threeNodes();
    sim.settle();
    sim.advance(60_000);
    expect(sim.pass().decisions).toEqual([]);
  });
});

describe('revisions through passes', () => {
  it('TestRollback: returning to an earlier template reuses its revision and hash; pods on it are untouched', () => {
    const sim = threeNodes();
    sim.settle();
    const record = () => sim.state.daemonSets.get('default/ds');
    const [firstRevision] = [...(record()?.revisions.values() ?? [])];
    const firstHash = sim.pods('a')[0]?.metadata.labels?.['controller-revision-hash'];
    const v2 = newDaemonSet('ds');
    v2.spec.template.spec.containers = [{ name: 'main', image: 'v2' }];
    sim.advance(1).applyDaemonSet(v2);
    sim.pass(); // one old pod deleted (maxUnavailable 1)
    expect(record()?.revisions.size).toBe(2);
    sim.advance(1).applyDaemonSet(newDaemonSet('ds'));
    const { decisions } = sim.pass();
    expect(decisions).toContainEqual({ type: 'RevisionRenumbered', name: firstRevision?.metadata.name, revision: 3 });
    expect(decisions.filter((d) => d.type === 'RevisionCreated')).toHaveLength(0);
    sim.confirmDeletions().pass();
    sim.settle();
    expect(sim.livePods().map((p) => p.metadata.labels?.['controller-revision-hash'])).toEqual([firstHash, firstHash, firstHash]);
    expect(sim.daemonSet().status).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3 });
  });

  it('TestCleanupHistory: revisionHistoryLimit bounds old revisions, never the current one', () => {
    const ds = newDaemonSet('ds');
    ds.spec.revisionHistoryLimit = 1;
    const sim = new SimCluster().joinNode(newNode('a')).applyDaemonSet(ds);
    sim.settle();
    for (const image of ['v2', 'v3', 'v4']) {
      const next = newDaemonSet('ds');
      next.spec.revisionHistoryLimit = 1;
      next.spec.template.spec.containers = [{ name: 'main', image }];
      sim.advance(1).applyDaemonSet(next);
      sim.settle();
    }
    const revisions = [...(sim.state.daemonSets.get('default/ds')?.revisions.values() ?? [])];
    expect(revisions.map((r) => r.revision).sort()).toEqual([3, 4]);
    expect(sim.livePods()[0]?.spec.containers?.[0]?.image).toBe('v4');
  });
});
