/** Reading old log entries as today's shape (upcast.ts's version history). */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@everynode/api';
import { daemonPodLike } from '@everynode/daemonset';
import { assertEntryShape, LogFormatError, LogSchemaVersion, upcastEntry } from './upcast.ts';

const event = { specversion: '1.0', id: 'e1', source: 's', type: 'io.everynode.node.removed', time: '2026-01-01T00:00:00Z', data: { metadata: { name: 'a' } } };

describe('upcastEntry', () => {
  it('returns a current entry as is, without copying', () => {
    const raw = { seq: 1, v: LogSchemaVersion, kind: 'event', at: '2026-01-01T00:00:01Z', event, applied: false, ignored: 'stale' };
    expect(upcastEntry(raw)).toBe(raw);
  });

  it('reads a v1 event (no v, acceptedAt, no outcome) as applied, with at', () => {
    const entry = upcastEntry({ seq: 3, kind: 'event', acceptedAt: '2026-01-01T00:00:01Z', event });
    expect(entry).toEqual({ seq: 3, v: LogSchemaVersion, kind: 'event', at: '2026-01-01T00:00:01Z', event, applied: true });
    assertEntryShape(entry);
  });

  it('reads a v1 pass (time, no causes) with at and no causes', () => {
    const entry = upcastEntry({ seq: 4, v: 1, kind: 'pass', time: '2026-01-01T00:00:02Z', daemonSet: 'ns/ds', decisions: [] });
    expect(entry).toEqual({ seq: 4, v: LogSchemaVersion, kind: 'pass', at: '2026-01-01T00:00:02Z', daemonSet: 'ns/ds', decisions: [], causes: [] });
  });

  it('keeps at, applied and causes of an unversioned entry already in the v2 shape', () => {
    expect(upcastEntry({ seq: 5, kind: 'event', at: 'x', event, applied: false })).toMatchObject({ at: 'x', applied: false, v: LogSchemaVersion });
    expect(upcastEntry({ seq: 6, kind: 'pass', at: 'y', daemonSet: 'ns/ds', decisions: [], causes: [2] })).toMatchObject({ at: 'y', causes: [2] });
  });

  it('reads a v2 entry as v3: the same shape', () => {
    const raw = { seq: 2, v: 2, kind: 'pass', at: 'x', daemonSet: 'ns/ds', decisions: [], causes: [1] };
    expect(upcastEntry(raw)).toEqual({ ...raw, v: LogSchemaVersion });
    expect(raw.v).toBe(2);
  });

  it('refuses an unknown version or kind, naming the entry', () => {
    expect(() => upcastEntry({ seq: 7, v: 9, kind: 'event' })).toThrow(new LogFormatError('log entry 7: unknown schema version 9 (this engine reads 1, 2, 3)'));
    expect(() => upcastEntry({ seq: 8, kind: 'nap' })).toThrow(LogFormatError);
  });

  it('finds what replay would trip on', () => {
    expect(() => assertEntryShape(upcastEntry({ seq: 9, kind: 'pass', time: '2026-01-01T00:00:02Z', daemonSet: 'ns/ds' }))).toThrow('log entry 9: decisions is missing or not valid');
    expect(() => assertEntryShape(upcastEntry({ seq: 10, kind: 'event', acceptedAt: '2026-01-01T00:00:01Z', event: { ...event, id: 1 } }))).toThrow('event.id');
  });

  it('gives a v3 compact creation its pod back: the fields as spreading keeps them, in order, an own __proto__ as a field', () => {
    const podBase: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd-a', namespace: 'ns', uid: 'u-a', labels: { app: 'd' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] } };
    const compact = JSON.parse('{"type":"PodCreateRequested","commandId":"c2","node":"n2","name":"d-b","uid":"u-b","later":1,"__proto__":{"x":1}}') as Record<string, unknown>;
    const status = { type: 'DaemonSetStatusUpdated', status: {} };
    const entry = upcastEntry({ seq: 11, v: LogSchemaVersion, kind: 'pass', at: 'x', daemonSet: 'ns/d', podBase, decisions: [compact, status], causes: [] });
    if (entry.kind !== 'pass') throw new Error('a pass');
    const [creation, second] = entry.decisions as unknown as Record<string, unknown>[];
    const { name: _name, uid: _uid, ...rest } = compact;
    expect(Object.keys(creation ?? {})).toEqual(['type', 'commandId', 'node', 'later', '__proto__', 'pod']);
    expect(creation).toEqual({ ...rest, pod: daemonPodLike(podBase, 'n2', 'd-b', 'u-b') });
    expect(Object.getPrototypeOf(creation)).toBe(Object.prototype);
    expect(second).toBe(status);
    expect('podBase' in entry).toBe(false);
  });

  it('names the field a compact creation lacks', () => {
    const podBase = { metadata: { name: 'a' }, spec: {} };
    const read = (d: object) => () => upcastEntry({ seq: 12, v: LogSchemaVersion, kind: 'pass', at: 'x', daemonSet: 'ns/d', podBase, decisions: [{ type: 'RevisionDeleted', name: 'r' }, d], causes: [] });
    expect(read({ type: 'PodCreateRequested', commandId: 'c', name: 'p', uid: 'u' })).toThrow(new LogFormatError('log entry 12: decisions[1].node is missing or not a string'));
    expect(read({ type: 'PodCreateRequested', commandId: 'c', node: 'n', uid: 'u' })).toThrow(new LogFormatError('log entry 12: decisions[1].name is missing or not a string'));
    expect(read({ type: 'PodCreateRequested', commandId: 'c', node: 'n', name: 'p', uid: 7 })).toThrow(new LogFormatError('log entry 12: decisions[1].uid is missing or not a string'));
  });
});
