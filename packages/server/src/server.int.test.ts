/**
 * The HTTP API against a real engine (BullMQ workers on a fresh prefix of
 * the real Redis), through fastify's `inject`: CloudEvents in every content
 * mode, the seed manifests applied through the resource paths, Kubernetes
 * Status errors, the log, verification and the probes.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import type { Engine } from '../../../test/support/cluster.ts';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await testEngine('api');
  app = buildServer(engine);
});

afterEach(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const seedNodes = () => fixture('cluster-6-nodes.yaml') as unknown as Node[];
const fluentd = () => fixture('fluentd-daemonset.yaml')[0] as unknown as DaemonSet;
const dsPath = (ns: string, name?: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets${name === undefined ? '' : `/${name}`}`;
const node = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, ...extra });

/** A DaemonSet whose selector does not match its template's labels. */
function mismatchedDaemonSet(): DaemonSet {
  const ds = fluentd();
  return { ...ds, spec: { ...ds.spec, selector: { matchLabels: { name: 'someone-else' } } } };
}

async function applySeed(): Promise<void> {
  for (const n of seedNodes()) {
    const res = await app.inject({ method: 'PUT', url: `/api/v1/nodes/${n.metadata.name}`, payload: n });
    expect(res.statusCode, res.body).toBe(201);
  }
  const res = await app.inject({ method: 'POST', url: dsPath('kube-system'), payload: fluentd() });
  expect(res.statusCode, res.body).toBe(201);
}

async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T };
}

describe('POST /events', () => {
  it('takes one event in structured mode and answers once it is readable', async () => {
    const event = cloudEvent('io.everynode.node.joined', node('n1'));
    const res = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents+json' }, payload: JSON.stringify(event) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: [{ id: event.id, source: 'test' }], refused: [] });
    expect((await getJson('/api/v1/nodes/n1')).status).toBe(200);
  });

  it('takes one event in binary mode: ce-* headers and the data as body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/events',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'bin-1',
        'ce-source': 'agent%2Fn2',
        'ce-type': 'io.everynode.node.joined',
        'ce-time': new Date().toISOString(),
      },
      payload: JSON.stringify(node('n2')),
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ accepted: [{ id: 'bin-1', source: 'agent/n2' }], refused: [] });
    expect((await getJson('/api/v1/nodes/n2')).status).toBe(200);
  });

  it('takes a batch, refusing only the invalid event with a reason naming the field', async () => {
    const good = cloudEvent('io.everynode.node.joined', node('n3'));
    const bad = cloudEvent('io.everynode.node.joined', node('n4', { spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }));
    const res = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: JSON.stringify([good, bad]) });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toEqual([{ id: good.id, source: 'test' }]);
    expect(body.refused).toHaveLength(1);
    expect(body.refused[0]).toMatchObject({ index: 1, id: bad.id });
    expect(body.refused[0].reason).toContain('spec.taints[0].effect');
  });

  it('answers 400 with every refusal when no event was accepted', async () => {
    const bad = { ...cloudEvent('io.everynode.node.joined', node('n5')), time: 'yesterday' };
    const unknown = cloudEvent('io.example.unknown', {});
    const res = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: JSON.stringify([bad, unknown]) });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.accepted).toEqual([]);
    expect(body.refused.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    expect(body.refused[0].reason).toContain('time');
    expect(body.refused[1].reason).toContain('unknown event type "io.example.unknown"');
  });

  it('answers 400 with a reason for a body that is not JSON, or not an event or a batch', async () => {
    const notJson = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents+json' }, payload: '{nope' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(notJson.json().message).toEqual(expect.any(String));

    const scalar = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/json' }, payload: '42' });
    expect(scalar.statusCode).toBe(400);
    expect(scalar.json().message).toContain('must be a CloudEvent');

    const batchOfOne = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: '{}' });
    expect(batchOfOne.statusCode).toBe(400);
    expect(batchOfOne.json().message).toContain('must be a JSON array');
  });

  it('with ?wait=false answers once queued', async () => {
    const event = cloudEvent('io.everynode.node.joined', node('n6'));
    const res = await app.inject({ method: 'POST', url: '/events?wait=false', payload: event });
    expect(res.statusCode).toBe(202);
    await eventually(async () => (await getJson('/api/v1/nodes/n6')).status === 200, 10_000, 'node n6');
  });
});

describe('DaemonSets and nodes through the resource paths', () => {
  it('applies the seed manifests, and the DaemonSet reaches 6 desired and current', async () => {
    await applySeed();
    const ds = await eventually(async () => {
      const { body } = await getJson<DaemonSet>(dsPath('kube-system', 'fluentd-elasticsearch'));
      return body.status?.desiredNumberScheduled === 6 && body.status.currentNumberScheduled === 6 && body;
    }, 15_000, 'fluentd 6/6');
    expect(ds).toMatchObject({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd-elasticsearch', namespace: 'kube-system' } });

    const again = await app.inject({ method: 'PUT', url: dsPath('kube-system', 'fluentd-elasticsearch'), payload: fluentd() });
    expect(again.statusCode, again.body).toBe(200);
  });

  it('filters lists by labelSelector and fieldSelector', async () => {
    await applySeed();
    const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name);

    const all = (await getJson('/apis/apps/v1/daemonsets?labelSelector=k8s-app%3Dfluentd-logging')).body;
    expect(all).toMatchObject({ apiVersion: 'apps/v1', kind: 'DaemonSetList', metadata: { resourceVersion: expect.stringMatching(/^[1-9]\d*$/) } });
    expect(names(all as never)).toEqual(['fluentd-elasticsearch']);
    expect((await getJson<{ items: unknown[] }>('/apis/apps/v1/daemonsets?labelSelector=k8s-app!%3Dfluentd-logging')).body.items).toEqual([]);
    expect((await getJson<{ items: unknown[] }>(`${dsPath('default')}`)).body.items).toEqual([]);

    const masters = (await getJson('/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fmaster')).body;
    expect(masters.kind).toBe('NodeList');
    expect(names(masters as never)).toEqual(['master01', 'master02', 'master03']);
    const workers = (await getJson('/api/v1/nodes?labelSelector=!node-role.kubernetes.io%2Fmaster,kubernetes.io%2Fhostname%20in%20(worker01,worker03)')).body;
    expect(names(workers as never)).toEqual(['worker01', 'worker03']);
    expect(names((await getJson('/api/v1/nodes?fieldSelector=metadata.name%3Dmaster02')).body as never)).toEqual(['master02']);

    const pods = await eventually(async () => {
      const { body } = await getJson<{ kind: string; items: Pod[] }>('/api/v1/namespaces/kube-system/pods?labelSelector=name%3Dfluentd-elasticsearch');
      return body.items.length === 6 && body;
    }, 15_000, '6 fluentd pods');
    expect(pods.kind).toBe('PodList');
    // A daemon pod names its node in its affinity until the node's agent reports it running there.
    const first = pods.items.find((p) => JSON.stringify(p.spec.affinity).includes('"worker01"')) as Pod;
    const running = { ...first, spec: { ...first.spec, nodeName: 'worker01' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    await app.inject({ method: 'POST', url: '/events', payload: cloudEvent('io.everynode.pod.status', running) });
    const onWorker01 = (await getJson<{ items: Pod[] }>('/api/v1/pods?fieldSelector=spec.nodeName%3Dworker01,status.phase%3DRunning')).body.items;
    expect(onWorker01.map((p) => p.metadata.name)).toEqual([first.metadata.name]);
    const pod = await getJson(`/api/v1/namespaces/kube-system/pods/${first.metadata.name}`);
    expect(pod).toMatchObject({ status: 200, body: { apiVersion: 'v1', kind: 'Pod', spec: { nodeName: 'worker01' }, status: { phase: 'Running' } } });

    const revisions = (await getJson<{ kind: string; items: { kind: string }[] }>('/apis/apps/v1/namespaces/kube-system/controllerrevisions')).body;
    expect(revisions.kind).toBe('ControllerRevisionList');
    expect(revisions.items.length).toBeGreaterThanOrEqual(1);
    expect(revisions.items[0]?.kind).toBe('ControllerRevision');

    const badSelector = await getJson('/api/v1/nodes?labelSelector=a%20in%20b');
    expect(badSelector.status).toBe(400);
    expect(badSelector.body.message).toContain('labelSelector');
    const badField = await getJson('/api/v1/nodes?fieldSelector=spec.podCIDR%3Dx');
    expect(badField).toMatchObject({ status: 400, body: { message: 'field label not supported: spec.podCIDR' } });
  });

  it('answers a missing DaemonSet with the 404 Status kubectl prints', async () => {
    const res = await getJson(dsPath('kube-system', 'nope'));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'daemonsets.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'daemonsets' },
      code: 404,
    });
    // kubectl asks for the namespace next, to keep that message.
    expect(await getJson('/api/v1/namespaces/kube-system')).toMatchObject({
      status: 200,
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' }, status: { phase: 'Active' } },
    });
    expect((await getJson('/api/v1/nodes/nope')).body).toMatchObject({ message: 'nodes "nope" not found', details: { name: 'nope', kind: 'nodes' } });
    expect((await getJson('/api/v1/namespaces/default/pods/nope')).body.message).toBe('pods "nope" not found');
    expect((await getJson('/no/such/path')).body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('refuses an invalid DaemonSet with the 422 Status Kubernetes gives, and stores nothing', async () => {
    const res = await app.inject({ method: 'POST', url: dsPath('kube-system'), payload: mismatchedDaemonSet() });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'The DaemonSet "fluentd-elasticsearch" is invalid: spec.template.metadata.labels: Invalid value: {"name":"fluentd-elasticsearch"}: `selector` does not match template `labels`',
      reason: 'Invalid',
      details: {
        name: 'fluentd-elasticsearch',
        group: 'apps',
        kind: 'DaemonSet',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: {"name":"fluentd-elasticsearch"}: `selector` does not match template `labels`',
            field: 'spec.template.metadata.labels',
          },
        ],
      },
      code: 422,
    });
    expect((await getJson(dsPath('kube-system', 'fluentd-elasticsearch'))).status).toBe(404);
    expect((await getJson<{ items: unknown[] }>('/log')).body.items).toEqual([]);
  });

  it('refuses a POST of an existing DaemonSet (409) and a body naming another object (400)', async () => {
    await applySeed();
    const res = await app.inject({ method: 'POST', url: dsPath('kube-system'), payload: fluentd() });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ reason: 'AlreadyExists', message: 'daemonsets.apps "fluentd-elasticsearch" already exists', code: 409 });

    const renamed = await app.inject({ method: 'PUT', url: dsPath('kube-system', 'other'), payload: fluentd() });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().message).toBe('the name of the object (fluentd-elasticsearch) does not match the name on the URL (other)');
    const moved = await app.inject({ method: 'POST', url: dsPath('default'), payload: fluentd() });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it('creates with the path namespace when the manifest has none, and deletes', async () => {
    const ds = fluentd();
    const { namespace: _ns, ...metadata } = ds.metadata;
    const created = await app.inject({ method: 'PUT', url: dsPath('logging', 'fluentd-elasticsearch'), payload: { ...ds, metadata } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().metadata.namespace).toBe('logging');

    const del = await app.inject({ method: 'DELETE', url: dsPath('logging', 'fluentd-elasticsearch') });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'fluentd-elasticsearch', group: 'apps', kind: 'daemonsets' },
    });
    // Read-your-writes: the delete is in the log before the answer.
    expect((await getJson(dsPath('logging', 'fluentd-elasticsearch'))).status).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: dsPath('logging', 'fluentd-elasticsearch') })).statusCode).toBe(404);
  });

  it('concurrent writes naming one resourceVersion: one wins, the others 409, their events logged as changing nothing', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/nodes', payload: node('race') })).statusCode).toBe(201);
    const read = (await getJson('/api/v1/nodes/race')).body as Node;
    const version = read.metadata.resourceVersion;
    expect(version).toMatch(/^\d+$/);
    // Five writers, each having read the same version, all pass the check before the submit: the commit decides.
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => app.inject({ method: 'PUT', url: '/api/v1/nodes/race', payload: { ...read, metadata: { ...read.metadata, labels: { writer: String(i) } } } })),
    );
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes).toEqual([200, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.statusCode === 200)?.json() as Node;
    for (const loser of answers.filter((a) => a.statusCode === 409)) {
      expect(loser.json()).toMatchObject({ reason: 'Conflict', code: 409, details: { name: 'race', kind: 'nodes' } });
    }
    const stored = (await getJson('/api/v1/nodes/race')).body as Node;
    expect(stored.metadata.labels).toEqual(winner.metadata.labels);
    const updates = (await engine.history.readLog({ limit: 1000 })).filter((e) => e.kind === 'event' && e.event.type === 'io.everynode.node.updated');
    expect(updates.map((e) => e.kind === 'event' && e.applied).sort()).toEqual([false, false, false, false, true]);
    for (const e of updates) if (e.kind === 'event' && !e.applied) expect(e.ignored).toMatch(new RegExp(`^precondition failed: it names resourceVersion ${version}, the object is at `));
    // A write naming the version it read now succeeds; one naming the old version is refused before it is submitted.
    expect((await app.inject({ method: 'PUT', url: '/api/v1/nodes/race', payload: { ...stored, metadata: { ...stored.metadata, labels: { writer: 'next' } } } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/nodes/race', payload: read })).statusCode).toBe(409);

    // A DELETE whose precondition names the version a concurrent PUT names too: one of the two wins.
    const latest = (await getJson('/api/v1/nodes/race')).body as Node;
    const resourceVersion = latest.metadata.resourceVersion;
    const [put, del] = await Promise.all([
      app.inject({ method: 'PUT', url: '/api/v1/nodes/race', payload: { ...latest, metadata: { ...latest.metadata, labels: { writer: 'last' } } } }),
      app.inject({ method: 'DELETE', url: '/api/v1/nodes/race', payload: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion } } }),
    ]);
    expect([put.statusCode, del.statusCode].sort()).toEqual([200, 409]);
    const gone = (await getJson('/api/v1/nodes/race')).status === 404;
    expect(gone).toBe(del.statusCode === 200);
    if (del.statusCode === 409) expect(del.json().message).toMatch(new RegExp(`Precondition failed: ResourceVersion in precondition: ${resourceVersion}`));
  });

  it('writes nodes: join, update, 409 on a second join, 422 on an invalid one, remove', async () => {
    const joined = await app.inject({ method: 'POST', url: '/api/v1/nodes', payload: node('w1') });
    expect(joined.statusCode).toBe(201);
    expect(joined.json()).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1' } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/nodes', payload: node('w1') })).statusCode).toBe(409);

    const updated = await app.inject({ method: 'PUT', url: '/api/v1/nodes/w1', payload: node('w1', { spec: { unschedulable: true } }) });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().spec).toEqual({ unschedulable: true });

    const bad = await app.inject({ method: 'PUT', url: '/api/v1/nodes/w2', payload: node('w2', { spec: { taints: [{ key: 'bad key', effect: 'NoSchedule' }] } }) });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ reason: 'Invalid', details: { name: 'w2', kind: 'Node', causes: [{ reason: 'FieldValueInvalid', field: 'spec.taints[0].key' }] } });
    expect(bad.json().message).toMatch(/^The Node "w2" is invalid: spec\.taints\[0\]\.key: Invalid value: "bad key"/);

    // An empty JSON body is no body, as curl sends it with -H 'Content-Type: application/json'.
    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/nodes/w1', headers: { 'content-type': 'application/json' } });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ status: 'Success', details: { name: 'w1', kind: 'nodes' } });
    expect((await getJson('/api/v1/nodes/w1')).status).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/nodes/w1' })).statusCode).toBe(404);
  });
});

describe('GET /log and /state/verify', () => {
  it('pages through the log by after and limit, and refuses a bad parameter naming it', async () => {
    const events = ['a', 'b', 'c'].map((name) => cloudEvent('io.everynode.node.joined', node(name)));
    await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: JSON.stringify(events) });

    const first = (await getJson<{ items: { seq: number; kind: string }[] }>('/log?limit=2')).body.items;
    expect(first.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.every((e) => e.kind === 'event')).toBe(true);
    const rest = (await getJson<{ items: { seq: number }[] }>('/log?after=2&limit=2')).body.items;
    expect(rest.map((e) => e.seq)).toEqual([3]);

    const negative = await getJson('/log?after=-1');
    expect(negative.status).toBe(400);
    expect(negative.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(negative.body.message).toContain('"after"');
    const tooMany = await getJson('/log?limit=10001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('"limit"');
  });

  it('reports the live state consistent with the log', async () => {
    await applySeed();
    const result = await eventually(async () => {
      const { body } = await getJson<{ consistent: boolean; differences: string[]; seq: number }>('/state/verify');
      return body.consistent && body;
    }, 15_000, 'a consistent state');
    expect(result.differences).toEqual([]);
    expect(result.seq).toBeGreaterThanOrEqual(7);
  });
});

describe('probes and metrics', () => {
  it('answers /healthz, /livez and /readyz, and 503 when not ready', async () => {
    expect(await app.inject({ method: 'GET', url: '/healthz' })).toMatchObject({ statusCode: 200, body: 'ok' });
    expect(await app.inject({ method: 'GET', url: '/livez' })).toMatchObject({ statusCode: 200, body: 'ok' });
    expect(await app.inject({ method: 'GET', url: '/readyz' })).toMatchObject({ statusCode: 200, body: 'ok' });
    const notReady = buildServer({ ...engine, ready: () => Promise.resolve(false) });
    try {
      expect(await notReady.inject({ method: 'GET', url: '/readyz' })).toMatchObject({ statusCode: 503, body: '[-]engine failed: not ready\nreadyz check failed\n' });
    } finally {
      await notReady.close();
    }
  });

  it('names each failed check of /readyz, and lists them all with ?verbose', async () => {
    let up = false;
    const checked = buildServer({ ...engine, checks: () => [{ name: 'bridge/a', ok: true }, { name: 'bridge/b', ok: up, reason: 'not connected' }] });
    try {
      expect(await checked.inject({ method: 'GET', url: '/readyz' })).toMatchObject({
        statusCode: 503,
        body: '[+]engine ok\n[+]bridge/a ok\n[-]bridge/b failed: not connected\nreadyz check failed\n',
      });
      up = true;
      expect(await checked.inject({ method: 'GET', url: '/readyz' })).toMatchObject({ statusCode: 200, body: 'ok' });
      expect(await checked.inject({ method: 'GET', url: '/readyz?verbose' })).toMatchObject({ statusCode: 200, body: '[+]engine ok\n[+]bridge/a ok\n[+]bridge/b ok\nreadyz check passed\n' });
    } finally {
      await checked.close();
    }
  });

  it('serves the engine metrics in Prometheus text', async () => {
    await applySeed();
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('workqueue_adds_total');
    expect(res.body).toContain('controller_runtime_reconcile_total');
  });
});
