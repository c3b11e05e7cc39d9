/**
 * An entry read whole is folded by the core into the lazy fold's state,
 * whose node and pod maps keep the order `evolve` gives the objects (a
 * pending object holds its place while it is out of the map): what it
 * leaves, and the order it leaves them in, are those of folding into a
 * plain state — also when a pass deletes a pod and creates it again (the
 * pod moves to the end). Nothing here is pending, so nothing is read from
 * Redis.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterEvent, Pod } from '@everynode/api';
import { type ClusterState, type Decision, emptyClusterState, evolve } from '@everynode/daemonset';
import type { EventEntry, LogEntry, PassEntry } from './entries.ts';
import { entryHeader } from './header.ts';
import { Keys } from './keys.ts';
import { applyEntry, HeaderFoldedTypes, LazyFold } from './lazy-fold.ts';
import { indexBlockOf, indexLine, readIndexPage } from './log-index.ts';
import { diffStates } from './replay.ts';
import { entryOf, EventStore } from './store.ts';

const redis = new Redis({ lazyConnect: true });
afterAll(() => redis.disconnect());

const dsApplied = {
  specversion: '1.0',
  id: 'e1',
  source: 'test',
  time: '2026-04-01T00:00:00Z',
  type: 'io.everynode.daemonset.applied',
  data: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
} as ClusterEvent;

const pod = (name: string, node = 'n1'): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}-${node}`, labels: { a: 'b' } }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] } });
const create = (name: string, node = 'n1'): Decision => ({ type: 'PodCreateRequested', commandId: `c-${name}-${node}`, node, pod: pod(name, node) });
const forceDelete = (name: string): Decision => ({ type: 'PodDeleteRequested', commandId: `d-${name}`, namespace: 'default', name, node: 'n1', reason: 'NodeRemoved', force: true });
const relabel = (name: string): Decision => ({ type: 'PodRelabeled', namespace: 'default', name, hash: 'h2' });
const pass = (seq: number, decisions: Decision[]): PassEntry => ({ seq, v: 3, kind: 'pass', at: '2026-04-01T00:00:01Z', daemonSet: 'default/d', decisions, causes: [] });

function start(): ClusterState {
  const state = emptyClusterState();
  evolve(state, dsApplied);
  for (const name of ['a', 'x', 'b']) state.pods.set(`default/${name}`, pod(name));
  return state;
}

describe('LazyFold.entry', () => {
  it('leaves what folding into the whole state does, in its order', async () => {
    const passes = [
      pass(1, [forceDelete('x'), create('c'), create('x', 'n2'), relabel('x')]),
      pass(2, [relabel('a'), forceDelete('b'), create('b', 'n3'), create('d'), forceDelete('a')]),
      pass(3, [forceDelete('nothing'), create('a'), relabel('c')]),
    ];
    const whole = start();
    const fold = new LazyFold(new EventStore(redis, 'test-lazy-fold-unused'), start());
    for (const entry of passes) {
      applyEntry(whole, entry);
      await fold.entry(entry);
    }
    const folded = await fold.finish();
    expect(diffStates(whole, folded)).toEqual([]);
    expect([...folded.pods.keys()]).toEqual([...whole.pods.keys()]);
    expect([...folded.pods.keys()]).toEqual(['default/c', 'default/x', 'default/b', 'default/d', 'default/a']);
    expect([...folded.versions.keys()]).toEqual([...whole.versions.keys()]);
  });
});

/**
 * A log in memory, read as Redis would serve it: index blocks by MGET (as
 * bytes), bodies by pipelined XRANGE. Counts the bodies read.
 */
function memoryLog(entries: readonly Omit<EventEntry, 'seq'>[]) {
  const keys = new Keys('test-lazy-fold-memory');
  const texts = new Map<string, string>();
  const bodies = new Map<number, string>();
  entries.forEach((entry, i) => {
    const seq = i + 1;
    const block = keys.indexBlock(indexBlockOf(seq));
    texts.set(block, (texts.get(block) ?? '') + indexLine(seq, entryHeader(entry)));
    bodies.set(seq, JSON.stringify(entry));
  });
  const read = { bodies: 0 };
  const redis = {
    mgetBuffer: async (names: string[]) => names.map((name) => (texts.has(name) ? Buffer.from(texts.get(name) as string) : null)),
    pipeline() {
      const ranges: [number, number][] = [];
      const pipeline = {
        xrange(_key: string, from: string, to: string) {
          ranges.push([Number.parseInt(from, 10), Number.parseInt(to, 10)]);
          return pipeline;
        },
        exec: async () =>
          ranges.map(([a, b]) => {
            const rows: [string, string[]][] = [];
            for (let seq = a; seq <= b; seq++) if (bodies.has(seq)) rows.push([`${seq}-0`, ['e', bodies.get(seq) as string]]);
            read.bodies += rows.length;
            return [null, rows];
          }),
      };
      return pipeline;
    },
  };
  const store = { keys, redis } as unknown as EventStore;
  const whole = (): LogEntry[] => entries.map((_, i) => entryOf(bodies.get(i + 1) as string, i + 1));
  return { store, read, whole };
}

describe('LazyFold over index pages', () => {
  const at = (s: number) => new Date(Date.parse('2026-04-01T00:00:00Z') + s * 1000).toISOString();
  const event = (s: number, type: string, data: object): Omit<EventEntry, 'seq'> => ({ v: 3, kind: 'event', at: at(s), applied: true, event: { specversion: '1.0', id: `e${s}`, source: 'test', time: at(s), type, data } as ClusterEvent });
  // Nodes join two by two in the same second (a creation time shared), pods report each in its own.
  const node = (s: number, name: string, round: number) => event(Math.floor(s / 4) * 4, round === 0 ? 'io.everynode.node.joined' : 'io.everynode.node.updated', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { round: String(round) } } });
  const report = (s: number, name: string, round: number) =>
    event(s, 'io.everynode.pod.status', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(round % 2 === 1 ? { labels: { round: String(round) } } : {}) },
      spec: { nodeName: `n${name}` },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: `round-${round}` }] },
    });

  it('builds, in chunks read ahead of the parsing, what folding every entry whole does, whatever the page size', async () => {
    // Seven nodes and seven pods, each changed three times, interleaved: 42 entries, 14 objects built at the end.
    // A node's creation time is its join's: two by two the same, then another.
    const entries: Omit<EventEntry, 'seq'>[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 7; i++) entries.push(node(entries.length, `n${i}`, round), report(entries.length + 1, `p${i}`, round));
    }
    const { store, read, whole } = memoryLog(entries);
    const expected = emptyClusterState();
    for (const entry of whole()) applyEntry(expected, entry);
    for (const [page, chunk] of [[5, 2], [7, 3], [42, 1], [1000, 2000]] as const) {
      read.bodies = 0;
      const fold = new LazyFold(store, emptyClusterState(), chunk);
      for (let from = 1; from <= entries.length; from += page) {
        const cursor = await readIndexPage(store, from, Math.min(from + page - 1, entries.length), HeaderFoldedTypes);
        while (cursor.next()) {
          expect(cursor.json).toBeUndefined();
          fold.line(cursor);
        }
      }
      const folded = await fold.finish();
      expect(diffStates(expected, folded)).toEqual([]);
      expect([...folded.nodes.keys()]).toEqual([...expected.nodes.keys()]);
      expect([...folded.pods.keys()]).toEqual([...expected.pods.keys()]);
      // The last body of each node; of each pod its first (it created the pod), last and last with labels.
      expect(read.bodies).toBe(7 + 7 * 3);
    }
  });
});
