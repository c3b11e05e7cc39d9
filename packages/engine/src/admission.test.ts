import { describe, expect, it } from 'vitest';
import { admit } from './admission.ts';

const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
const joined = (extra: Record<string, unknown> = {}) => ({ specversion: '1.0', id: 'e1', source: 'test', type: 'io.everynode.node.joined', data: node, ...extra });

describe('admit', () => {
  it('stamps an event without time with its time of receipt, and marks it stamped', () => {
    const admission = admit(joined(), undefined, Date.parse('2026-12-01T10:00:00Z'));
    expect(admission).toMatchObject({ ok: true, event: { time: '2026-12-01T10:00:00.000Z', everynodestamped: true } });
  });

  it('keeps a given time as it is, unmarked', () => {
    const admission = admit(joined({ time: '2026-11-30T09:00:00Z' }), undefined, Date.parse('2026-12-01T10:00:00Z'));
    expect(admission.ok && admission.event.time).toBe('2026-11-30T09:00:00Z');
    expect(admission.ok && 'everynodestamped' in admission.event).toBe(false);
  });

  it('refuses a time that is not RFC 3339 in plain words naming the attribute', () => {
    expect(admit(joined({ time: 'yesterday' }), undefined, 0)).toEqual({ ok: false, reason: 'time: must be an RFC 3339 timestamp' });
  });

  it('names every missing or wrong field by its path, as Kubernetes does', () => {
    const admission = admit({ specversion: '1.0', source: 'test', type: 'io.everynode.pod.status', time: '2026-11-30T09:00:00Z', data: { metadata: { name: 'p' }, spec: {}, status: { phase: 'Nope' } } });
    expect(admission.ok).toBe(false);
    const reason = admission.ok ? '' : admission.reason;
    expect(reason).toContain('id: required');
    expect(reason).toContain('data.spec.nodeName: required');
    expect(reason).toMatch(/data\.status\.phase: /);
    expect(reason).not.toContain('✖');
  });

  it('without a time of receipt (no stamping asked), a missing time is refused', () => {
    expect(admit(joined())).toEqual({ ok: false, reason: 'time: required' });
  });

  it('refuses a non-object as the event', () => {
    expect(admit('not even an object', undefined, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/^the event: /) });
  });
});

/** `{"a":{"a":…}}` nested `n` deep, built without recursion. */
function nested(n: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < n; i++) value = { a: value };
  return value;
}

const reasonOf = (admission: ReturnType<typeof admit>) => (admission.ok ? '' : admission.reason);

describe('admit: bad input is refused, never thrown, and never echoed whole', () => {
  it('refuses an event nested 10,000 deep naming where, without overflowing the stack', () => {
    const admission = admit(joined({ data: { ...node, spec: nested(10_000) } }), undefined, 0);
    expect(reasonOf(admission)).toBe('data.spec.a.a.a.a.a.a…: nests deeper than 64 levels of objects and arrays');
  });

  it('refuses a type that String() cannot convert, naming the attribute', () => {
    expect(() => admit(joined({ type: { toString: 1 } }), undefined, 0)).not.toThrow();
    expect(reasonOf(admit(joined({ type: { toString: 1 } }), undefined, 0))).toMatch(/^type: /);
  });

  it('refuses __proto__ and constructor.prototype keys anywhere, as JSON.parse leaves them', () => {
    expect(reasonOf(admit(JSON.parse('{"specversion":"1.0","__proto__":{"x":1}}'), undefined, 0))).toMatch(/^__proto__: forbidden key/);
    const polluted = JSON.parse(`{"data":{"metadata":{"name":"n1","constructor":{"prototype":{"x":1}}}}}`) as Record<string, unknown>;
    expect(reasonOf(admit(joined(polluted), undefined, 0))).toMatch(/^data\.metadata\.constructor: forbidden key/);
  });

  it('refuses an event of more than 1 MiB of JSON (configurable), an unknown field of 10 MB included', () => {
    const big = joined({ data: { ...node, filler: 'x'.repeat(10_000_000) } });
    expect(reasonOf(admit(big, undefined, 0))).toMatch(/^the event: 100001\d\d bytes of JSON, more than the limit of 1048576$/);
    expect(admit(joined({ data: { ...node, filler: 'x'.repeat(1000) } }), undefined, 0, { maxDepth: 64, maxEventBytes: 500 }).ok).toBe(false);
  });

  it('bounds the context attributes: an id of 256 characters is fine, 257 and a 1 MB id are not', () => {
    expect(admit(joined({ id: 'i'.repeat(256) }), undefined, 0).ok).toBe(true);
    expect(reasonOf(admit(joined({ id: 'i'.repeat(257) }), undefined, 0))).toBe('id: must be at most 256 characters');
    expect(reasonOf(admit(joined({ source: 's'.repeat(1025), type: `io.everynode.node.joined${'x'.repeat(300)}` }), undefined, 0))).not.toContain('x'.repeat(100));
    expect(reasonOf(admit(joined({ subject: 'x'.repeat(1025) }), undefined, 0))).toBe('subject: must be at most 1024 characters');
  });

  it('refuses control characters, noncharacters and unpaired surrogates in attributes (they would make two ids one)', () => {
    expect(reasonOf(admit(joined({ source: 'a\nb' }), undefined, 0))).toMatch(/^source: must not contain control characters/);
    expect(reasonOf(admit(joined({ id: '\ud800' }), undefined, 0))).toMatch(/^id: must not contain/);
    expect(admit(joined({ id: 'ünïcødé-😀' }), undefined, 0).ok).toBe(true);
  });

  it('holds extension attributes to CloudEvents: lower-case alphanumeric names of at most 20, scalar values', () => {
    expect(admit(joined({ partitionkey: 'n1', sequence: 3, traced: true }), undefined, 0).ok).toBe(true);
    expect(reasonOf(admit(joined({ deep: nested(1000) }), undefined, 0))).toMatch(/^deep\.a\.a.*: nests deeper than 64/);
    expect(reasonOf(admit(joined({ deep: nested(10) }), undefined, 0))).toBe('deep: an extension attribute must be a string, a number or a boolean, not an object');
    expect(reasonOf(admit(joined({ ext: { a: 1 } }), undefined, 0))).toBe('ext: an extension attribute must be a string, a number or a boolean, not an object');
    expect(reasonOf(admit(joined({ ext: [1] }), undefined, 0))).toBe('ext: an extension attribute must be a string, a number or a boolean, not an array');
    expect(reasonOf(admit(joined({ Upper_Case: 'x' }), undefined, 0))).toMatch(/^"Upper_Case": an extension attribute's name must be 1 to 20 lower-case letters/);
    expect(reasonOf(admit(joined({ abcdefghijklmnopqrstu: 'x' }), undefined, 0))).toMatch(/name must be 1 to 20/);
  });

  it('validates annotations as Kubernetes does: qualified-name keys, 256 KiB in all', () => {
    const annotated = (annotations: Record<string, string>) => joined({ data: { ...node, metadata: { name: 'n1', annotations } } });
    expect(admit(annotated({ 'example.com/Some-Key': 'v', 'a.b/c': 'x'.repeat(200_000) }), undefined, 0).ok).toBe(true);
    expect(reasonOf(admit(annotated({ 'bad key!': 'v' }), undefined, 0))).toMatch(/metadata\.annotations: Invalid value: "bad key!": name part must consist of alphanumeric/);
    expect(reasonOf(admit(annotated({ a: 'x'.repeat(140_000), b: 'y'.repeat(140_000) }), undefined, 0))).toBe('The Node "n1" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes');
  });

  it('refusing a 1 MB label value quotes 256 characters of it and its size, not the megabyte', () => {
    const value = 'v'.repeat(1_000_000);
    const reason = reasonOf(admit(joined({ data: { ...node, metadata: { name: 'n1', labels: { app: value } } } }), undefined, 0, { maxDepth: 64, maxEventBytes: 2_000_000 }));
    expect(reason).toContain(`"${'v'.repeat(255)}…(1000002 bytes)`);
    expect(reason.length).toBeLessThan(4200);
  });

  it('validates the names the reference events carry: pods, removals, deletions', () => {
    const ref = (type: string, metadata: Record<string, unknown>) => admit({ ...joined(), type, data: { metadata } }, undefined, 0);
    expect(ref('io.everynode.node.removed', { name: 'worker01' }).ok).toBe(true);
    expect(reasonOf(ref('io.everynode.node.removed', { name: 'Not_A_Name' }))).toMatch(/^data\.metadata\.name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain/);
    expect(reasonOf(ref('io.everynode.pod.deleted', { namespace: 'kube.system', name: 'p' }))).toMatch(/^data\.metadata\.namespace: Invalid value: "kube.system": must not contain dots/);
    expect(reasonOf(ref('io.everynode.daemonset.deleted', { namespace: 'ns', name: 'x'.repeat(300) }))).toMatch(/must be no more than 253 characters/);
  });
});
