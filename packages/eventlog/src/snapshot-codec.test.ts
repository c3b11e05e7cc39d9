/** A snapshot list reads back as exactly the state written (key order included), whatever the state holds. */
import { emptyClusterState, type ClusterState } from '@everynode/daemonset';
import type { Node, Pod } from '@everynode/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, serializeState } from './snapshot-codec.ts';

const key = fc.constantFrom('metadata', 'spec', 'status', 'labels', 'containers', '', '__proto__', 'a', 'b');
const leaf = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
/** JSON-like values up to three levels deep, with long strings so that parts pass the sharing threshold. */
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
    fc.string({ minLength: 30, maxLength: 60 }),
  ),
})).v;
/** Parts reused between objects, as a DaemonSet's pods share its template's. */
const state = fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { minLength: 1, maxLength: 4 }).chain((parts) =>
  fc.array(
    fc.tuple(fc.string({ maxLength: 8 }), fc.dictionary(key, fc.oneof(value, fc.constantFrom(...parts), fc.dictionary(key, fc.oneof(value, fc.constantFrom(...parts)), { maxKeys: 4 })), { maxKeys: 5 }), fc.boolean()),
    { maxLength: 30 },
  ),
);

function stateOf(objects: [string, Record<string, unknown>, boolean][]): ClusterState {
  const s = emptyClusterState();
  for (const [name, object, isNode] of objects) {
    if (isNode) s.nodes.set(name, object as unknown as Node);
    else s.pods.set(`ns/${name}`, object as unknown as Pod);
  }
  s.versions.set('node/x', { at: 5, deleted: false });
  return s;
}

describe('encodeSnapshot / decodeSnapshot', () => {
  it('read back the state written, exactly', () => {
    fc.assert(
      fc.property(state, (objects) => {
        const s = stateOf(objects);
        const texts = encodeSnapshot(s);
        expect(serializeState(decodeSnapshot(texts))).toBe(serializeState(s));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the parts pods share once, and a big state in texts of about 1 MB', () => {
    const containers = [{ name: 'agent', image: 'registry.example.com/agent:v1', resources: { requests: { cpu: '10m' } } }];
    const labels = { app: 'agent', 'controller-revision-hash': '6d9f8b7c5' };
    const tolerations = ['not-ready', 'unreachable', 'disk-pressure', 'memory-pressure'].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: 'Exists', effect: 'NoSchedule' }));
    const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'f3a4c1d2-8e9b-4f0a-b1c2-d3e4f5a6b7c8', controller: true }];
    const s = emptyClusterState();
    for (let i = 0; i < 20_000; i++) {
      s.pods.set(`kube-system/agent-${i}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `agent-${i}`, namespace: 'kube-system', labels: { ...labels }, ownerReferences }, spec: { containers, tolerations, nodeName: `node-${i}` }, status: { phase: 'Running' } } as Pod);
    }
    const texts = encodeSnapshot(s);
    const whole = serializeState(s).length;
    const written = texts.reduce((n, t) => n + t.length, 0);
    expect(written).toBeLessThan(whole * 0.6);
    expect(texts.length).toBeGreaterThan(1);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(1.1 * 2 ** 20);
    const read = decodeSnapshot(texts);
    expect(serializeState(read)).toBe(serializeState(s));
    // Shared when read: one containers array for all.
    expect(read.pods.get('kube-system/agent-1')?.spec.containers).toBe(read.pods.get('kube-system/agent-2')?.spec.containers);
  });

  it('refuses a list that is not a snapshot', () => {
    expect(() => decodeSnapshot([])).toThrow('snapshot: not a snapshot list');
    expect(() => decodeSnapshot(['{"nodes":[]}'])).toThrow('snapshot: not a snapshot list (format undefined)');
  });
});
