/**
 * Given a DaemonSet running its pods, when it is deleted with a propagation
 * policy, then its pods are deleted (Background, Foreground) or released
 * (Orphan), and the DaemonSet goes at once or once its pods are gone —
 * Kubernetes' garbage-collector semantics (test/integration/garbagecollector),
 * played here by the DaemonSet's own pass.
 */
import { describe, expect, it } from 'vitest';
import { controllerOf, EventType, type DaemonSet } from '@everynode/api';
import type { Decision } from './state.ts';
import { newDaemonSet, newNode } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

const deletes = (ds: readonly Decision[]) => ds.filter((d) => d.type === 'PodDeleteRequested');
const types = (ds: readonly Decision[]) => [...new Set(ds.map((d) => d.type))];

/** Three nodes, the DaemonSet's pods running on each. */
function running(ds: DaemonSet = newDaemonSet('ds')): SimCluster {
  const sim = new SimCluster();
  for (let i = 0; i < 3; i++) sim.joinNode(newNode(`node-${i}`));
  sim.applyDaemonSet(ds);
  sim.settle();
  return sim.advance(1000);
}

const record = (sim: SimCluster, key = 'default/ds') => sim.state.daemonSets.get(key);

describe('Background (the default)', () => {
  it('given a deletion event without a policy (as every one before policies), then the DaemonSet is gone at once and the next pass deletes its pods', () => {
    const sim = running();
    sim.emit(EventType.DaemonSetDeleted, { metadata: { namespace: 'default', name: 'ds' } });
    expect(record(sim)?.deleted).toBe(true);
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toHaveLength(3);
    expect(decisions.every((d) => d.type === 'PodDeleteRequested' && d.reason === 'DaemonSetDeleted' && !d.force)).toBe(true);
    sim.confirmDeletions();
    expect(sim.pods()).toEqual([]);
    expect(sim.pass().decisions).toEqual([]);
  });

  it('leaves the tombstone as it was: no deletionTimestamp, no finalizers', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Background');
    expect(sim.daemonSet().metadata.deletionTimestamp).toBeUndefined();
    expect(sim.daemonSet().metadata.finalizers).toBeUndefined();
  });

  it('the same deletion twice changes nothing the second time', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Background');
    expect(sim.emit(EventType.DaemonSetDeleted, { metadata: { namespace: 'default', name: 'ds' }, propagationPolicy: 'Background' })).toMatchObject({ applied: false });
  });
});

describe('Orphan', () => {
  it('given running pods, when deleted with Orphan, then the DaemonSet is gone at once, and the pass releases its pods and deletes none', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Orphan');
    expect(record(sim)?.deleted).toBe(true);
    const { decisions } = sim.pass();
    expect(types(decisions)).toEqual(['PodReleased']);
    expect(decisions).toHaveLength(3);
    expect(sim.livePods()).toHaveLength(3);
    expect(sim.pods().map((p) => controllerOf(p.metadata))).toEqual([undefined, undefined, undefined]);
  });

  it('a second pass decides nothing: the released pods are no longer its own', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Orphan');
    sim.pass();
    expect(sim.pass().decisions).toEqual([]);
  });

  it('the orphans are adopted by a new DaemonSet whose selector matches them, not deleted and re-created', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Orphan');
    sim.pass();
    const names = sim.pods().map((p) => p.metadata.name).sort();
    sim.advance(1000).applyDaemonSet(newDaemonSet('ds'));
    const { decisions } = sim.pass();
    expect(types(decisions)).toContain('PodAdopted');
    expect(decisions.filter((d) => d.type === 'PodCreateRequested')).toEqual([]);
    expect(sim.pods().map((p) => p.metadata.name).sort()).toEqual(names);
    expect(sim.pods().every((p) => controllerOf(p.metadata)?.uid === sim.daemonSet().metadata.uid)).toBe(true);
  });
});

describe('Foreground', () => {
  it('given running pods, when deleted with Foreground, then the DaemonSet stays, marked with a deletionTimestamp and the foregroundDeletion finalizer', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Foreground');
    expect(record(sim)?.deleted).toBe(false);
    expect(sim.daemonSet().metadata).toMatchObject({ deletionTimestamp: new Date(sim.now).toISOString(), finalizers: ['foregroundDeletion'] });
  });

  it('the pass deletes its pods, and the DaemonSet goes only once the agents confirmed the last deletion', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Foreground');
    const first = sim.pass().decisions;
    expect(types(first)).toEqual(['PodDeleteRequested']);
    expect(first).toHaveLength(3);
    expect(sim.pass().decisions).toEqual([]); // pods still terminating: nothing more to do yet
    expect(record(sim)?.deleted).toBe(false);
    sim.advance(1000).confirmDeletions();
    expect(sim.pass().decisions).toEqual([{ type: 'FinalizerRemoved', finalizer: 'foregroundDeletion' }]);
    expect(record(sim)?.deleted).toBe(true);
    expect(sim.pass().decisions).toEqual([]);
  });

  it('creates nothing meanwhile: a node that joins while the DaemonSet is being deleted gets no pod', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Foreground');
    sim.pass();
    sim.joinNode(newNode('late'));
    expect(sim.pass().decisions.filter((d) => d.type === 'PodCreateRequested')).toEqual([]);
  });

  it('with no pods at all, the first pass removes the finalizer and the DaemonSet goes', () => {
    const sim = new SimCluster().applyDaemonSet(newDaemonSet('ds')).deleteDaemonSet('default', 'ds', 'Foreground');
    expect(sim.pass().decisions).toEqual([{ type: 'FinalizerRemoved', finalizer: 'foregroundDeletion' }]);
    expect(record(sim)?.deleted).toBe(true);
  });

  it('pods on removed nodes are forced off, and count as gone in the same pass', () => {
    const sim = running();
    for (let i = 0; i < 3; i++) sim.removeNode(`node-${i}`);
    sim.deleteDaemonSet('default', 'ds', 'Foreground');
    const { decisions } = sim.pass();
    expect(deletes(decisions).every((d) => d.type === 'PodDeleteRequested' && d.force)).toBe(true);
    expect(decisions.at(-1)).toEqual({ type: 'FinalizerRemoved', finalizer: 'foregroundDeletion' });
    expect(sim.pods()).toEqual([]);
    expect(record(sim)?.deleted).toBe(true);
  });

  it('an update while being deleted keeps the deletionTimestamp and finalizers; the client cannot clear them', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Foreground');
    const marked = sim.daemonSet().metadata;
    const changed = newDaemonSet('ds');
    changed.metadata.labels = { touched: 'yes' };
    sim.advance(1000).applyDaemonSet(changed);
    expect(sim.daemonSet().metadata).toMatchObject({ labels: { touched: 'yes' }, deletionTimestamp: marked.deletionTimestamp, finalizers: ['foregroundDeletion'] });
  });

  it('a Background deletion of a DaemonSet being deleted in the foreground removes it at once (the new request replaces the finalizer)', () => {
    const sim = running().deleteDaemonSet('default', 'ds', 'Foreground');
    sim.pass();
    sim.advance(1000).deleteDaemonSet('default', 'ds', 'Background');
    expect(record(sim)?.deleted).toBe(true);
    expect(sim.daemonSet().metadata.finalizers).toBeUndefined();
  });

  it('out of order: an apply older than the deletion, delivered after it, is ignored', () => {
    const sim = running();
    const at = sim.now;
    sim.deleteDaemonSet('default', 'ds', 'Foreground');
    const late = sim.emit(EventType.DaemonSetApplied, newDaemonSet('ds'), at - 500);
    expect(late).toMatchObject({ applied: false, ignored: expect.stringContaining('stale') });
    expect(sim.daemonSet().metadata.finalizers).toEqual(['foregroundDeletion']);
  });
});

describe('creation', () => {
  it('a DaemonSet created with a deletionTimestamp has it dropped (only a deletion sets one), and runs its pods', () => {
    const ds = newDaemonSet('ds');
    ds.metadata.deletionTimestamp = '2020-01-01T00:00:00Z';
    const sim = running(ds);
    expect(sim.daemonSet().metadata.deletionTimestamp).toBeUndefined();
    expect(sim.livePods()).toHaveLength(3);
  });
});
