/**
 * The answers derived from the log, against a real engine (BullMQ workers on
 * a fresh prefix of the real Redis): Kubernetes Events rebuilt from the
 * passes, and a pod's explanation — including a pod that is gone.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import type { Engine } from '../../../test/support/cluster.ts';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import type { KubeEvent } from './controller-events.ts';
import type { PodExplanation } from './pod-history.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await testEngine('api-history');
  app = buildServer(engine);
});

afterEach(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const dsPath = '/apis/apps/v1/namespaces/kube-system/daemonsets';

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T };
}

/** The seed's six nodes and fluentd; resolves with its pods once all six exist. */
async function applySeed(): Promise<Pod[]> {
  for (const n of fixture('cluster-6-nodes.yaml') as unknown as Node[]) {
    expect((await app.inject({ method: 'PUT', url: `/api/v1/nodes/${n.metadata.name}`, payload: n })).statusCode).toBe(201);
  }
  const ds = fixture('fluentd-daemonset.yaml')[0] as unknown as DaemonSet;
  expect((await app.inject({ method: 'POST', url: dsPath, payload: ds })).statusCode).toBe(201);
  return eventually(async () => {
    const { body } = await getJson<{ items: Pod[] }>('/api/v1/namespaces/kube-system/pods');
    return body.items.length === 6 && body.items;
  }, 15_000, 'six fluentd pods');
}

/** The pod the controller placed on `node` (its affinity names the node until the agent reports it). */
function podFor(pods: readonly Pod[], node: string): Pod {
  return pods.find((p) => JSON.stringify(p.spec.affinity).includes(`"${node}"`)) as Pod;
}

function report(pod: Pod, node: string, phase: 'Running' | 'Failed') {
  const ready = phase === 'Running' ? 'True' : 'False';
  const data = { ...pod, spec: { ...pod.spec, nodeName: node }, status: { phase, conditions: [{ type: 'Ready', status: ready }] } };
  return app.inject({ method: 'POST', url: '/events', payload: cloudEvent('io.everynode.pod.status', data, { source: `agent/${node}` }) });
}

type EventList = { apiVersion: string; kind: string; items: KubeEvent[] };

describe('GET /api/v1/namespaces/:ns/events', () => {
  it('lists the Events of the DaemonSet controller, derived from the passes in the log', async () => {
    const pods = await applySeed();
    const ds = (await getJson<DaemonSet>(`${dsPath}/fluentd-elasticsearch`)).body;
    const { status, body } = await getJson<EventList>('/api/v1/namespaces/kube-system/events');
    expect(status).toBe(200);
    expect(body).toMatchObject({ apiVersion: 'v1', kind: 'EventList' });
    expect(body.items).toHaveLength(6);
    expect(body.items.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    const first = body.items[0] as KubeEvent;
    expect(first).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      type: 'Normal',
      reason: 'SuccessfulCreate',
      involvedObject: { kind: 'DaemonSet', namespace: 'kube-system', name: 'fluentd-elasticsearch', uid: ds.metadata.uid },
      source: { component: 'daemonset-controller' },
      count: 1,
    });
    expect(first.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.lastTimestamp).toBe(first.firstTimestamp);
    expect(first.metadata.name).toMatch(/^fluentd-elasticsearch\.[0-9a-f]{16}$/);
    expect(new Set(body.items.map((e) => e.metadata.name)).size).toBe(6);
    // Other namespaces have none.
    expect((await getJson<EventList>('/api/v1/namespaces/default/events')).body.items).toEqual([]);
    expect((await getJson<EventList>('/api/v1/events')).body.items).toHaveLength(6);
  });

  it('selects on involvedObject as kubectl describe asks, and refuses an unsupported field', async () => {
    await applySeed();
    const uid = (await getJson<DaemonSet>(`${dsPath}/fluentd-elasticsearch`)).body.metadata.uid ?? '';
    const describeSelector = encodeURIComponent(
      `involvedObject.name=fluentd-elasticsearch,involvedObject.namespace=kube-system,involvedObject.kind=DaemonSet,involvedObject.uid=${uid}`,
    );
    const selected = (await getJson<EventList>(`/api/v1/namespaces/kube-system/events?fieldSelector=${describeSelector}`)).body.items;
    expect(selected).toHaveLength(6);
    const other = encodeURIComponent('involvedObject.name=other');
    expect((await getJson<EventList>(`/api/v1/namespaces/kube-system/events?fieldSelector=${other}`)).body.items).toEqual([]);
    const nodes = encodeURIComponent('involvedObject.kind=Node');
    expect((await getJson<EventList>(`/api/v1/namespaces/kube-system/events?fieldSelector=${nodes}`)).body.items).toEqual([]);
    const bad = await getJson<{ message: string }>(`/api/v1/namespaces/kube-system/events?fieldSelector=${encodeURIComponent('spec.x=1')}`);
    expect(bad).toMatchObject({ status: 400, body: { message: 'field label not supported: spec.x' } });
  });

  it('records a failed daemon pod as a FailedDaemonPod warning and its deletion', async () => {
    const pods = await applySeed();
    const victim = podFor(pods, 'worker02');
    expect((await report(victim, 'worker02', 'Failed')).statusCode).toBe(202);
    const events = await eventually(async () => {
      const { body } = await getJson<EventList>('/api/v1/namespaces/kube-system/events');
      return body.items.some((e) => e.reason === 'SuccessfulDelete') && body.items;
    }, 15_000, 'the failed pod deleted');
    const failed = events.find((e) => e.reason === 'FailedDaemonPod');
    expect(failed).toMatchObject({
      type: 'Warning',
      message: `Found failed daemon pod kube-system/${victim.metadata.name} on node worker02, will try to kill it`,
    });
    expect(events.find((e) => e.reason === 'SuccessfulDelete')?.message).toBe(`Deleted pod: ${victim.metadata.name}`);
  });
});

describe('GET /api/v1/namespaces/:ns/pods/:name/explain', () => {
  it('tells how a pod was created, what it reported, and what removed it', async () => {
    const pods = await applySeed();
    const pod = podFor(pods, 'worker01');
    const name = pod.metadata.name;
    expect((await report(pod, 'worker01', 'Running')).statusCode).toBe(202);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/nodes/worker01' })).statusCode).toBe(200);
    await eventually(async () => (await getJson(`/api/v1/namespaces/kube-system/pods/${name}`)).status === 404, 15_000, 'the pod gone');

    const { status, body } = await getJson<PodExplanation>(`/api/v1/namespaces/kube-system/pods/${name}/explain`);
    expect(status).toBe(200);
    expect(body.pod).toEqual({ namespace: 'kube-system', name });
    const seqs = body.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const created = body.entries.find((e) => e.kind === 'pass' && e.summary.includes('create on node worker01'));
    expect(created?.summary).toMatch(/^reconcile daemonset\.apps\/kube-system\/fluentd-elasticsearch: create on node worker01 \(revision [0-9a-f]+\); caused by #\d+/);
    const applied = body.entries.find((e) => e.type === 'io.everynode.daemonset.applied');
    expect(applied).toMatchObject({ kind: 'event', object: 'daemonset.apps/kube-system/fluentd-elasticsearch' });
    expect(applied?.causeOf).toContain(created?.seq);
    expect(created?.causes).toContain(applied?.seq);

    // The node's join (before the DaemonSet existed) is what made worker01 qualify.
    const joined = body.entries.find((e) => e.type === 'io.everynode.node.joined');
    expect(joined).toMatchObject({ kind: 'event', object: 'node/worker01' });
    expect(joined?.summary).toBe(`made node/worker01 qualify for the pod created by #${created?.seq}: io.everynode.node.joined`);
    expect(joined!.seq).toBeLessThan(created!.seq);

    const running = body.entries.find((e) => e.type === 'io.everynode.pod.status');
    expect(running?.summary).toBe('status reported by agent/worker01: Running, ready on node worker01');

    const removed = body.entries.find((e) => e.kind === 'pass' && e.summary.includes('delete from node worker01'));
    expect(removed?.summary).toContain('(NodeRemoved, forced: the node is gone)');
    const nodeRemoved = body.entries.find((e) => e.type === 'io.everynode.node.removed');
    expect(nodeRemoved).toMatchObject({ object: 'node/worker01', causeOf: [removed?.seq] });
    expect(nodeRemoved?.summary).toBe(`cause of #${removed?.seq}: io.everynode.node.removed node/worker01`);
  });

  it('answers a pod the log never mentions with the NotFound Status', async () => {
    const res = await getJson<{ message: string; reason: string; code: number }>('/api/v1/namespaces/default/pods/nope/explain');
    expect(res).toMatchObject({ status: 404, body: { reason: 'NotFound', code: 404, message: 'pods "nope" not found' } });
  });
});
