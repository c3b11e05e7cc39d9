/** Reading old log entries as today's shape (upcast.ts's version history). */
import { describe, expect, it } from 'vitest';
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
});
