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
