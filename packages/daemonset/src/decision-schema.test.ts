/**
 * The decisions are declared with the wire (`@everynode/api` `DecisionSchema`)
 * and built here: every kind the core makes is one the schema accepts.
 */
import { describe, expect, it } from 'vitest';
import { DecisionSchema, type Pod } from '@everynode/api';
import type { Decision } from './state.ts';
import { newDaemonSet, newNode, simpleDaemonSetLabel } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

describe('DecisionSchema', () => {
  it('accepts every decision of passes that create, delete, back off, adopt and update revisions and status', () => {
    const made: Decision[] = [];
    const sim = new SimCluster().joinNode(newNode('node-0')).joinNode(newNode('node-1')).joinNode(newNode('orphan-node'));
    sim.report(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'orphan', namespace: 'default', labels: { ...simpleDaemonSetLabel } },
        spec: { nodeName: 'orphan-node' },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      },
      'Running',
    );
    sim.applyDaemonSet(newDaemonSet('ds'));
    made.push(...sim.pass().decisions);
    sim.startAll();
    made.push(...sim.pass().decisions);
    sim.report(sim.livePods('node-0')[0] as Pod, 'Failed');
    made.push(...sim.pass().decisions);
    sim.removeNode('node-1');
    made.push(...sim.pass().decisions);
    const ds = newDaemonSet('ds');
    sim.applyDaemonSet({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, metadata: { ...ds.spec.template.metadata, annotations: { v: '2' } } } } });
    for (let i = 0; i < 5; i++) {
      made.push(...sim.pass().decisions);
      sim.startAll().confirmDeletions().advance(1000);
    }

    const types = new Set(made.map((d) => d.type));
    for (const type of ['PodCreateRequested', 'PodDeleteRequested', 'PodAdopted', 'RevisionCreated', 'FailedPodBackoffRecorded', 'DaemonSetStatusUpdated'] as const) {
      expect(types).toContain(type);
    }
    for (const decision of made) expect(DecisionSchema.safeParse(decision).error).toBeUndefined();
  });

  it('refuses a decision of no known type, or missing a field', () => {
    expect(DecisionSchema.safeParse({ type: 'PodExploded', name: 'x' }).success).toBe(false);
    expect(DecisionSchema.safeParse({ type: 'PodDeleteRequested', commandId: 'c', namespace: 'ns', name: 'p', node: 'n', reason: 'Failed' }).success).toBe(false);
  });
});
