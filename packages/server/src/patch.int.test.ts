/**
 * PATCH over HTTP against a real engine (BullMQ on a fresh prefix of the real
 * Redis), with the bodies, media types and query parameters kubectl sends:
 * `cordon` and `taint` (strategic merge), `label` (merge patch), a changed
 * `apply -f` (strategic merge with `$setElementOrder`, field manager
 * `kubectl-client-side-apply`), and JSON patch. Each write is one event
 * carrying the client's field manager; a refusal writes nothing.
 */
import type { DaemonSet, LogPage, Node } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../test/support/cluster.ts';
import { destroyPrefix, eventually, fixture, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await testEngine('patch');
  app = buildServer(engine);
  for (const n of fixture('cluster-6-nodes.yaml').slice(0, 2)) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/nodes', payload: n });
    expect(res.statusCode, res.body).toBe(201);
  }
  const res = await app.inject({ method: 'POST', url: `${dsPath}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, payload: fixture('fluentd-daemonset.yaml')[0] });
  expect(res.statusCode, res.body).toBe(201);
});

afterEach(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const dsPath = '/apis/apps/v1/namespaces/kube-system/daemonsets';
const fluentd = `${dsPath}/fluentd-elasticsearch`;
const Smp = 'application/strategic-merge-patch+json';
const Merge = 'application/merge-patch+json';
const JsonPatch = 'application/json-patch+json';

function patch(url: string, contentType: string, body: unknown) {
  return app.inject({ method: 'PATCH', url, headers: { 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function get<T>(url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

/** The log's event entries, oldest first. */
async function events(): Promise<{ type: string; everynodemanager?: string; data: { metadata: { name: string } } }[]> {
  const page = await get<LogPage>('/log?limit=10000');
  return page.items.flatMap((entry) => (entry.kind === 'event' ? [entry.event as never] : []));
}

describe('PATCH /api/v1/nodes/:name', () => {
  it('kubectl cordon: a strategic merge patch of spec.unschedulable, recorded as node.updated with the field manager', async () => {
    const res = await patch('/api/v1/nodes/master01?fieldManager=kubectl-cordon', Smp, '{"spec":{"unschedulable":true}}');
    expect(res.statusCode, res.body).toBe(200);
    const node = res.json() as Node;
    expect(node).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'master01' }, spec: { unschedulable: true } });
    // The rest of the node is kept: its taint, labels and Ready condition.
    expect(node.spec?.taints).toEqual([{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }]);
    expect(node.metadata.labels?.['kubernetes.io/hostname']).toBe('master01');
    expect((await get<Node>('/api/v1/nodes/master01')).spec?.unschedulable).toBe(true);
    const last = (await events()).at(-1);
    expect(last).toMatchObject({ type: 'io.everynode.node.updated', everynodemanager: 'kubectl-cordon', data: { metadata: { name: 'master01' } } });
  });

  it('kubectl label: a merge patch adds one label and removes another', async () => {
    const added = await patch('/api/v1/nodes/master02?fieldManager=kubectl-label', Merge, { metadata: { labels: { disktype: 'ssd' } } });
    expect(added.statusCode, added.body).toBe(200);
    expect((added.json() as Node).metadata.labels).toEqual({ 'kubernetes.io/hostname': 'master02', 'node-role.kubernetes.io/master': '', disktype: 'ssd' });
    const removed = await patch('/api/v1/nodes/master02?fieldManager=kubectl-label', Merge, { metadata: { labels: { 'node-role.kubernetes.io/master': null } } });
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await get<Node>('/api/v1/nodes/master02')).metadata.labels).toEqual({ 'kubernetes.io/hostname': 'master02', disktype: 'ssd' });
    expect((await events()).filter((e) => e.everynodemanager === 'kubectl-label')).toHaveLength(2);
  });

  it('kubectl taint: a strategic merge patch carries the whole taints list, which replaces the stored one', async () => {
    const taints = [
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
      { effect: 'NoExecute', key: 'dedicated', value: 'gpu' },
    ];
    const res = await patch('/api/v1/nodes/master01?fieldManager=kubectl-taint', Smp, { spec: { taints } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await get<Node>('/api/v1/nodes/master01')).spec?.taints).toEqual(taints);
  });

  it('JSON patch: applied in order; a failed test is a 422 naming the operation, and nothing is written', async () => {
    const ok = await patch('/api/v1/nodes/master01', JsonPatch, [
      { op: 'test', path: '/metadata/name', value: 'master01' },
      { op: 'add', path: '/metadata/labels/zone', value: 'a' },
    ]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect((ok.json() as Node).metadata.labels?.zone).toBe('a');
    const before = (await events()).length;
    const failed = await patch('/api/v1/nodes/master01', JsonPatch, [
      { op: 'replace', path: '/metadata/labels/zone', value: 'b' },
      { op: 'test', path: '/metadata/labels/zone', value: 'c' },
    ]);
    expect(failed.statusCode, failed.body).toBe(422);
    expect(failed.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(failed.json<{ message: string }>().message).toContain('operation 1 (test /metadata/labels/zone)');
    expect((await get<Node>('/api/v1/nodes/master01')).metadata.labels?.zone).toBe('a');
    expect((await events()).length).toBe(before);
  });

  it('an invalid result is the 422 PUT gives, naming the field; nothing is written', async () => {
    const before = (await events()).length;
    const res = await patch('/api/v1/nodes/master01', Smp, { spec: { taints: [{ key: 'bad key', effect: 'NoSchedule' }] } });
    expect(res.statusCode, res.body).toBe(422);
    const status = res.json<{ reason: string; details: { kind: string; causes: { field: string }[] } }>();
    expect(status.reason).toBe('Invalid');
    expect(status.details.kind).toBe('Node');
    expect(status.details.causes.map((c) => c.field)).toContain('spec.taints[0].key');
    expect((await get<Node>('/api/v1/nodes/master01')).spec?.taints?.[0]?.key).toBe('node-role.kubernetes.io/master');
    expect((await events()).length).toBe(before);
  });

  it('a missing node is a 404; a patch that renames is a 400; a malformed SMP is a 400', async () => {
    const missing = await patch('/api/v1/nodes/nope', Smp, { spec: { unschedulable: true } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ reason: 'NotFound', message: 'nodes "nope" not found' });
    const renamed = await patch('/api/v1/nodes/master01', Merge, { metadata: { name: 'other' } });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json<{ message: string }>().message).toBe('the name of the object (other) does not match the name on the URL (master01)');
    const malformed = await patch('/api/v1/nodes/master01', Smp, { status: { conditions: [{ status: 'False' }] } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<{ message: string }>().message).toContain('status.conditions[0]');
    const notJson = await patch('/api/v1/nodes/master01', Smp, '{"spec":');
    expect(notJson.statusCode).toBe(400);
  });

  it.each(['application/json', 'application/yaml', 'text/plain'])('Content-Type %s is a 415 naming the served types; nothing is written', async (type) => {
    const before = (await events()).length;
    const res = await patch('/api/v1/nodes/master01', type, '{"spec":{"unschedulable":true}}');
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    });
    expect((await get<Node>('/api/v1/nodes/master01')).spec?.unschedulable).toBeUndefined();
    expect((await events()).length).toBe(before);
  });

  it('a field manager that is not one is a 400 naming the parameter', async () => {
    const res = await patch(`/api/v1/nodes/master01?fieldManager=${'x'.repeat(129)}`, Smp, { spec: { unschedulable: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toContain('query parameter "fieldManager": Too long: may not be more than 128 bytes');
  });
});

describe('PATCH /apis/apps/v1/namespaces/:ns/daemonsets/:name', () => {
  type Revision = { metadata: { name: string } };
  const revisions = async () => (await get<{ items: Revision[] }>('/apis/apps/v1/namespaces/kube-system/controllerrevisions')).items.map((r) => r.metadata.name);

  it('a changed kubectl apply: the client-side-apply SMP changes the image by container name, and a rollout starts', async () => {
    const before = await get<DaemonSet>(fluentd);
    // The controller's first pass records the first revision.
    const revisionsBefore = await eventually(async () => ((await revisions()).length > 0 ? revisions() : undefined), 15_000, 'the first revision');
    const image = 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0';
    // What kubectl 1.32 sends for an image change (`CreateThreeWayMergePatch` over the compiled-in types).
    const body = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1","kind":"DaemonSet"}\n' } },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'fluentd-elasticsearch' }], containers: [{ image, name: 'fluentd-elasticsearch' }] } } },
    };
    const res = await patch(`${fluentd}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, Smp, body);
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as DaemonSet;
    const [container] = after.spec.template.spec?.containers ?? [];
    expect(container?.image).toBe(image);
    // Merged by name: the container's other fields are kept.
    expect(container?.volumeMounts).toEqual(before.spec.template.spec?.containers?.[0]?.volumeMounts);
    expect(after.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('DaemonSet');
    expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    // A new template: a new ControllerRevision (its name carries the template hash).
    const added = await eventually(async () => {
      const names = (await revisions()).filter((name) => !revisionsBefore.includes(name));
      return names.length > 0 && names;
    }, 15_000, 'a new revision');
    expect(added).toHaveLength(1);
    const applied = (await events()).filter((e) => e.type === 'io.everynode.daemonset.applied');
    expect(applied.map((e) => e.everynodemanager)).toEqual(['kubectl-client-side-apply', 'kubectl-client-side-apply']);
  });

  it('a merge patch and a JSON patch work on DaemonSets too, and PUT records its field manager', async () => {
    const merged = await patch(fluentd, Merge, { metadata: { labels: { tier: 'logging' } } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((merged.json() as DaemonSet).metadata.labels).toEqual({ 'k8s-app': 'fluentd-logging', tier: 'logging' });
    const jsonPatched = await patch(fluentd, JsonPatch, [{ op: 'replace', path: '/spec/minReadySeconds', value: 5 }]);
    expect(jsonPatched.statusCode, jsonPatched.body).toBe(200);
    expect((jsonPatched.json() as DaemonSet).spec.minReadySeconds).toBe(5);
    // A read sent back, as `kubectl edit` does: the controller's status writes may move the resourceVersion in between (409), so read again, as kubectl does.
    const put = await eventually(async () => {
      const res = await app.inject({ method: 'PUT', url: `${fluentd}?fieldManager=kubectl-edit`, payload: await get<DaemonSet>(fluentd) });
      return res.statusCode !== 409 && res;
    }, 10_000, 'a PUT without a conflict');
    expect(put.statusCode, put.body).toBe(200);
    expect((await events()).at(-1)).toMatchObject({ type: 'io.everynode.daemonset.applied', everynodemanager: 'kubectl-edit' });
  });

  it('an invalid result (template labels no longer matching the selector) is a 422 naming the field; nothing is written', async () => {
    const before = (await events()).length;
    const res = await patch(fluentd, Smp, { spec: { template: { metadata: { labels: { name: 'other' } } } } });
    expect(res.statusCode, res.body).toBe(422);
    const status = res.json<{ reason: string; details: { group: string; kind: string; causes: { field: string }[] } }>();
    expect(status).toMatchObject({ reason: 'Invalid', details: { group: 'apps', kind: 'DaemonSet' } });
    expect(status.details.causes.map((c) => c.field)).toContain('spec.template.metadata.labels');
    expect((await get<DaemonSet>(fluentd)).spec.template.metadata?.labels).toEqual({ name: 'fluentd-elasticsearch' });
    expect((await events()).length).toBe(before);
  });

  it('a missing DaemonSet is a 404 (only server-side apply creates)', async () => {
    const missing = await patch(`${dsPath}/nope`, Smp, {});
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ reason: 'NotFound', message: 'daemonsets.apps "nope" not found' });
  });
});

describe('a stale resourceVersion is a 409 Conflict, as kubectl expects before it retries', () => {
  it('PUT and PATCH with the current resourceVersion apply; with an older one they are refused and nothing is written', async () => {
    type Versioned = { metadata: { resourceVersion: string; labels?: Record<string, string> }; spec: Record<string, unknown> };
    let node = await get<Versioned>('/api/v1/nodes/master02');
    const stale = node.metadata.resourceVersion;
    // Read and sent back; read again on a conflict (the controller may write in between), as clients do.
    const fresh = await eventually(async () => {
      node = await get<Versioned>('/api/v1/nodes/master02');
      const res = await app.inject({ method: 'PUT', url: '/api/v1/nodes/master02', payload: { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, v: '1' } } } });
      return res.statusCode !== 409 && res;
    }, 10_000, 'a PUT without a conflict');
    expect(fresh.statusCode, fresh.body).toBe(200);
    const current = fresh.json<Versioned>().metadata.resourceVersion;
    expect(Number(current)).toBeGreaterThan(Number(stale));
    const before = (await events()).length;
    const conflict = await app.inject({ method: 'PUT', url: '/api/v1/nodes/master02', payload: { ...node, metadata: { ...node.metadata, labels: { v: 'lost' } } } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      code: 409,
      message: 'Operation cannot be fulfilled on nodes "master02": the object has been modified; please apply your changes to the latest version and try again',
    });
    const patched = await patch('/api/v1/nodes/master02', Merge, { metadata: { resourceVersion: stale, labels: { v: 'lost' } } });
    expect(patched.statusCode).toBe(409);
    const ds = await get<Versioned>(fluentd);
    const dsConflict = await patch(fluentd, Merge, { metadata: { resourceVersion: String(Number(ds.metadata.resourceVersion) - 1), labels: { v: 'lost' } } });
    expect(dsConflict.statusCode).toBe(409);
    expect(dsConflict.json()).toMatchObject({ reason: 'Conflict', details: { name: 'fluentd-elasticsearch', group: 'apps', kind: 'daemonsets' } });
    expect((await events()).length).toBe(before);
    expect((await get<Versioned>('/api/v1/nodes/master02')).metadata.labels?.v).toBe('1');
    // The current resourceVersion in a patch is a precondition that holds.
    const ok = await patch('/api/v1/nodes/master02', Merge, { metadata: { resourceVersion: current, labels: { v: '2' } } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<Versioned>().metadata.labels?.v).toBe('2');
  });
});

describe('server-side apply (application/apply-patch+yaml)', () => {
  const Apply = 'application/apply-patch+yaml';
  const kubectlQuery = '?fieldManager=kubectl&fieldValidation=Strict&force=false';
  const seed = () => fixture('fluentd-daemonset.yaml')[0] as unknown as DaemonSet;

  it("kubectl apply --server-side's request creates a DaemonSet that is not there: 201, recorded with the field manager", async () => {
    const config = { ...seed(), metadata: { ...seed().metadata, name: 'applied' } };
    const res = await patch(`${dsPath}/applied${kubectlQuery}`, Apply, config);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<DaemonSet>()).toMatchObject({ kind: 'DaemonSet', metadata: { name: 'applied', namespace: 'kube-system', generation: 1 } });
    expect((await get<DaemonSet>(`${dsPath}/applied`)).metadata.uid).toEqual(expect.any(String));
    expect((await events()).at(-1)).toMatchObject({ type: 'io.everynode.daemonset.applied', everynodemanager: 'kubectl', data: { metadata: { name: 'applied' } } });
  });

  it('a YAML configuration merges over the live DaemonSet as a strategic merge patch: the image changes by container name, the rest is kept', async () => {
    const before = await get<DaemonSet>(fluentd);
    const yaml = [
      'apiVersion: apps/v1',
      'kind: DaemonSet',
      'metadata:',
      '  name: fluentd-elasticsearch',
      '  labels: {applied: "yes"}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: fluentd-elasticsearch',
      '        image: quay.io/fluentd_elasticsearch/fluentd:v2.6.0',
      '',
    ].join('\n');
    const res = await patch(`${fluentd}?fieldManager=ssa-test&force=true`, Apply, yaml);
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json<DaemonSet>();
    expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    expect(after.metadata.labels).toMatchObject({ applied: 'yes' });
    const [container] = after.spec.template.spec.containers ?? [];
    expect(container).toMatchObject({ name: 'fluentd-elasticsearch', image: 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0' });
    expect(container?.volumeMounts).toEqual(before.spec.template.spec.containers?.[0]?.volumeMounts);
    expect((await events()).at(-1)).toMatchObject({ everynodemanager: 'ssa-test' });
  });

  it('creates and updates a node too', async () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'applied-node', labels: { a: '1' } } };
    expect((await patch(`/api/v1/nodes/applied-node${kubectlQuery}`, Apply, node)).statusCode).toBe(201);
    const res = await patch(`/api/v1/nodes/applied-node${kubectlQuery}`, Apply, { ...node, metadata: { name: 'applied-node', labels: { b: '2' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Node>().metadata.labels).toEqual({ a: '1', b: '2' });
  });

  it('without a fieldManager it is 422 about PatchOptions; force on another patch type too; a bad force a 400', async () => {
    const before = (await events()).length;
    const unnamed = await patch(fluentd, Apply, seed());
    expect(unnamed.statusCode).toBe(422);
    expect(unnamed.json()).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ field: 'fieldManager', reason: 'FieldValueRequired' }] },
    });
    const forced = await patch(`${fluentd}?force=true`, Smp, {});
    expect(forced.statusCode).toBe(422);
    expect(forced.json()).toMatchObject({ message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' });
    const maybe = await patch(`${fluentd}?fieldManager=m&force=maybe`, Apply, seed());
    expect(maybe.statusCode).toBe(400);
    expect(maybe.json()).toMatchObject({ message: expect.stringContaining('"force"') });
    expect((await events()).length).toBe(before);
  });

  it('a body that is not YAML, or names no kind, is a 400; an invalid result the 422 any write gives; nothing is written', async () => {
    const before = (await events()).length;
    const notYaml = await patch(`${fluentd}?fieldManager=m`, Apply, 'spec: [unclosed');
    expect(notYaml.statusCode).toBe(400);
    expect(notYaml.json()).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('not valid YAML') });
    const kindless = await patch(`${fluentd}?fieldManager=m`, Apply, { apiVersion: 'apps/v1', metadata: { name: 'fluentd-elasticsearch' } });
    expect(kindless.json()).toMatchObject({ code: 400, message: 'an apply patch must set kind' });
    const invalid = await patch(`${fluentd}?fieldManager=m`, Apply, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd-elasticsearch' }, spec: { template: { metadata: { labels: { name: 'other' } } } } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({ reason: 'Invalid', details: { kind: 'DaemonSet' } });
    expect((await events()).length).toBe(before);
  });
});
