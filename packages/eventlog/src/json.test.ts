/** The stored JSON of a pass (schema v3): creations written by difference, read back whole. */
import type { DaemonSet, Pod } from '@everynode/api';
import { type Decision, newDaemonPod } from '@everynode/daemonset';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PassEntry } from './entries.ts';
import { passEntryJson, sameJson } from './json.ts';
import { entryOf } from './store.ts';
import { LogFormatError, LogSchemaVersion } from './upcast.ts';

const ds: DaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'agent', image: 'agent:v1' }], tolerations: [{ key: 'k', operator: 'Exists' }] },
    },
  },
};
const now = Date.UTC(2026, 10, 28, 5);
const podOn = (d: DaemonSet, node: string, sequence: number): Pod => newDaemonPod({ ds: d, nodeName: node, hash: 'h1', sequence, now, nameTaken: () => false });
const create = (pod: Pod, node: string): Decision => ({ type: 'PodCreateRequested', commandId: `create-${pod.metadata.uid}`, node, pod });

function pass(decisions: Decision[]): Omit<PassEntry, 'seq'> {
  // `decisions` last, where the stored JSON has it.
  return { v: LogSchemaVersion, kind: 'pass', at: new Date(now).toISOString(), daemonSet: 'kube-system/agent', causes: [1, 2], causedBy: { 'node-1': [1], '*': [2] }, decisions };
}

describe('passEntryJson', () => {
  it('writes the pods of a pass once, and reads every creation back as the very pod decided', () => {
    const other = { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { containers: [{ name: 'agent', image: 'agent:v2' }] } } } };
    const decisions: Decision[] = [
      create(podOn(ds, 'node-1', 0), 'node-1'),
      { type: 'PodDeleteRequested', commandId: 'delete-x', namespace: 'kube-system', name: 'agent-old', node: 'node-0', reason: 'NodeIneligible', force: false },
      ...Array.from({ length: 50 }, (_, i) => create(podOn(ds, `node-${i + 2}`, i + 1), `node-${i + 2}`)),
      // Not like the first: another template, and a pod decided for another node than its affinity names.
      create(podOn(other, 'node-60', 60), 'node-60'),
      create(podOn(ds, 'node-61', 61), 'node-62'),
    ];
    const entry = pass(decisions);
    const stored = passEntryJson(entry);
    const raw = JSON.parse(stored) as { podBase: Pod; decisions: Record<string, unknown>[] };
    expect(raw.podBase.metadata.name).toBe(podOn(ds, 'node-1', 0).metadata.name);
    expect(raw.decisions.filter((d) => d.pod !== undefined).map((d) => d.node)).toEqual(['node-60', 'node-62']);
    expect(stored.length).toBeLessThan(JSON.stringify(entry).length / 5);
    const read = entryOf(stored, 7);
    // Compared as text (key order included); a failure prints no 60 pods.
    expect(JSON.stringify(read) === JSON.stringify({ ...entry, seq: 7 })).toBe(true);
  });

  it('writes a pass without creations as JSON.stringify does', () => {
    const entry = pass([{ type: 'PodDeleteRequested', commandId: 'delete-x', namespace: 'ns', name: 'p', node: 'n', reason: 'Failed', force: true }]);
    expect(passEntryJson(entry)).toBe(JSON.stringify(entry));
    expect(JSON.stringify(entryOf(passEntryJson(entry), 3))).toBe(JSON.stringify({ ...entry, seq: 3 }));
  });

  it('refuses a stored creation it cannot rebuild, naming the field', () => {
    const stored = JSON.parse(passEntryJson(pass([create(podOn(ds, 'n1', 0), 'n1'), create(podOn(ds, 'n2', 1), 'n2')]))) as { podBase?: unknown; decisions: Record<string, unknown>[] };
    const broken = { ...stored, decisions: [stored.decisions[0], { ...stored.decisions[1], uid: 7 }] };
    expect(() => entryOf(JSON.stringify(broken), 4)).toThrow(new LogFormatError('log entry 4: decisions[1].uid is missing or not a string'));
    expect(() => entryOf(JSON.stringify({ ...stored, podBase: 'x' }), 5)).toThrow('log entry 5: podBase is not valid');
  });
});

describe('sameJson', () => {
  it('says whether JSON.stringify would write the same text', () => {
    const cases: [unknown, unknown][] = [
      [{ a: 1, b: [1, 'x', { c: null }] }, { a: 1, b: [1, 'x', { c: null }] }],
      [{ a: 1, b: undefined }, { a: 1 }],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: [1] }, { a: { 0: 1 } }],
      [{ a: 'x' }, { a: 'y' }],
      [{ a: {} }, { a: null }],
      [[], []],
      [1, 1],
      [{ a: 1 }, { a: 1, b: 1 }],
      [{ a: 1, f: () => 1 }, { a: 1 }],
    ];
    for (const [a, b] of cases) expect([a, b, sameJson(a, b)]).toEqual([a, b, JSON.stringify(a) === JSON.stringify(b)]);
  });

  it('agrees with JSON.stringify on any JSON value against a copy, a reordered copy or another value', () => {
    const reorder = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reorder) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)])) : v;
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.integer({ min: 0, max: 2 }), (a, other, how) => {
        const b = how === 0 ? structuredClone(a) : how === 1 ? reorder(a) : other;
        expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('never says the same for values JSON writes alike but it cannot tell without writing (NaN, a Date)', () => {
    expect(sameJson({ a: Number.NaN }, { a: Number.NaN })).toBe(false);
    expect(sameJson({ d: new Date(0) }, { d: new Date(0) })).toBe(false);
  });
});
