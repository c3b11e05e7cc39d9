/**
 * The log as an audit trail, against a real engine (BullMQ workers on a
 * fresh prefix of the real Redis): `GET /log`'s filters and paging, and
 * `GET /state?to=…|at=…` — the cluster rebuilt as it stood before a node
 * was removed, its pod still there.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import type { Engine } from '../../../test/support/cluster.ts';
import type { LogEntry } from '@everynode/engine';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

const dsPath = '/apis/apps/v1/namespaces/kube-system/daemonsets';
const removedNode = 'worker01';

type Page = { items: LogEntry[]; next: number };
type StateAnswer = {
  seq: number;
  at: string | null;
  nodes: { kind: string; items: Node[] };
  daemonSets: { kind: string; items: DaemonSet[] };
  pods: { kind: string; items: Pod[] };
};

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T };
}

async function wholeLog(): Promise<LogEntry[]> {
  return (await getJson<Page>('/log?limit=10000')).body.items;
}

/** The log once it has stopped growing for a moment (passes settle after the pods exist). */
async function settledLog(): Promise<LogEntry[]> {
  let before = -1;
  return eventually(async () => {
    const log = await wholeLog();
    const settled = log.length === before;
    before = log.length;
    await new Promise((r) => setTimeout(r, 150));
    return settled && log;
  }, 10_000, 'a quiet log');
}

/** Pods placed on `node` (their affinity names it until an agent reports them). */
const onNode = (pods: readonly Pod[], node: string) => pods.filter((p) => JSON.stringify(p.spec.affinity).includes(`"${node}"`));

let beforeRemoval: { seq: number; at: string; pods: Pod[] };
let removal: LogEntry;

// One history for every test: six nodes, fluentd on each, then worker01 removed.
beforeAll(async () => {
  engine = await testEngine('api-time-travel');
  app = buildServer(engine);
  for (const n of fixture('cluster-6-nodes.yaml') as unknown as Node[]) {
    expect((await app.inject({ method: 'PUT', url: `/api/v1/nodes/${n.metadata.name}`, payload: n })).statusCode).toBe(201);
  }
  const ds = fixture('fluentd-daemonset.yaml')[0] as unknown as DaemonSet;
  expect((await app.inject({ method: 'POST', url: dsPath, payload: ds })).statusCode).toBe(201);
  const pods = await eventually(async () => {
    const { body } = await getJson<{ items: Pod[] }>('/api/v1/namespaces/kube-system/pods');
    return body.items.length === 6 && body.items;
  }, 15_000, 'six fluentd pods');
  const log = await settledLog();
  const last = log.at(-1) as LogEntry;
  beforeRemoval = { seq: last.seq, at: last.at, pods };
  // Entry times are milliseconds: step past the last one so `at` separates before from after.
  await new Promise((r) => setTimeout(r, 20));
  expect((await app.inject({ method: 'DELETE', url: `/api/v1/nodes/${removedNode}` })).statusCode).toBe(200);
  await eventually(async () => (await getJson<{ items: Pod[] }>('/api/v1/namespaces/kube-system/pods')).body.items.length === 5, 15_000, 'five pods');
  removal = (await settledLog()).find((e) => e.kind === 'event' && e.event.type === 'io.everynode.node.removed') as LogEntry;
}, 40_000);

afterAll(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('GET /log filters', () => {
  it('type matches a CloudEvent type, its suffix after io.everynode., or pass', async () => {
    const full = await getJson<Page>('/log?type=io.everynode.node.joined');
    const suffix = await getJson<Page>('/log?type=node.joined');
    expect(full.status).toBe(200);
    expect(full.body.items).toHaveLength(6);
    expect(suffix.body).toEqual(full.body);
    const passes = (await getJson<Page>('/log?type=pass&limit=10000')).body.items;
    expect(passes.length).toBeGreaterThan(0);
    expect(passes.every((e) => e.kind === 'pass')).toBe(true);
    const both = (await getJson<Page>('/log?type=node.removed,daemonset.applied')).body.items;
    expect(both.map((e) => e.kind === 'event' && e.event.type)).toEqual(['io.everynode.daemonset.applied', 'io.everynode.node.removed']);
  });

  it('object matches events about a node and the passes that decided about pods on it', async () => {
    const items = (await getJson<Page>(`/log?object=node/${removedNode}&limit=10000`)).body.items;
    const events = items.filter((e) => e.kind === 'event').map((e) => e.kind === 'event' && e.event.type);
    expect(events).toEqual(['io.everynode.node.joined', 'io.everynode.node.removed']);
    const passes = items.filter((e) => e.kind === 'pass');
    const verbs = passes.flatMap((p) => (p.kind === 'pass' ? p.decisions.filter((d) => 'node' in d && d.node === removedNode).map((d) => d.type) : []));
    expect(verbs).toEqual(expect.arrayContaining(['PodCreateRequested', 'PodDeleteRequested']));
  });

  it('object matches a DaemonSet by ds/NS/NAME, and ds/NAME means namespace default', async () => {
    const items = (await getJson<Page>('/log?object=ds/kube-system/fluentd-elasticsearch&limit=10000')).body.items;
    expect(items[0]).toMatchObject({ kind: 'event', event: { type: 'io.everynode.daemonset.applied' } });
    expect(items.slice(1).every((e) => e.kind === 'pass' && e.daemonSet === 'kube-system/fluentd-elasticsearch')).toBe(true);
    expect((await getJson<Page>('/log?object=ds/fluentd-elasticsearch')).body.items).toEqual([]);
    expect((await getJson<Page>('/log?object=daemonset.apps/kube-system/fluentd-elasticsearch&limit=10000')).body.items).toEqual(items);
  });

  it('object matches a pod by the passes that created and deleted it', async () => {
    const pod = onNode(beforeRemoval.pods, removedNode)[0] as Pod;
    const items = (await getJson<Page>(`/log?object=pod/kube-system/${pod.metadata.name}`)).body.items;
    const verbs = items.flatMap((e) => (e.kind === 'pass' ? e.decisions.map((d) => d.type) : []));
    expect(verbs).toEqual(expect.arrayContaining(['PodCreateRequested', 'PodDeleteRequested']));
  });

  it('since takes RFC 3339 or a duration before now', async () => {
    const all = await wholeLog();
    expect((await getJson<Page>('/log?since=1h&limit=10000')).body.items).toEqual(all);
    expect((await getJson<Page>('/log?since=2999-01-01T00:00:00Z')).body.items).toEqual([]);
    const after = (await getJson<Page>(`/log?since=${encodeURIComponent(removal.at)}&limit=10000`)).body.items;
    expect(after[0]?.seq).toBeLessThanOrEqual(removal.seq);
    expect(after.every((e) => Date.parse(e.at) >= Date.parse(removal.at))).toBe(true);
    expect(after.some((e) => e.seq <= beforeRemoval.seq)).toBe(false);
  });

  it('limit bounds the matches, and next continues the scan without a gap or a repeat', async () => {
    const seen: number[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const { body } = await getJson<Page>(`/log?type=node.joined&after=${after}&limit=4`);
      seen.push(...body.items.map((e) => e.seq));
      if (body.items.length < 4) {
        expect(body.next).toBe((await wholeLog()).at(-1)?.seq);
        break;
      }
      expect(body.next).toBe(body.items.at(-1)?.seq);
      after = body.next;
    }
    const expected = (await wholeLog()).filter((e) => e.kind === 'event' && e.event.type === 'io.everynode.node.joined').map((e) => e.seq);
    expect(seen).toEqual(expected);
    expect((await getJson<Page>('/log?type=node.joined&limit=0')).body).toEqual({ items: [], next: 0, horizon: 0 });
  });

  it.each([
    ['type=node.exploded', 'type', 'unknown type "node.exploded"'],
    ['object=svc/x', 'object', 'must be node/NAME, pod/[NS/]NAME or ds/[NS/]NAME'],
    ['object=node/a/b', 'object', 'nodes have no namespace'],
    ['since=yesterday', 'since', 'must be an RFC 3339 time'],
    ['since=-1h', 'since', 'must not be a negative duration'],
    ['after=-1', 'after', 'must be a non-negative integer'],
  ])('?%s is a 400 naming %s', async (query, parameter, reason) => {
    const { status, body } = await getJson<{ reason: string; message: string }>(`/log?${query}`);
    expect(status).toBe(400);
    expect(body.reason).toBe('BadRequest');
    expect(body.message).toContain(`query parameter "${parameter}"`);
    expect(body.message).toContain(reason);
  });
});

describe('GET /state', () => {
  it('?to=SEQ rebuilds the cluster before the node was removed: its node and its pod are there', async () => {
    const { status, body } = await getJson<StateAnswer>(`/state?to=${beforeRemoval.seq}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ seq: beforeRemoval.seq, at: beforeRemoval.at, nodes: { kind: 'NodeList' }, daemonSets: { kind: 'DaemonSetList' }, pods: { kind: 'PodList' } });
    expect(body.nodes.items.map((n) => n.metadata.name)).toContain(removedNode);
    expect(body.pods.items.map((p) => p.metadata.name).sort()).toEqual(beforeRemoval.pods.map((p) => p.metadata.name).sort());
    expect(onNode(body.pods.items, removedNode)).toHaveLength(1);
    expect(body.daemonSets.items).toHaveLength(1);
    expect(body.daemonSets.items[0]?.status).toMatchObject({ desiredNumberScheduled: 6, currentNumberScheduled: 6 });
  });

  it('without a bound it is the present: the node and its pod are gone', async () => {
    const { body } = await getJson<StateAnswer>('/state');
    expect(body.nodes.items.map((n) => n.metadata.name)).not.toContain(removedNode);
    expect(body.pods.items).toHaveLength(5);
    expect(onNode(body.pods.items, removedNode)).toHaveLength(0);
    expect(body.daemonSets.items[0]?.status).toMatchObject({ desiredNumberScheduled: 5 });
    // The same pods; the live ones also carry the seq of their last change, which a replayed state does not know.
    const live = (await getJson<{ items: Pod[] }>('/api/v1/pods')).body.items;
    expect(body.pods.items).toEqual(live.map(({ metadata: { resourceVersion: _rv, ...metadata }, ...pod }) => ({ ...pod, metadata })));
  });

  it('?at=TIME takes every entry accepted at or before TIME, and says that moment', async () => {
    const { body } = await getJson<StateAnswer>(`/state?at=${encodeURIComponent(beforeRemoval.at)}`);
    expect(body.seq).toBe(beforeRemoval.seq);
    expect(body.at).toBe(beforeRemoval.at);
    expect(onNode(body.pods.items, removedNode)).toHaveLength(1);
    const early = (await getJson<StateAnswer>('/state?at=2000-01-01T00:00:00Z')).body;
    expect(early).toMatchObject({ seq: 0, at: '2000-01-01T00:00:00.000Z', nodes: { items: [] }, pods: { items: [] }, daemonSets: { items: [] } });
  });

  it('?to=0 is the empty cluster, with no moment', async () => {
    expect((await getJson<StateAnswer>('/state?to=0')).body).toMatchObject({ seq: 0, at: null, nodes: { items: [] } });
  });

  it.each([
    ['to=x', 'to', 'must be a non-negative integer'],
    ['at=yesterday', 'at', 'must be an RFC 3339 time'],
  ])('?%s is a 400 naming %s', async (query, parameter, reason) => {
    const { status, body } = await getJson<{ message: string }>(`/state?${query}`);
    expect(status).toBe(400);
    expect(body.message).toContain(`query parameter "${parameter}"`);
    expect(body.message).toContain(reason);
  });
});
