/**
 * The patch module: RFC 7386's own examples and laws, RFC 6902 refusals
 * naming the operation, and strategic merge patch over every strategy and
 * directive the apply side knows, with the outcomes upstream's
 * `strategicpatch` gives (new merge-list items go before the server's
 * remaining ones, as the Kubernetes docs' `kubectl patch` example shows).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyConfiguration, applyPatch, mergePatch, PatchType, patchTypeOf, strategicMergePatch } from './patch.ts';
import { StatusError } from './status.ts';

/** The Status a call throws. */
function statusOf(call: () => unknown): { code: number; reason?: string; message?: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof StatusError) return error.status;
    throw error;
  }
  throw new Error('expected a StatusError');
}

const container = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: `${name}:1`, ...extra });
const ds = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'd', namespace: 'ns', labels: { app: 'd' } },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers, ...extra } } },
});
const podSpec = (patch: unknown) => ({ spec: { template: { spec: patch } } });
type PodSpec = { containers: unknown[] } & Record<string, unknown>;
const smpSpec = (original: object, patch: unknown) => (strategicMergePatch(original, podSpec(patch), 'DaemonSet') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe('patchTypeOf', () => {
  it('reads the media type, parameters and case aside', () => {
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe(PatchType.strategic);
    expect(patchTypeOf('Application/Merge-Patch+JSON; charset=utf-8')).toBe(PatchType.merge);
    expect(patchTypeOf('application/json-patch+json')).toBe(PatchType.json);
  });

  it('reads server-side apply', () => {
    expect(patchTypeOf('application/apply-patch+yaml')).toBe(PatchType.apply);
  });

  it.each(['application/json', 'application/yaml', 'text/plain', undefined])('refuses %s with a 415 naming the served types', (type) => {
    const status = statusOf(() => patchTypeOf(type));
    expect(status.code).toBe(415);
    expect(status.reason).toBe('UnsupportedMediaType');
    expect(status.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
  });
});

describe('server-side apply (applyConfiguration)', () => {
  it('with no object, the configuration is the object (nulls dropped)', () => {
    const config = { ...ds([container('a')]), status: null };
    expect(applyConfiguration(undefined, config, 'DaemonSet')).toEqual(ds([container('a')]));
  });

  it("merges over the live object as a strategic merge patch: containers by name, the others' fields and containers kept", () => {
    const live = ds([container('a', { env: [{ name: 'X', value: '1' }] }), container('b')]);
    const applied = applyPatch(PatchType.apply, live, ds([container('a', { image: 'a:2' })]), 'DaemonSet') as unknown as { spec: { template: { spec: PodSpec } } };
    expect(applied.spec.template.spec.containers).toEqual([container('a', { image: 'a:2', env: [{ name: 'X', value: '1' }] }), container('b')]);
  });

  it('keeps what the configuration leaves out (no field ownership is tracked), and removes what it sets to null', () => {
    const live = { ...ds([container('a')]), metadata: { name: 'd', namespace: 'ns', labels: { app: 'd', team: 'x' } } };
    const applied = applyConfiguration(live, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', labels: { team: null, tier: 'y' } } }, 'DaemonSet');
    expect(applied.metadata).toEqual({ name: 'd', namespace: 'ns', labels: { app: 'd', tier: 'y' } });
  });

  it('refuses a configuration that is not an object, or names no apiVersion or kind, with a 400', () => {
    expect(statusOf(() => applyConfiguration(undefined, ['a'], 'DaemonSet'))).toMatchObject({ code: 400, message: expect.stringContaining('must be an object') });
    expect(statusOf(() => applyConfiguration(undefined, { kind: 'DaemonSet' }, 'DaemonSet'))).toMatchObject({ code: 400, message: 'an apply patch must set apiVersion' });
    expect(statusOf(() => applyConfiguration(ds([]), { apiVersion: 'apps/v1' }, 'DaemonSet'))).toMatchObject({ code: 400, message: 'an apply patch must set kind' });
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  // RFC 7386 Appendix A, every example.
  const examples: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(examples)('%j patched with %j is %j', (target, patch, result) => {
    expect(mergePatch(target as never, patch as never)).toEqual(result);
  });

  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  const object = fc.dictionary(key, value, { maxKeys: 4 }) as fc.Arbitrary<Record<string, never>>;
  const noNulls = (v: unknown): boolean => v !== null && (typeof v !== 'object' || Object.values(v as object).every(noNulls));

  /** A merge patch that turns `from` into `to` (objects only; the test's own diff). */
  function diff(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
    const patch: Record<string, unknown> = {};
    for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
    for (const [k, v] of Object.entries(to)) {
      const old = from[k];
      const bothObjects = [old, v].every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
      if (bothObjects) patch[k] = diff(old as Record<string, unknown>, v as Record<string, unknown>);
      else if (JSON.stringify(old) !== JSON.stringify(v)) patch[k] = v;
    }
    return patch;
  }

  it('{} is the identity', () => {
    fc.assert(fc.property(object, (x) => {
        expect(mergePatch(x, {})).toEqual(x);
      }),);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(object, object, (x, p) => {
        expect(mergePatch(mergePatch(x, p), p)).toEqual(mergePatch(x, p));
      }),);
  });

  it('the diff of two null-free objects, applied to the first, gives the second', () => {
    fc.assert(fc.property(object.filter(noNulls), object.filter(noNulls), (a, b) => {
        expect(mergePatch(a, diff(a, b) as never)).toEqual(b);
      }),);
  });

  it('where no field has a strategy, a strategic merge patch is a JSON merge patch', () => {
    fc.assert(fc.property(object, object, (x, p) => {
        expect(strategicMergePatch(x, p, 'Node')).toEqual(mergePatch(x, p));
      }),);
  });

  it('a strategic merge patch of {} is the identity, and the stored object is not changed', () => {
    const original = ds([container('a'), container('b')], { volumes: [{ name: 'v', emptyDir: {} }] });
    const copy = structuredClone(original);
    expect(strategicMergePatch(original, {}, 'DaemonSet')).toEqual(original);
    strategicMergePatch(original, podSpec({ containers: [{ name: 'a', image: 'x' }] }), 'DaemonSet');
    expect(original).toEqual(copy);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { a: '1' } }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } };

  it('applies the operations in turn, leaving the stored object alone', () => {
    const patched = applyPatch(
      PatchType.json,
      node,
      [
        { op: 'test', path: '/metadata/labels/a', value: '1' },
        { op: 'add', path: '/metadata/labels/b', value: '2' },
        { op: 'remove', path: '/metadata/labels/a' },
        { op: 'add', path: '/spec/taints/-', value: { key: 'k2', effect: 'NoExecute' } },
        { op: 'copy', from: '/metadata/labels/b', path: '/metadata/labels/c' },
        { op: 'add', path: '/spec/unschedulable', value: true },
      ],
      'Node',
    );
    expect(patched.metadata).toEqual({ name: 'n', labels: { b: '2', c: '2' } });
    expect(patched.spec).toEqual({ taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k2', effect: 'NoExecute' }], unschedulable: true });
    expect(node.metadata.labels).toEqual({ a: '1' });
  });

  it('a failed test is a 422 naming the operation and its path', () => {
    const status = statusOf(() => applyPatch(PatchType.json, node, [{ op: 'add', path: '/x', value: 1 }, { op: 'test', path: '/metadata/labels/a', value: '2' }], 'Node'));
    expect(status.code).toBe(422);
    expect(status.message).toContain('JSON patch operation 1 (test /metadata/labels/a)');
  });

  it('a path that is not there is a 422 naming the operation and its path', () => {
    const status = statusOf(() => applyPatch(PatchType.json, node, [{ op: 'remove', path: '/spec/nothing' }], 'Node'));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.message).toContain('JSON patch operation 0 (remove /spec/nothing)');
  });

  it.each([
    [{ op: 'remove' }, 'not an array'],
    [[{ op: 'bogus', path: '/a' }], 'operation 0 (bogus /a)'],
    [[{ op: 'add', path: 'no-slash', value: 1 }], 'operation 0 (add no-slash)'],
    [[{ op: 'add', path: '/a' }], 'operation 0 (add /a)'],
    [[{ op: 'add', path: '/__proto__/polluted', value: 1 }], 'operation 0 (add /__proto__/polluted)'],
  ])('a malformed patch %j is a 400 (%s)', (patch, named) => {
    const status = statusOf(() => applyPatch(PatchType.json, node, patch, 'Node'));
    expect(status.code).toBe(400);
    if (named !== 'not an array') expect(status.message).toContain(named);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a patch that leaves no object is a 422', () => {
    expect(statusOf(() => applyPatch(PatchType.json, node, [{ op: 'replace', path: '', value: 3 }], 'Node')).code).toBe(422);
  });

  it('an empty body is a 400 for every type, and a merge patch must be an object', () => {
    for (const type of Object.values(PatchType)) expect(statusOf(() => applyPatch(type, node, undefined, 'Node')).code).toBe(400);
    expect(statusOf(() => applyPatch(PatchType.merge, node, [1], 'Node')).code).toBe(400);
    expect(statusOf(() => applyPatch(PatchType.strategic, node, 'x', 'Node')).code).toBe(400);
  });
});

describe('strategic merge patch', () => {
  describe('maps', () => {
    it('merge key by key; null deletes', () => {
      const node = { metadata: { name: 'n', labels: { a: '1', b: '2' } }, spec: {} };
      const patched = strategicMergePatch(node, { metadata: { labels: { b: null, c: '3' } }, spec: { unschedulable: true } }, 'Node');
      expect(patched).toEqual({ metadata: { name: 'n', labels: { a: '1', c: '3' } }, spec: { unschedulable: true } });
    });

    it('$patch: replace replaces the map with the rest of the patch', () => {
      const node = { metadata: { name: 'n', labels: { a: '1', b: '2' } } };
      expect(strategicMergePatch(node, { metadata: { labels: { $patch: 'replace', c: '3' } } }, 'Node')).toEqual({ metadata: { name: 'n', labels: { c: '3' } } });
    });

    it('$patch: delete empties the map', () => {
      const node = { metadata: { name: 'n', labels: { a: '1' } } };
      expect(strategicMergePatch(node, { metadata: { labels: { $patch: 'delete' } } }, 'Node')).toEqual({ metadata: { name: 'n', labels: {} } });
    });

    it('an unknown $patch directive is a 400 naming where', () => {
      const status = statusOf(() => strategicMergePatch({ metadata: {} }, { metadata: { labels: { $patch: 'merge-ish' } } }, 'Node'));
      expect(status.code).toBe(400);
      expect(status.message).toContain('at metadata.labels');
    });

    it('$retainKeys clears the keys it does not list and refuses a set key it does not list', () => {
      const volume = { name: 'v', hostPath: { path: '/var/log' } };
      const spec = smpSpec(ds([container('a')], { volumes: [volume] }), { volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] });
      expect(spec.volumes).toEqual([{ name: 'v', emptyDir: {} }]);
      const status = statusOf(() => smpSpec(ds([container('a')], { volumes: [volume] }), { volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['name'] }] }));
      expect(status.code).toBe(400);
      expect(status.message).toContain('"emptyDir"');
      expect(statusOf(() => strategicMergePatch({}, { spec: { $retainKeys: 'x' } }, 'Node')).code).toBe(400);
    });

    it('a value of another kind replaces; directives in new values are resolved, not stored', () => {
      const patched = strategicMergePatch({ metadata: { name: 'n', labels: 'oops' } }, { metadata: { labels: { a: '1', b: null }, annotations: { $patch: 'replace', x: 'y' } } }, 'Node');
      expect(patched).toEqual({ metadata: { name: 'n', labels: { a: '1' }, annotations: { x: 'y' } } });
    });
  });

  describe('lists with a merge key', () => {
    const original = ds([container('a', { env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '2' }] }), container('b')]);

    it('containers merge by name: one field of one container changes, the rest stay', () => {
      const spec = smpSpec(original, { containers: [{ name: 'b', image: 'b:2' }] });
      expect(spec.containers).toEqual([container('a', { env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '2' }] }), { name: 'b', image: 'b:2' }]);
    });

    it('env merges by name inside a container, and null deletes a field of an item', () => {
      const spec = smpSpec(original, { containers: [{ name: 'a', env: [{ name: 'E2', value: '22' }], image: null }] });
      expect(spec.containers[0]).toEqual({ name: 'a', env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '22' }] });
    });

    it('a new item goes before the server-only items that follow the patched ones', () => {
      expect(smpSpec(original, { containers: [{ name: 'c', image: 'c:1' }] }).containers.map((c) => (c as { name: string }).name)).toEqual(['c', 'a', 'b']);
      expect(smpSpec(original, { containers: [{ name: 'a', image: 'a:2' }, { name: 'c' }] }).containers.map((c) => (c as { name: string }).name)).toEqual(['a', 'c', 'b']);
    });

    it('$patch: delete removes the item by its merge key', () => {
      expect(smpSpec(original, { containers: [{ name: 'a', $patch: 'delete' }] }).containers).toEqual([container('b')]);
    });

    it('$patch: replace replaces the whole list with the other items', () => {
      expect(smpSpec(original, { containers: [{ name: 'z', image: 'z:1' }, { $patch: 'replace' }] }).containers).toEqual([{ name: 'z', image: 'z:1' }]);
    });

    it('$patch: merge in a list, or an unknown one, is a 400', () => {
      expect(statusOf(() => smpSpec(original, { containers: [{ name: 'a', $patch: 'merge' }] })).message).toContain('merging lists cannot yet be specified');
      expect(statusOf(() => smpSpec(original, { containers: [{ name: 'a', $patch: 'nope' }] })).code).toBe(400);
    });

    it('an item without its merge key is a 400 naming the list and the key', () => {
      const status = statusOf(() => smpSpec(original, { containers: [{ image: 'x' }] }));
      expect(status.code).toBe(400);
      expect(status.message).toContain('spec.template.spec.containers[0]');
      expect(status.message).toContain('"name"');
      expect(statusOf(() => smpSpec(original, { containers: [{ $patch: 'delete' }] })).message).toContain('"name"');
    });

    it('ports merge by containerPort, volumeMounts by mountPath, volumes and imagePullSecrets by name', () => {
      const start = ds([container('a', { ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'v', mountPath: '/a' }] })], {
        volumes: [{ name: 'v', emptyDir: {} }],
        imagePullSecrets: [{ name: 's1' }],
      });
      const spec = smpSpec(start, {
        containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 81 }], volumeMounts: [{ mountPath: '/a', readOnly: true }] }],
        volumes: [{ name: 'w', emptyDir: {} }],
        imagePullSecrets: [{ name: 's2' }],
      }) as Record<string, unknown[]>;
      expect(spec.containers?.[0]).toMatchObject({ ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 81 }], volumeMounts: [{ name: 'v', mountPath: '/a', readOnly: true }] });
      expect(spec.volumes).toEqual([{ name: 'w', emptyDir: {} }, { name: 'v', emptyDir: {} }]);
      expect(spec.imagePullSecrets).toEqual([{ name: 's2' }, { name: 's1' }]);
    });

    it('node conditions merge by type', () => {
      const node = { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] } };
      const patched = strategicMergePatch(node, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'Node');
      expect(patched.status).toEqual({ conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }] });
    });

    it('a list of lists, or of mixed kinds, is a 400', () => {
      expect(statusOf(() => smpSpec(original, { containers: [[1]] })).code).toBe(400);
      expect(statusOf(() => smpSpec(original, { containers: ['a'] })).message).toContain('not identical');
    });
  });

  describe('lists without a strategy', () => {
    it('tolerations and taints are replaced whole, as upstream declares no merge key for them', () => {
      const start = ds([container('a')], { tolerations: [{ key: 'a', operator: 'Exists' }] });
      expect(smpSpec(start, { tolerations: [{ key: 'b', operator: 'Exists' }] }).tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
      const node = { metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
      const patched = strategicMergePatch(node, { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', value: 'x', effect: 'NoExecute' }] } }, 'Node');
      expect(patched.spec).toEqual({ taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', value: 'x', effect: 'NoExecute' }] });
    });

    it('primitive lists (args) are replaced', () => {
      const start = ds([container('a', { args: ['x', 'y'] })]);
      expect(smpSpec(start, { containers: [{ name: 'a', args: ['z'] }] }).containers[0]).toMatchObject({ args: ['z'] });
    });
  });

  describe('merging primitive lists', () => {
    const node = { metadata: { name: 'n', finalizers: ['f1', 'f2'] }, spec: { podCIDRs: ['10.0.0.0/24'] } };

    it('finalizers and podCIDRs are sets: the patch adds', () => {
      const patched = strategicMergePatch(node, { metadata: { finalizers: ['f2', 'f3'] }, spec: { podCIDRs: ['fd00::/64'] } }, 'Node');
      expect((patched.metadata as { finalizers: string[] }).finalizers.sort()).toEqual(['f1', 'f2', 'f3']);
      expect((patched.spec as { podCIDRs: string[] }).podCIDRs.sort()).toEqual(['10.0.0.0/24', 'fd00::/64']);
    });

    it('$deleteFromPrimitiveList/<field> deletes the values it lists', () => {
      const patched = strategicMergePatch(node, { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1', 'absent'] } }, 'Node');
      expect((patched.metadata as { finalizers: string[] }).finalizers).toEqual(['f2']);
      const none = strategicMergePatch({ metadata: { name: 'n' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] } }, 'Node');
      expect(none.metadata).toEqual({ name: 'n' });
      expect(statusOf(() => strategicMergePatch(node, { metadata: { '$deleteFromPrimitiveList/finalizers': 'f1' } }, 'Node')).code).toBe(400);
      expect(statusOf(() => strategicMergePatch(node, { metadata: { '$deleteFromPrimitiveList': ['f1'] } }, 'Node')).code).toBe(400);
    });
  });

  describe('$setElementOrder', () => {
    const original = ds([container('a'), container('b'), container('c')]);
    const names = (spec: { containers: unknown[] }) => spec.containers.map((c) => (c as { name: string }).name);

    it('orders a merged list as the directive says (what kubectl apply sends when adding an item)', () => {
      const spec = smpSpec(original, { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }], containers: [{ name: 'd', image: 'd:1' }] });
      expect(names(spec)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('reorders without changing contents, and keeps server-only items in their place', () => {
      expect(names(smpSpec(original, { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }] }))).toEqual(['b', 'c', 'a']);
      expect(smpSpec(original, { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] }).containers[2]).toEqual(container('a'));
    });

    it('works with deletions in the same patch', () => {
      const spec = smpSpec(original, { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'b', $patch: 'delete' }] });
      expect(names(spec)).toEqual(['c', 'a']);
    });

    it('orders primitive merge lists too', () => {
      const node = { metadata: { name: 'n', finalizers: ['f1', 'f2'] } };
      const patched = strategicMergePatch(node, { metadata: { '$setElementOrder/finalizers': ['f3', 'f2', 'f1'], finalizers: ['f3'] } }, 'Node');
      expect((patched.metadata as { finalizers: string[] }).finalizers).toEqual(['f3', 'f2', 'f1']);
    });

    it('a patch list out of the directive\'s order, or an order item without the merge key, is a 400', () => {
      const out = statusOf(() => smpSpec(original, { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] }));
      expect(out.code).toBe(400);
      expect(out.message).toContain('$setElementOrder/containers');
      expect(statusOf(() => smpSpec(original, { '$setElementOrder/containers': [{ image: 'x' }], containers: [{ name: 'a' }] })).code).toBe(400);
      expect(statusOf(() => smpSpec(original, { '$setElementOrder/containers': 'a' })).code).toBe(400);
    });

    it('on a list without a strategy, the patch list is taken as is', () => {
      const start = ds([container('a')], { tolerations: [{ key: 'x' }] });
      expect(smpSpec(start, { '$setElementOrder/tolerations': [{ key: 'y' }], tolerations: [{ key: 'y' }] }).tolerations).toEqual([{ key: 'y' }]);
    });
  });

  describe('laws', () => {
    const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
    const images = fc.constantFrom('x:1', 'x:2', 'y:1');
    const containers = names.chain((ns) => fc.tuple(...ns.map((name) => images.map((image) => ({ name, image })))));

    it('kubectl apply\'s patch for a new container list (changed items and $setElementOrder, deletions) gives exactly that list', () => {
      fc.assert(
        fc.property(containers, containers, (before, after) => {
          // What CreateTwoWayMergePatch sends for a merge list: changed or added items, deletions, and the order.
          const changed = after.filter((c) => !before.some((b) => b.name === c.name && b.image === c.image));
          const removed = before.filter((b) => !after.some((c) => c.name === b.name)).map((b) => ({ name: b.name, $patch: 'delete' }));
          const patch = { '$setElementOrder/containers': after.map((c) => ({ name: c.name })), containers: [...changed, ...removed] };
          expect(smpSpec(ds(before), patch).containers).toEqual(after);
        }),
      );
    });

    it('is idempotent over container patches', () => {
      fc.assert(
        fc.property(containers, containers, (before, patch) => {
          const once = strategicMergePatch(ds(before), podSpec({ containers: patch }), 'DaemonSet');
          expect(strategicMergePatch(once, podSpec({ containers: patch }), 'DaemonSet')).toEqual(once);
        }),
      );
    });
  });
});
