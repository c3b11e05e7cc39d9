/**
 * DELETE with DeleteOptions against a real engine and the simulated agent
 * (a fresh prefix of the real Redis), with the bodies and parameters kubectl
 * sends: each propagation policy's effect on the DaemonSet and its pods,
 * preconditions (409 as the apiserver words them), `dryRun=All` (nothing
 * written), bad options (4xx naming the field), and the writer recorded with
 * the event. Nodes take the same options.
 */
import type { DaemonSet, LogPage, Node, Pod } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '@everynode/agent';
import type { Engine } from '../../../test/support/cluster.ts';
import { destroyPrefix, eventually, fixture, testAgent, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let agent: Agent;
let app: FastifyInstance;

const dsPath = '/apis/apps/v1/namespaces/kube-system/daemonsets';
const fluentd = `${dsPath}/fluentd-elasticsearch`;
const podsPath = '/api/v1/namespaces/kube-system/pods';
const kubectlAgent = 'kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146';

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T };
}

/** DELETE `url` as kubectl sends it: DeleteOptions as the JSON body (none: no body). */
function del(url: string, options?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'DELETE',
    url,
    headers: { 'user-agent': kubectlAgent, ...(options ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(options ? { payload: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }) } : {}),
  });
}

const pods = async () => (await get<{ items: Pod[] }>(podsPath)).body.items;

/** The log replayed alone gives the live projection: the deletion's events and passes replay as they were applied. */
async function expectReplayAgrees(): Promise<void> {
  const { body } = await get<{ consistent: boolean; differences: string[] }>('/state/verify');
  expect(body.differences).toEqual([]);
  expect(body.consistent).toBe(true);
}

interface LoggedEvent {
  type: string;
  everynodemanager?: string;
  data: Record<string, unknown>;
}

/** The log's event entries, oldest first. */
async function events(): Promise<LoggedEvent[]> {
  const page = (await get<LogPage>('/log?limit=10000')).body;
  return page.items.flatMap((entry) => (entry.kind === 'event' ? [entry.event as never] : []));
}

/** The last event of `type` in the log (the agent's pod reports come after a deletion). */
const lastOf = async (type: string): Promise<LoggedEvent | undefined> => (await events()).filter((e) => e.type === type).at(-1);

beforeEach(async () => {
  engine = await testEngine('delete');
  agent = await testAgent(engine);
  app = buildServer(engine);
  for (const n of fixture('cluster-6-nodes.yaml').slice(0, 3)) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/nodes', payload: n });
    expect(res.statusCode, res.body).toBe(201);
  }
  const res = await app.inject({ method: 'POST', url: dsPath, payload: fixture('fluentd-daemonset.yaml')[0] });
  expect(res.statusCode, res.body).toBe(201);
  await eventually(async () => (await get<DaemonSet>(fluentd)).body.status?.numberAvailable === 3, 20_000, 'three pods available');
});

afterEach(async () => {
  await app.close();
  await agent.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('DELETE a DaemonSet: propagation policies', () => {
  it('Background (kubectl delete): Success, the DaemonSet gone at once, then its pods; the event carries the policy and kubectl as writer', async () => {
    const res = await del(fluentd, { propagationPolicy: 'Background' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'fluentd-elasticsearch', group: 'apps', kind: 'daemonsets' } });
    expect((await get(fluentd)).status).toBe(404);
    await eventually(async () => (await pods()).length === 0, 20_000, 'the pods deleted');
    expect(await lastOf('io.everynode.daemonset.deleted')).toMatchObject({
      everynodemanager: 'kubectl',
      data: { metadata: { namespace: 'kube-system', name: 'fluentd-elasticsearch' }, propagationPolicy: 'Background' },
    });
  });

  it('no options at all is Background', async () => {
    expect((await del(fluentd)).statusCode).toBe(200);
    expect((await lastOf('io.everynode.daemonset.deleted'))?.data).toMatchObject({ propagationPolicy: 'Background' });
    await eventually(async () => (await pods()).length === 0, 20_000, 'the pods deleted');
  });

  it('Orphan (kubectl delete --cascade=orphan): the DaemonSet gone at once, its pods kept, running, their owner reference removed', async () => {
    const before = (await pods()).map((p) => p.metadata.name).sort();
    const res = await del(fluentd, { propagationPolicy: 'Orphan' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await get(fluentd)).status).toBe(404);
    const released = await eventually(async () => {
      const now = await pods();
      return now.every((p) => (p.metadata.ownerReferences ?? []).length === 0) && now;
    }, 20_000, 'the pods released');
    expect(released.map((p) => p.metadata.name).sort()).toEqual(before);
    expect(released.every((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running')).toBe(true);
    await expectReplayAgrees();
  });

  it('orphanDependents=true (the deprecated query parameter) is Orphan', async () => {
    expect((await del(`${fluentd}?orphanDependents=true`)).statusCode).toBe(200);
    expect((await lastOf('io.everynode.daemonset.deleted'))?.data).toMatchObject({ propagationPolicy: 'Orphan' });
  });

  it('Foreground (kubectl delete --cascade=foreground): the answer is the DaemonSet marked for deletion; it goes once its pods are gone', async () => {
    const res = await del(fluentd, { propagationPolicy: 'Foreground' });
    expect(res.statusCode, res.body).toBe(200);
    const marked = res.json() as DaemonSet;
    expect(marked).toMatchObject({ kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: { name: 'fluentd-elasticsearch', finalizers: ['foregroundDeletion'] } });
    expect(Date.parse(marked.metadata.deletionTimestamp ?? '')).toBeGreaterThan(0);
    await eventually(async () => (await get(fluentd)).status === 404, 20_000, 'the DaemonSet gone');
    expect(await pods()).toEqual([]);
    const removed = await get<LogPage>('/log?limit=10000');
    const finalized = removed.body.items.some((e) => e.kind === 'pass' && e.decisions.some((d) => d.type === 'FinalizerRemoved'));
    expect(finalized).toBe(true);
    await expectReplayAgrees();
  });
});

describe('DELETE a DaemonSet: preconditions, dryRun, bad options', () => {
  it('a precondition uid or resourceVersion that is not the object’s is 409 Conflict, in the apiserver’s words, and deletes nothing', async () => {
    const current = (await get<DaemonSet>(fluentd)).body;
    const uid = await del(fluentd, { preconditions: { uid: 'not-the-uid' } });
    expect(uid.statusCode).toBe(409);
    expect(uid.json()).toMatchObject({
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on daemonsets.apps "fluentd-elasticsearch": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${current.metadata.uid}`,
    });
    const rv = await del(fluentd, { preconditions: { resourceVersion: '1' } });
    expect(rv.statusCode).toBe(409);
    expect(rv.json()).toMatchObject({ message: expect.stringContaining(`Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${current.metadata.resourceVersion}`) });
    expect((await get(fluentd)).status).toBe(200);
    const matching = await del(fluentd, { preconditions: { uid: current.metadata.uid } });
    expect(matching.statusCode, matching.body).toBe(200);
  });

  it('dryRun=All checks and changes nothing: Success for Background, the marked object for Foreground, no event logged', async () => {
    const logged = (await events()).length;
    const background = await del(`${fluentd}?dryRun=All`);
    expect(background.statusCode, background.body).toBe(200);
    expect(background.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const foreground = await del(fluentd, { dryRun: ['All'], propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
    expect(foreground.statusCode, foreground.body).toBe(200);
    expect(foreground.json()).toMatchObject({ metadata: { finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) } });
    const still = await get<DaemonSet>(fluentd);
    expect(still.status).toBe(200);
    expect(still.body.metadata.deletionTimestamp).toBeUndefined();
    expect((await events()).length).toBe(logged);
    expect(await del(fluentd, { dryRun: ['All'], preconditions: { uid: 'other' } })).toMatchObject({ statusCode: 409 });
  });

  it('an unknown policy, both orphanDependents and a policy, or an unknown dryRun is 422 Invalid about DeleteOptions, naming the field', async () => {
    const policy = await del(fluentd, { propagationPolicy: 'Sideways' });
    expect(policy.statusCode).toBe(422);
    expect(policy.json()).toMatchObject({
      reason: 'Invalid',
      message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
      details: { group: 'meta.k8s.io', kind: 'DeleteOptions', causes: [{ field: 'propagationPolicy', reason: 'FieldValueNotSupported' }] },
    });
    const both = await del(fluentd, { propagationPolicy: 'Orphan', orphanDependents: true });
    expect(both.statusCode).toBe(422);
    expect(both.json()).toMatchObject({ message: expect.stringContaining('propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set') });
    const dryRun = await del(`${fluentd}?dryRun=Some`);
    expect(dryRun.statusCode).toBe(422);
    expect(dryRun.json()).toMatchObject({ message: expect.stringContaining('dryRun: Unsupported value: "Some": supported values: "All"') });
    expect((await get(fluentd)).status).toBe(200);
  });

  it('options of the wrong type, or a body that is not DeleteOptions, are 400 naming the field', async () => {
    const typed = await del(fluentd, { propagationPolicy: 5 });
    expect(typed.statusCode).toBe(400);
    expect(typed.json()).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('DeleteOptions.propagationPolicy') });
    const kind = await app.inject({ method: 'DELETE', url: fluentd, headers: { 'content-type': 'application/json' }, payload: '{"kind":"Pod"}' });
    expect(kind.statusCode).toBe(400);
    expect(kind.json()).toMatchObject({ message: expect.stringContaining('DeleteOptions.kind') });
    const grace = await del(`${fluentd}?gracePeriodSeconds=soon`);
    expect(grace.statusCode).toBe(400);
    expect(grace.json()).toMatchObject({ message: expect.stringContaining('"gracePeriodSeconds"') });
    expect((await get(fluentd)).status).toBe(200);
  });

  it('gracePeriodSeconds is accepted (and changes nothing)', async () => {
    expect((await del(`${fluentd}?gracePeriodSeconds=0`)).statusCode).toBe(200);
  });

  it('a missing DaemonSet is 404', async () => {
    expect(await del(`${dsPath}/nope`, { propagationPolicy: 'Foreground' })).toMatchObject({ statusCode: 404 });
  });
});

describe('DELETE a node', () => {
  it('takes the same options: a precondition that fails is 409, dryRun changes nothing, a delete removes the node and its daemon pod', async () => {
    const node = (await get<Node>('/api/v1/nodes/master01')).body;
    expect(await del('/api/v1/nodes/master01', { preconditions: { uid: 'x' } })).toMatchObject({ statusCode: 409 });
    expect(await del('/api/v1/nodes/master01?dryRun=All')).toMatchObject({ statusCode: 200 });
    expect((await get('/api/v1/nodes/master01')).status).toBe(200);
    const res = await del('/api/v1/nodes/master01', { propagationPolicy: 'Foreground', preconditions: { uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'master01', kind: 'nodes' } });
    expect((await get('/api/v1/nodes/master01')).status).toBe(404);
    await eventually(async () => (await pods()).every((p) => p.spec.nodeName !== 'master01'), 20_000, 'the pod on master01 gone');
    expect(await lastOf('io.everynode.node.removed')).toMatchObject({ everynodemanager: 'kubectl' });
  });
});
