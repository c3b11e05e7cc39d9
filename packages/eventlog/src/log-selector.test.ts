import { describe, expect, it } from 'vitest';
import { describeEntry, selectorTest } from './log-selector.ts';
import type { LogEntry } from './entries.ts';

const line = (seq: number, type: string, object: string, at = 1000) => ({ seq, at, type, object });

describe('selectorTest', () => {
  it('matches a clause only when every property given matches', () => {
    const test = selectorTest({ types: ['io.everynode.node.joined'], object: 'node/a', since: 1000 });
    expect(test(line(1, 'io.everynode.node.joined', 'node/a'))).toBe(true);
    expect(test(line(2, 'io.everynode.node.updated', 'node/a'))).toBe(false);
    expect(test(line(3, 'io.everynode.node.joined', 'node/b'))).toBe(false);
    expect(test(line(4, 'io.everynode.node.joined', 'node/a', 999))).toBe(false);
  });

  it('an empty clause selects everything; a list selects what any clause selects', () => {
    expect(selectorTest({})(line(1, 'pass', 'daemonset.apps/default/d'))).toBe(true);
    const either = selectorTest([{ types: ['pass'] }, { seqs: new Set([7]) }]);
    expect(either(line(1, 'pass', 'daemonset.apps/default/d'))).toBe(true);
    expect(either(line(7, 'io.everynode.pod.status', 'pod/default/p'))).toBe(true);
    expect(either(line(8, 'io.everynode.pod.status', 'pod/default/p'))).toBe(false);
    expect(selectorTest([])(line(1, 'pass', 'x'))).toBe(false);
  });

  it('an entry with an unreadable time is never `since` anything', () => {
    expect(selectorTest({ since: 0 })(line(1, 'pass', 'x', Number.NaN))).toBe(false);
  });
});

describe('describeEntry', () => {
  it('describes a pass by its DaemonSet and an event by its object, as the index line does', () => {
    const pass = { v: 3, kind: 'pass', seq: 5, at: '2026-01-01T00:00:00Z', daemonSet: 'kube-system/f', decisions: [], causes: [] } as unknown as LogEntry;
    expect(describeEntry(pass)).toEqual({ seq: 5, at: Date.parse('2026-01-01T00:00:00Z'), type: 'pass', object: 'daemonset.apps/kube-system/f' });
    const event = {
      v: 3,
      kind: 'event',
      seq: 6,
      at: '2026-01-01T00:00:01Z',
      applied: true,
      event: { specversion: '1.0', id: '1', source: 's', type: 'io.everynode.pod.deleted', time: '2026-01-01T00:00:00Z', data: { metadata: { name: 'p', namespace: 'ns' } } },
    } as unknown as LogEntry;
    expect(describeEntry(event)).toMatchObject({ seq: 6, type: 'io.everynode.pod.deleted', object: 'pod/ns/p' });
  });
});
