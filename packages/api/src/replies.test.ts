import { describe, expect, it } from 'vitest';
import { LogEntrySchema } from './log-entries.ts';
import { LogPageSchema, PodExplanationSchema, ReplayedClusterSchema, SubmitResultSchema } from './replies.ts';

const pass = {
  seq: 2,
  v: 3,
  kind: 'pass',
  at: '2026-11-28T11:00:01.000Z',
  daemonSet: 'kube-system/fluentd',
  decisions: [{ type: 'PodCreateRequested', commandId: 'c1', node: 'a', pod: { metadata: { name: 'p' } } }],
  causes: [1],
  causedBy: { a: [1] },
};

describe('the answers as the client checks them', () => {
  it('checks an entry’s own fields and carries its event and decisions as written (no defaults added)', () => {
    const event = { seq: 1, kind: 'event', at: '2026-11-28T11:00:00.000Z', applied: true, event: { type: 'io.everynode.node.joined', data: { metadata: { name: 'w' } } } };
    expect(LogPageSchema.parse({ items: [event, pass], next: 2, horizon: 0 })).toEqual({ items: [event, pass], next: 2, horizon: 0 });
  });

  it('refuses an entry whose own fields are wrong or missing', () => {
    const { causes: _causes, ...withoutCauses } = pass;
    for (const bad of [{ ...pass, seq: '2' }, withoutCauses, { ...pass, kind: 'other' }, { ...pass, decisions: ['PodCreateRequested'] }]) {
      expect(LogEntrySchema.safeParse(bad).success).toBe(false);
    }
  });

  it('reads the other answers field for field', () => {
    const replayed = { seq: 0, at: null, nodes: { apiVersion: 'v1', kind: 'NodeList', metadata: { resourceVersion: '' }, items: [{ metadata: { name: 'n' } }] }, daemonSets: { apiVersion: 'apps/v1', kind: 'DaemonSetList', metadata: {}, items: [] }, pods: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [] } };
    expect(ReplayedClusterSchema.parse(replayed)).toEqual(replayed);
    const explanation = { pod: { namespace: 'ns', name: 'p' }, entries: [{ seq: 3, at: '2026-11-28T12:00:00Z', kind: 'pass', summary: 'reconcile', causes: [1], decisions: pass.decisions }] };
    expect(PodExplanationSchema.parse(explanation)).toEqual(explanation);
    expect(SubmitResultSchema.safeParse({ accepted: [{ id: 'a' }], refused: [] }).success).toBe(false);
  });
});
