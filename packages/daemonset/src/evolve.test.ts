/**
 * `evolve`: the cluster as the log implies it, whatever the delivery order
 * (docs/contract.md §2's staleness rule), and the apiserver's bookkeeping on apply.
 */
import { describe, expect, it } from 'vitest';
import { TemplateGenerationAnnotation } from '@everynode/api';
import { newDaemonSet, newNode, simpleNodeLabel } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

describe('evolve: nodes', () => {
  it('an older node update does not roll the node back, and is reported as ignored', () => {
    const sim = new SimCluster();
    sim.emit('io.everynode.node.joined', newNode('n'), sim.now);
    sim.emit('io.everynode.node.updated', newNode('n', simpleNodeLabel), sim.now + 2000);
    const late = sim.emit('io.everynode.node.updated', newNode('n', { color: 'red' }), sim.now + 1000);
    expect(late).toMatchObject({ applied: false, ignored: expect.stringContaining('stale') });
    expect(sim.state.nodes.get('n')?.metadata.labels).toEqual(simpleNodeLabel);
  });

  it('a removal delivered before the join it follows leaves the node removed', () => {
    const sim = new SimCluster();
    sim.emit('io.everynode.node.removed', { metadata: { name: 'n' } }, sim.now + 1000);
    sim.emit('io.everynode.node.joined', newNode('n'), sim.now);
    expect(sim.state.nodes.has('n')).toBe(false);
    sim.emit('io.everynode.node.joined', newNode('n'), sim.now + 2000);
    expect(sim.state.nodes.has('n')).toBe(true);
  });

  it('a node keeps the creation time of its first join across updates', () => {
    const sim = new SimCluster();
    sim.emit('io.everynode.node.joined', newNode('n'), sim.now);
    sim.emit('io.everynode.node.updated', newNode('n', simpleNodeLabel), sim.now + 5000);
    expect(sim.state.nodes.get('n')?.metadata.creationTimestamp).toBe(new Date(sim.now).toISOString());
  });

  it('a node event makes every DaemonSet look again', () => {
    expect(new SimCluster().emit('io.everynode.node.joined', newNode('n')).affected).toBe('all');
  });
});

describe('evolve: DaemonSets', () => {
  it('a first apply gets a uid, generation 1 and template generation 1; re-applying unchanged bumps nothing', () => {
    const sim = new SimCluster().applyDaemonSet(newDaemonSet('ds'));
    const first = sim.daemonSet();
    expect(first.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.metadata.generation).toBe(1);
    expect(first.metadata.annotations?.[TemplateGenerationAnnotation]).toBe('1');
    sim.advance(1).applyDaemonSet(newDaemonSet('ds'));
    expect(sim.daemonSet().metadata).toMatchObject({ uid: first.metadata.uid, generation: 1 });
  });

  it('a template change bumps generation and template generation; another spec change only generation', () => {
    const sim = new SimCluster().applyDaemonSet(newDaemonSet('ds'));
    const changed = newDaemonSet('ds');
    changed.spec.template.spec.containers = [{ name: 'main', image: 'v2' }];
    sim.advance(1).applyDaemonSet(changed);
    expect(sim.daemonSet().metadata.generation).toBe(2);
    expect(sim.daemonSet().metadata.annotations?.[TemplateGenerationAnnotation]).toBe('2');
    sim.advance(1).applyDaemonSet({ ...changed, spec: { ...changed.spec, minReadySeconds: 5 } });
    expect(sim.daemonSet().metadata.generation).toBe(3);
    expect(sim.daemonSet().metadata.annotations?.[TemplateGenerationAnnotation]).toBe('2');
  });

  it('defaults are applied on the way in', () => {
    const ds = newDaemonSet('ds');
    delete ds.spec.updateStrategy;
    delete ds.spec.revisionHistoryLimit;
    const sim = new SimCluster().applyDaemonSet(ds);
    expect(sim.daemonSet().spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
  });

  it('re-creating a deleted DaemonSet gives it a new uid', () => {
    const sim = new SimCluster().applyDaemonSet(newDaemonSet('ds'));
    const uid = sim.daemonSet().metadata.uid;
    sim.advance(1).deleteDaemonSet('default', 'ds');
    sim.advance(1).applyDaemonSet(newDaemonSet('ds'));
    expect(sim.daemonSet().metadata.uid).not.toBe(uid);
  });
});

describe('evolve: pods', () => {
  it('a status report after the pod was deleted does not bring it back', () => {
    const sim = new SimCluster().joinNode(newNode('n')).applyDaemonSet(newDaemonSet('ds'));
    sim.pass();
    const [pod] = sim.pods();
    sim.confirmDeletions();
    sim.emit('io.everynode.pod.deleted', { metadata: { namespace: 'default', name: pod?.metadata.name } }, sim.now + 2000);
    const late = sim.emit('io.everynode.pod.status', { ...pod, spec: { ...pod?.spec, nodeName: 'n' }, status: { phase: 'Running' } }, sim.now + 1000);
    expect(late.applied).toBe(false);
    expect(sim.pods()).toHaveLength(0);
  });

  it('an older status does not roll a newer one back', () => {
    const sim = new SimCluster().joinNode(newNode('n')).applyDaemonSet(newDaemonSet('ds'));
    sim.pass();
    const [pod] = sim.pods();
    const report = (phase: string, at: number) =>
      sim.emit('io.everynode.pod.status', { ...pod, spec: { ...pod?.spec, nodeName: 'n' }, status: { phase } }, at);
    report('Failed', sim.now + 2000);
    report('Running', sim.now + 1000);
    expect(sim.pods()[0]?.status?.phase).toBe('Failed');
  });

  it('a status about another pod of the same name (other uid) is ignored', () => {
    const sim = new SimCluster().joinNode(newNode('n')).applyDaemonSet(newDaemonSet('ds'));
    sim.pass();
    const [pod] = sim.pods();
    const other = { ...pod, metadata: { ...pod?.metadata, uid: 'someone-else' }, spec: { ...pod?.spec, nodeName: 'n' }, status: { phase: 'Failed' } };
    expect(sim.emit('io.everynode.pod.status', other, sim.now + 1).applied).toBe(false);
  });

  it('a pod status marks its controller dirty', () => {
    const sim = new SimCluster().joinNode(newNode('n')).applyDaemonSet(newDaemonSet('ds'));
    sim.pass();
    const [pod] = sim.pods();
    const result = sim.emit('io.everynode.pod.status', { ...pod, spec: { ...pod?.spec, nodeName: 'n' }, status: { phase: 'Running' } });
    expect(result.affected).toEqual(['default/ds']);
  });
});
