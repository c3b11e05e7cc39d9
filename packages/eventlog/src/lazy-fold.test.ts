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
import type { PassEntry } from './entries.ts';
import { applyEntry, LazyFold } from './lazy-fold.ts';
import { diffStates } from './replay.ts';
import { EventStore } from './store.ts';

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
