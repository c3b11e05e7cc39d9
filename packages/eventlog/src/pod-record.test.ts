/** How the projection stores a pod: against a base its DaemonSet's pods share, read back as exactly the pod (key order included). */
import type { DaemonSet, Pod } from '@everynode/api';
import { daemonPodMaker, newDaemonPod } from '@everynode/daemonset';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { podJson } from './json.ts';
import { applyPatch, decodePod, encodePod, mergeDiff, parsePodRecord, PodEncoder, PodRecordError, PodRecordFormat, podRecordBase } from './pod-record.ts';

const ds: DaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'agent', image: 'agent:v1', resources: { requests: { cpu: '10m' } } }] },
    },
  },
};
const now = Date.UTC(2026, 10, 28, 5);
const podOn = (node: string, sequence: number, at = now, hash = 'h1'): Pod => newDaemonPod({ ds, nodeName: node, hash, sequence, now: at, nameTaken: () => false });
const running = (pod: Pod, node: string): Pod => ({
  ...pod,
  spec: { ...pod.spec, nodeName: node },
  status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(now).toISOString() }] },
});

/** The pod as a reader gets it from what `encodePod` stored. */
const roundTrip = (pod: Pod): Pod => {
  const { record, base } = encodePod(pod);
  return decodePod(record, base?.json);
};

describe('encodePod / decodePod', () => {
  it('stores a daemon pod as what is its own against a base, and reads back the very pod', () => {
    const pod = podOn('node-1', 0);
    const { record, base } = encodePod(pod);
    expect(base).toBeDefined();
    expect(JSON.parse(record)).toEqual([PodRecordFormat, base?.id, 'node-1', pod.metadata.name, pod.metadata.uid, { metadata: { creationTimestamp: pod.metadata.creationTimestamp }, status: { phase: 'Pending' } }]);
    expect(record.length).toBeLessThan(podJson(pod).length / 3);
    expect(JSON.stringify(decodePod(record, base?.json))).toBe(podJson(pod));
  });

  it('gives the pods of one template, created at any time on any node, one base; another template, or a bound pod, another', () => {
    const ids = new Set(Array.from({ length: 20 }, (_, i) => encodePod(podOn(`node-${i}`, i, now + i * 1000)).base?.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(encodePod(podOn('node-1', 1, now, 'h2')).base?.id).not.toBe(id);
    expect(encodePod(running(podOn('node-1', 1), 'node-1')).base?.id).not.toBe(id);
    expect(encodePod(running(podOn('node-2', 2), 'node-2')).base?.id).toBe(encodePod(running(podOn('node-3', 3), 'node-3')).base?.id);
  });

  it('reads back pods that ran, were relabelled, are being deleted, or lost a field of the base', () => {
    const pod = podOn('node-1', 0);
    const cases: Pod[] = [
      running(pod, 'node-1'),
      { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, extra: 'x' }, deletionTimestamp: new Date(now + 5).toISOString(), deletionGracePeriodSeconds: 30 } },
      { ...pod, metadata: { ...pod.metadata, annotations: {} } },
      { ...pod, spec: { ...pod.spec, containers: [] }, status: { phase: 'Failed' } },
      // Keys in another order: the base keeps the pod's.
      { status: pod.status, ...pod } as Pod,
      // Bound to a node its affinity does not name: the affinity goes into the patch.
      { ...pod, spec: { ...pod.spec, nodeName: 'node-9' } },
    ];
    for (const c of cases) {
      expect(encodePod(c).base).toBeDefined();
      expect(JSON.stringify(roundTrip(c))).toBe(podJson(c));
    }
  });

  it('stores whole a pod no DaemonSet controls, one without a node or uid, and one a patch cannot express', () => {
    const pod = podOn('node-1', 0);
    const { uid: _uid, ...noUid } = pod.metadata;
    const whole: Pod[] = [
      { ...pod, metadata: { ...pod.metadata, ownerReferences: [] } },
      { ...pod, metadata: noUid },
      { ...pod, spec: { ...pod.spec, affinity: {} } },
      // A null is what a merge patch uses to remove: it cannot write one.
      { ...pod, status: { phase: 'Running', message: null } as unknown as Pod['status'] },
    ];
    for (const c of whole) {
      const encoded = encodePod(c);
      expect(encoded).toEqual({ record: podJson(c) });
      expect(podRecordBase(encoded.record)).toBeUndefined();
      expect(JSON.stringify(roundTrip(c))).toBe(podJson(c));
    }
  });

  it('reads a pod an older engine stored whole (format 1) as it is', () => {
    const pod = running(podOn('node-1', 0), 'node-1');
    expect(decodePod(podJson(pod), undefined)).toEqual(pod);
    expect(parsePodRecord(podJson(pod))).toEqual({ whole: pod });
  });

  it('refuses a record of another format, a malformed one, and one whose base is not given', () => {
    const { record } = encodePod(podOn('node-1', 0));
    expect(() => decodePod(record.replace(`[${PodRecordFormat},`, '[3,'), '{}')).toThrow(/record format 3; this engine reads 2/);
    expect(() => decodePod('"pod"', undefined)).toThrow(PodRecordError);
    expect(() => decodePod(`[${PodRecordFormat},"id",1,"n","u"]`, '{}')).toThrow(/not valid/);
    expect(() => decodePod(record, undefined)).toThrow(/base .* is missing/);
  });

  it('gives each pod read its own objects: changing one read leaves the next as stored', () => {
    const { record, base } = encodePod(podOn('node-1', 0));
    const first = decodePod(record, base?.json);
    (first.spec.containers?.[0] as { image: string }).image = 'changed';
    (first.metadata.labels as Record<string, string>).app = 'changed';
    const second = decodePod(record, base?.json);
    expect(second.spec.containers?.[0]?.image).toBe('agent:v1');
    expect(second.metadata.labels?.app).toBe('agent');
  });

  it('reads back any daemon pod with arbitrary fields, exactly (property)', () => {
    const key = fc.constantFrom('a', 'b', 'phase', 'labels', '__proto__', 'nodeName', 'status', 'creationTimestamp', 'deletionTimestamp', '');
    const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
    })).v;
    const extra = fc.dictionary(key, value, { maxKeys: 3 });
    fc.assert(
      fc.property(fc.nat(50), extra, extra, extra, fc.option(extra), (n, metadata, spec, top, status) => {
        const pod = podOn(`node-${n}`, n);
        const odd = {
          ...top,
          ...pod,
          metadata: { ...pod.metadata, ...metadata, name: pod.metadata.name, uid: pod.metadata.uid, ownerReferences: pod.metadata.ownerReferences },
          spec: { ...pod.spec, ...spec },
          ...(status === null ? {} : { status }),
        } as unknown as Pod;
        expect(JSON.stringify(roundTrip(odd))).toBe(JSON.stringify(odd));
        // A pod read back is stored as the record it was read from (an unchanged pod is not written again).
        // As JSON gives it: an array holding undefined is not, and is stored whole, so as `[null]`.
        const parsed = JSON.parse(JSON.stringify(odd)) as Pod;
        expect(encodePod(roundTrip(parsed))).toEqual(encodePod(parsed));
        // The same record whatever was encoded before (a pass encodes against the base it made last).
        const after = (previous: Pod) => {
          encodePod(previous);
          return encodePod(odd);
        };
        const otherTemplate = { ...pod, spec: { ...pod.spec, containers: [{ name: 'other', image: 'other:v9' }] } };
        expect(after(pod)).toEqual(after(otherTemplate));
        expect(after(running(pod, `node-${n}`))).toEqual(after(otherTemplate));
      }),
      { numRuns: 500 },
    );
  });

  it('stores a pod with keys holding undefined as the same pod without them, whatever was encoded before', () => {
    const pod = podOn('node-1', 0);
    const holey = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: undefined }, spec: { ...pod.spec, nodeName: undefined }, status: undefined } as unknown as Pod;
    const { status: _status, ...withoutStatus } = pod;
    const clean = withoutStatus as Pod;
    encodePod(pod);
    const afterSibling = encodePod(holey);
    encodePod(podOn('node-x', 99, now, 'another-hash'));
    expect(encodePod(holey)).toEqual(afterSibling);
    expect(afterSibling).toEqual(encodePod(clean));
    expect(afterSibling.base).toBeDefined();
  });

  it('gives a pod the same record whether encoded after its siblings or alone', () => {
    const pods = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? running(podOn(`node-${i}`, i), `node-${i}`) : podOn(`node-${i}`, i, now + i)));
    const inTurn = pods.map((p) => encodePod(p));
    const alone = pods.map((p) => {
      encodePod(podOn('node-x', 99, now, 'another-hash'));
      return encodePod(p);
    });
    expect(inTurn).toEqual(alone);
    expect(new Set(inTurn.map((e) => e.base?.id)).size).toBe(2);
  });
});

describe('PodEncoder', () => {
  const maker = (at: number, hash = 'h1') => daemonPodMaker(ds, hash, at);
  const pass = (from: number, count: number, at = now, hash = 'h1'): Pod[] => {
    const make = maker(at, hash);
    return Array.from({ length: count }, (_, i) => make(`node-${from + i}`, from + i, () => false));
  };
  const reparsed = (pod: Pod): Pod => JSON.parse(JSON.stringify(pod)) as Pod;

  /** The records `PodEncoder` gives pod after pod, and those it gives without following the last pod. */
  const both = (pods: readonly Pod[]) => {
    const fast = new PodEncoder();
    const reference = new PodEncoder(false);
    return [pods.map((p) => fast.encode(p)), pods.map((p) => reference.encode(p))];
  };

  it("gives a pass's pods, one after another, the records it gives each without the last pod to follow", () => {
    const pods = pass(0, 200);
    const [fast, reference] = both(pods);
    expect(fast).toEqual(reference);
    for (const [i, { record, base }] of (fast ?? []).entries()) expect(JSON.stringify(decodePod(record, base?.json))).toBe(podJson(pods[i] as Pod));
  });

  it('gives the same records as the reference over any mix of passes, read-back pods, bound, relabelled and odd pods (property)', () => {
    const first = pass(0, 5);
    const pool: Pod[] = [
      ...first,
      ...pass(5, 3, now + 1000),
      ...pass(8, 3, now, 'h2'),
      ...first.map(reparsed),
      ...first.map((p, i) => running(p, `node-${i}`)),
      ...first.map((p, i) => reparsed(running(p, `node-${i}`))),
      // Bound to a node its affinity does not name: the patch holds the affinity.
      ...first.map((p) => ({ ...p, spec: { ...p.spec, nodeName: 'node-9' } })),
      ...first.map((p) => ({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, extra: 'x' } } })),
      ...first.map((p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(now + 5).toISOString() } })),
      ...first.map((p) => ({ ...p, metadata: { ...p.metadata, name: `${p.metadata.name}-renamed` } })),
      ...first.map((p) => ({ status: p.status, ...p }) as Pod),
      ...first.map((p) => ({ ...p, status: undefined }) as unknown as Pod),
      ...first.map((p) => ({ ...p, status: { phase: 'Running', message: null } }) as unknown as Pod),
      ...first.map((p) => ({ ...p, spec: { ...p.spec, affinity: {} } })),
      ...first.map((p) => ({ ...p, metadata: { ...p.metadata, ownerReferences: [] } })),
    ];
    fc.assert(
      fc.property(fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 40 }), (picks) => {
        const pods = picks.map((i) => pool[i] as Pod);
        const [fast, reference] = both(pods);
        expect(fast).toEqual(reference);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mergeDiff / applyPatch', () => {
  it('the patch from one object to another turns the first into the second, and leaves the first unchanged', () => {
    const from = { a: 1, b: { c: 2, d: [1, 2] }, e: 'x' };
    const to = { a: 1, b: { c: 3, d: [1, 2], f: true }, g: null };
    const patch = mergeDiff(from, to);
    expect(patch).toEqual({ b: { c: 3, f: true }, g: null, e: null });
    const before = JSON.stringify(from);
    // `g: null` in `to` is a removal in the patch: a merge patch cannot write a null (encodePod stores such a pod whole).
    expect(applyPatch(from, patch as Record<string, unknown>)).toEqual({ a: 1, b: { c: 3, d: [1, 2], f: true } });
    expect(JSON.stringify(from)).toBe(before);
    expect(mergeDiff(from, JSON.parse(before))).toBeUndefined();
  });

  it('keeps a key `__proto__` an own key, never the prototype', () => {
    const from = JSON.parse('{"__proto__":{"x":1},"a":1}') as Record<string, unknown>;
    const to = JSON.parse('{"__proto__":{"x":2},"a":1}') as Record<string, unknown>;
    const patched = applyPatch(from, mergeDiff(from, to) as Record<string, unknown>);
    expect(JSON.stringify(patched)).toBe(JSON.stringify(to));
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
  });
});
