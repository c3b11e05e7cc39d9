/**
 * `selectorOf`: the log selector of a filter rules an entry out only when
 * `matchesFilter` would — over every pairing of a set of entries (each kind
 * of event, passes deciding about pods and nodes) and of filters — and it
 * does rule entries out, which is what spares their reads.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, Pod } from '@everynode/api';
import { describeEntry, entryHeader, type LogEntry, parseHeader, selectorTest } from '@everynode/eventlog/internal';
import { type LogFilter, matchesFilter, parseObject, parseTypes, selectorOf } from './log-filter.ts';

const at = (s: number) => new Date(Date.parse('2026-11-28T12:00:00Z') + s * 1000).toISOString();
let seq = 0;
const event = (type: string, data: object, s: number): LogEntry =>
  ({ seq: ++seq, v: 2, kind: 'event', at: at(s), applied: true, event: { specversion: '1.0', id: `e${seq}`, source: 't', type, time: at(s), data } as ClusterEvent }) as LogEntry;
const pod = (name: string, node: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { nodeName: node } }) as Pod;

const entries: LogEntry[] = [
  event('io.everynode.node.joined', { metadata: { name: 'n1' } }, 1),
  event('io.everynode.node.updated', { metadata: { name: 'n2' } }, 2),
  event('io.everynode.node.removed', { metadata: { name: 'n1' } }, 3),
  event('io.everynode.pod.status', { ...pod('p1', 'n1'), status: { phase: 'Running' } }, 4),
  event('io.everynode.pod.deleted', { metadata: { name: 'p2', namespace: 'ns' } }, 5),
  event('io.everynode.daemonset.applied', { metadata: { name: 'd', namespace: 'ns' }, spec: {} }, 6),
  event('io.everynode.daemonset.deleted', { metadata: { name: 'e', namespace: 'other' } }, 7),
  {
    seq: ++seq,
    v: 2,
    kind: 'pass',
    at: at(8),
    daemonSet: 'ns/d',
    causes: [],
    decisions: [
      { type: 'PodCreateRequested', commandId: 'c', node: 'n2', pod: pod('p3', 'n2') },
      { type: 'PodDeleteRequested', commandId: 'c2', namespace: 'ns', name: 'p1', node: 'n1', reason: 'Duplicate' },
    ],
  } as unknown as LogEntry,
  { seq: ++seq, v: 2, kind: 'pass', at: at(9), daemonSet: 'other/e', causes: [], decisions: [] } as unknown as LogEntry,
];

const filters: LogFilter[] = [
  {},
  ...['pass', 'node.joined', 'node.removed,pod.status', 'daemonset.applied'].map((t) => ({ types: parseTypes(t) })),
  ...['node/n1', 'node/n2', 'pod/ns/p1', 'pod/ns/p3', 'pod/p1', 'ds/ns/d', 'ds/other/e', 'ds/d'].map((o) => ({ object: parseObject(o) })),
  { since: Date.parse(at(5)) },
  { types: parseTypes('pass'), object: parseObject('pod/ns/p1'), since: Date.parse(at(2)) },
];

describe('selectorOf', () => {
  it('rules an entry out only when it cannot match, and rules some out', async () => {
    let ruledOut = 0;
    for (const filter of filters) {
      const may = selectorTest(selectorOf(filter));
      for (const entry of entries) {
        // As the index line describes it, and as the store judges an entry read without one.
        const header = parseHeader(entryHeader(entry));
        const line = { seq: entry.seq, at: header.at, type: header.type, object: header.object };
        expect(describeEntry(entry)).toEqual(line);
        if (matchesFilter(entry, filter)) expect(may(line), `${JSON.stringify(filter)} #${entry.seq}`).toBe(true);
        else if (!may(line)) ruledOut++;
      }
    }
    // Of the pairs that do not match, the line alone rules most out (passes about pods and nodes need their bodies).
    expect(ruledOut).toBeGreaterThan(80);
  });
});
