/**
 * The read side kubectl and Kubernetes clients rely on, over HTTP against a
 * real engine and agent on the real Redis: `resourceVersion` from the log
 * (each object's: the seq of its last change; each list's: the last seq),
 * uid, creationTimestamp and generation; `as=Table` answers with kubectl's
 * columns; label and field selectors; `limit` / `continue` paging.
 */
import type { DaemonSet, LogPage, Node } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '@everynode/agent';
import type { Engine } from '../../../test/support/cluster.ts';
import { destroyPrefix, eventually, fixture, testAgent, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let agent: Agent;
let app: FastifyInstance;

/** What kubectl's `get` sends (`transformRequests`). */
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const ds = '/apis/apps/v1/namespaces/kube-system/daemonsets';
const pods = '/api/v1/namespaces/kube-system/pods';

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  generation?: number;
  labels?: Record<string, string>;
}
interface List {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: Meta; spec?: Record<string, unknown>; status?: Record<string, unknown> }[];
}
interface Table {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string };
  columnDefinitions: { name: string; type: string; format: string; priority: number }[];
  rows: { cells: (string | number)[]; object?: { kind: string; apiVersion: string; metadata: Meta } }[];
}

async function get<T>(url: string, accept?: string): Promise<{ status: number; body: T; type: string }> {
  const res = await app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });
  return { status: res.statusCode, body: res.json() as T, type: String(res.headers['content-type']) };
}

const names = (list: List) => list.items.map((i) => i.metadata.name);
const seq = (rv: string | undefined) => {
  expect(rv).toMatch(/^[1-9]\d*$/);
  return Number(rv);
};

beforeAll(async () => {
  engine = await testEngine('reads');
  agent = await testAgent(engine);
  app = buildServer(engine);
  for (const n of fixture('cluster-6-nodes.yaml') as unknown as Node[]) {
    const res = await app.inject({ method: 'PUT', url: `/api/v1/nodes/${n.metadata.name}`, payload: n });
    expect(res.statusCode, res.body).toBe(201);
  }
  const res = await app.inject({ method: 'POST', url: ds, payload: fixture('fluentd-daemonset.yaml')[0] as unknown as DaemonSet });
  expect(res.statusCode, res.body).toBe(201);
  await eventually(async () => (await get<DaemonSet>(`${ds}/fluentd-elasticsearch`)).body.status?.numberAvailable === 6, 20_000, 'six pods available');
}, 30_000);

afterAll(async () => {
  await app.close();
  await agent.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('resourceVersion, uid, creationTimestamp, generation', () => {
  it('every list carries the log last seq, and every object the seq of its last change, no later', async () => {
    for (const url of ['/api/v1/nodes', '/api/v1/pods', '/apis/apps/v1/daemonsets', '/apis/apps/v1/namespaces/kube-system/controllerrevisions', '/api/v1/events', '/api/v1/namespaces']) {
      const lastSeq = await engine.history.lastSeq();
      const { status, body } = await get<List>(url);
      expect(status, url).toBe(200);
      const listRv = seq(body.metadata.resourceVersion);
      expect(listRv, url).toBeGreaterThanOrEqual(lastSeq);
      expect(body.items.length, url).toBeGreaterThan(0);
      for (const item of body.items) {
        expect(seq(item.metadata.resourceVersion), `${url} ${item.metadata.name}`).toBeLessThanOrEqual(listRv);
        expect(item.metadata.uid, `${url} ${item.metadata.name}`).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    }
  });

  it('a single read gives the same resourceVersion as the list', async () => {
    const list = (await get<List>(pods)).body;
    const first = list.items[0] as List['items'][number];
    const one = (await get<{ metadata: Meta }>(`${pods}/${first.metadata.name}`)).body;
    expect(one.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const nodes = (await get<List>('/api/v1/nodes')).body;
    const master = (await get<{ metadata: Meta }>('/api/v1/nodes/master01')).body;
    expect(master.metadata).toMatchObject({ resourceVersion: nodes.items[0]?.metadata.resourceVersion, uid: nodes.items[0]?.metadata.uid });
    expect(Date.parse(master.metadata.creationTimestamp ?? '')).toBeGreaterThan(0);
  });

  it('a DaemonSet has uid, creationTimestamp and generation 1; its revisions carry its resourceVersion', async () => {
    const daemonSet = (await get<{ metadata: Meta }>(`${ds}/fluentd-elasticsearch`)).body;
    expect(daemonSet.metadata).toMatchObject({ generation: 1, uid: expect.any(String), creationTimestamp: expect.any(String) });
    const revisions = (await get<List>('/apis/apps/v1/namespaces/kube-system/controllerrevisions')).body;
    expect(revisions.items.map((r) => r.metadata.resourceVersion)).toEqual([daemonSet.metadata.resourceVersion]);
  });

  it("a revision's creationTimestamp is the pass's that created it, no earlier than its DaemonSet's", async () => {
    const daemonSet = (await get<{ metadata: Meta }>(`${ds}/fluentd-elasticsearch`)).body;
    const [revision] = (await get<List>('/apis/apps/v1/namespaces/kube-system/controllerrevisions')).body.items;
    const created = Date.parse(revision?.metadata.creationTimestamp ?? '');
    expect(created).toBeGreaterThanOrEqual(Date.parse(daemonSet.metadata.creationTimestamp ?? ''));
    const page = (await get<LogPage>('/log?limit=10000')).body;
    const pass = page.items.find((e) => e.kind === 'pass' && e.decisions.some((d) => d.type === 'RevisionCreated'));
    expect(pass?.kind === 'pass' && Date.parse(pass.at)).toBe(created);
  });

  it("a namespace's creationTimestamp is its earliest object's, in the list and read alone; one with nothing in it has none", async () => {
    const earliest = Math.min(
      ...[...(await get<List>(ds)).body.items, ...(await get<List>(pods)).body.items].map((o) => Date.parse(o.metadata.creationTimestamp ?? '')),
    );
    const list = (await get<List>('/api/v1/namespaces')).body;
    const kubeSystem = list.items.find((n) => n.metadata.name === 'kube-system');
    expect(Date.parse(kubeSystem?.metadata.creationTimestamp ?? '')).toBe(earliest);
    const alone = (await get<{ metadata: Meta }>('/api/v1/namespaces/kube-system')).body;
    expect(alone.metadata.creationTimestamp).toBe(kubeSystem?.metadata.creationTimestamp);
    expect((await get<{ metadata: Meta }>('/api/v1/namespaces/empty')).body.metadata.creationTimestamp).toBeUndefined();
  });
});

describe('as=Table', () => {
  it("answers kubectl's Accept for DaemonSets with kubectl's columns, wide ones at priority 1", async () => {
    const { status, body, type } = await get<Table>(ds, tableAccept);
    expect(status).toBe(200);
    expect(type.replaceAll(/[" ]/g, '')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io;charset=utf-8');
    expect(body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(seq(body.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(body.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Desired', 0], ['Current', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Node Selector', 0], ['Age', 0],
      ['Containers', 1], ['Images', 1], ['Selector', 1],
    ]);
    expect(body.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(body.columnDefinitions[1]).toMatchObject({ type: 'integer' });
    expect(body.rows).toHaveLength(1);
    const [row] = body.rows;
    expect(row?.cells).toEqual([
      'fluentd-elasticsearch', 6, 6, 6, 6, 6, '<none>', expect.stringMatching(/^\d+s$/),
      'fluentd-elasticsearch', 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2', 'name=fluentd-elasticsearch',
    ]);
    // The row's object is the metadata kubectl's NAMESPACE column and --show-labels read.
    expect(row?.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'fluentd-elasticsearch', namespace: 'kube-system', labels: { 'k8s-app': 'fluentd-logging' }, resourceVersion: expect.any(String) },
    });
    expect(row?.object).not.toHaveProperty('spec');
  });

  it('answers a single object as a one-row Table, and includeObject chooses what a row carries', async () => {
    const one = (await get<Table>(`${ds}/fluentd-elasticsearch?includeObject=Object`, tableAccept)).body;
    expect(one.rows).toHaveLength(1);
    expect(one.rows[0]?.object).toMatchObject({ kind: 'DaemonSet', apiVersion: 'apps/v1', spec: { selector: { matchLabels: { name: 'fluentd-elasticsearch' } } } });
    expect(one.metadata.resourceVersion).toBe(one.rows[0]?.object?.metadata.resourceVersion);
    const none = (await get<Table>(`${ds}?includeObject=None`, tableAccept)).body;
    expect(none.rows[0]).not.toHaveProperty('object');
    const bad = await get<{ reason: string; message: string }>(`${ds}?includeObject=All`, tableAccept);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"includeObject"');
  });

  it('answers v1beta1 when that is the only Table asked for, and a plain list without as=Table', async () => {
    const beta = await get<Table>(ds, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io');
    expect(beta.body.apiVersion).toBe('meta.k8s.io/v1beta1');
    expect((await get<List>(ds, 'application/json')).body.kind).toBe('DaemonSetList');
    expect((await get<List>(ds, 'application/json;as=Table;v=v2;g=meta.k8s.io,application/json')).body.kind).toBe('DaemonSetList');
  });

  it('prints pods with READY and STATUS, and their node in the wide NODE column', async () => {
    const body = (await get<Table>(pods, tableAccept)).body;
    expect(body.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(body.rows).toHaveLength(6);
    const byNode = Object.fromEntries(body.rows.map((r) => [r.cells[6], r.cells.slice(1, 4)]));
    expect(Object.keys(byNode).sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
    expect(byNode.worker01).toEqual(['1/1', 'Running', '0']);
  });

  it('prints nodes with their roles, and their labels in the row object', async () => {
    const body = (await get<Table>('/api/v1/nodes', tableAccept)).body;
    expect(body.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version']);
    expect(body.rows.map((r) => r.cells.slice(0, 3))).toEqual([
      ['master01', 'Ready', 'master'], ['master02', 'Ready', 'master'], ['master03', 'Ready', 'master'],
      ['worker01', 'Ready', '<none>'], ['worker02', 'Ready', '<none>'], ['worker03', 'Ready', '<none>'],
    ]);
    expect(body.rows[3]?.object?.metadata.labels).toEqual({ 'kubernetes.io/hostname': 'worker01' });
  });

  it('prints ControllerRevisions, Events and Namespaces', async () => {
    const revisions = (await get<Table>('/apis/apps/v1/namespaces/kube-system/controllerrevisions', tableAccept)).body;
    expect(revisions.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Controller', 'Revision', 'Age']);
    expect(revisions.rows.map((r) => r.cells.slice(1, 3))).toEqual([['daemonset.apps/fluentd-elasticsearch', 1]]);

    const events = (await get<Table>('/api/v1/namespaces/kube-system/events', tableAccept)).body;
    expect(events.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    const created = events.rows.filter((r) => r.cells[2] === 'SuccessfulCreate');
    expect(created).toHaveLength(6);
    expect(created[0]?.cells.slice(1, 4)).toEqual(['Normal', 'SuccessfulCreate', 'daemonset/fluentd-elasticsearch']);
    expect(created[0]?.cells[6]).toMatch(/^Created pod: fluentd-elasticsearch-/);

    expect(revisions.rows[0]?.cells[3]).toMatch(/^\d+s$/);

    const namespaces = (await get<Table>('/api/v1/namespaces', tableAccept)).body;
    expect(namespaces.rows.map((r) => r.cells.slice(0, 2))).toEqual([['default', 'Active'], ['kube-system', 'Active']]);
    expect(namespaces.rows[1]?.cells[2]).toMatch(/^\d+s$/);
  });
});

describe('selectors', () => {
  it('selects pods by spec.nodeName and status.phase, and refuses a field the resource lacks, naming it', async () => {
    const onWorker = (await get<List>(`${pods}?fieldSelector=spec.nodeName%3Dworker02`)).body;
    expect(onWorker.items).toHaveLength(1);
    expect(onWorker.items[0]?.spec?.nodeName).toBe('worker02');
    expect((await get<List>(`${pods}?fieldSelector=status.phase%3DRunning,spec.nodeName!%3Dworker02`)).body.items).toHaveLength(5);
    expect((await get<List>(`${pods}?fieldSelector=status.phase%3DPending`)).body.items).toHaveLength(0);
    expect((await get<Table>(`${pods}?fieldSelector=spec.nodeName%3Dmaster03`, tableAccept)).body.rows.map((r) => r.cells[6])).toEqual(['master03']);

    const bad = await get<{ reason: string; message: string; code: number }>(`${ds}?fieldSelector=spec.nodeName%3Dx`);
    expect(bad).toMatchObject({ status: 400, body: { reason: 'BadRequest', code: 400, message: 'field label not supported: spec.nodeName' } });
  });

  it('selects by label, on lists and Tables alike', async () => {
    expect(names((await get<List>('/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fmaster')).body)).toEqual(['master01', 'master02', 'master03']);
    expect((await get<Table>('/api/v1/nodes?labelSelector=!node-role.kubernetes.io%2Fmaster', tableAccept)).body.rows.map((r) => r.cells[0])).toEqual(['worker01', 'worker02', 'worker03']);
    expect((await get<{ reason: string }>('/api/v1/nodes?labelSelector=a%20in%20b')).body.reason).toBe('BadRequest');
  });
});

describe('limit and continue', () => {
  it('pages a list in key order: continue and remainingItemCount until the last page', async () => {
    const all = names((await get<List>('/api/v1/nodes')).body);
    const first = (await get<List>('/api/v1/nodes?limit=4')).body;
    expect(names(first)).toEqual(all.slice(0, 4));
    expect(first.metadata).toMatchObject({ remainingItemCount: 2, continue: expect.any(String) });
    const second = (await get<List>(`/api/v1/nodes?limit=4&continue=${encodeURIComponent(first.metadata.continue ?? '')}`)).body;
    expect(names(second)).toEqual(all.slice(4));
    expect(second.metadata).not.toHaveProperty('continue');
    expect(second.metadata).not.toHaveProperty('remainingItemCount');
    expect(names((await get<List>('/api/v1/nodes?limit=0')).body)).toEqual(all);
  });

  it('pages selected items and Tables too', async () => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const url: string = `${pods}?limit=2&fieldSelector=status.phase%3DRunning${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`;
      const page: Table = (await get<Table>(url, tableAccept)).body;
      pages.push(page.rows.map((r) => String(r.cells[0])));
      token = page.metadata.continue;
    } while (token !== undefined && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat()).toEqual(names((await get<List>(pods)).body));
  });

  it('refuses a continue token it did not give, or a bad limit, with a 400 naming the parameter', async () => {
    for (const token of ['garbage', Buffer.from('{"v":"meta.k8s.io/v1","rv":"x","start":"a"}').toString('base64url')]) {
      const bad = await get<{ reason: string; message: string }>(`/api/v1/nodes?limit=2&continue=${token}`);
      expect(bad.status).toBe(400);
      expect(bad.body.reason).toBe('BadRequest');
      expect(bad.body.message).toMatch(/^query parameter "continue": continue key is not valid: /);
    }
    const limit = await get<{ message: string }>('/api/v1/pods?limit=-1');
    expect(limit.status).toBe(400);
    expect(limit.body.message).toContain('"limit"');
  });
});

describe('resourceVersion as objects change', () => {
  it("a change moves the object's resourceVersion to its seq and leaves the others'; a spec change bumps generation", async () => {
    const before = (await get<List>('/api/v1/nodes')).body;
    const worker = (await get<Node>('/api/v1/nodes/worker03')).body;
    const res = await app.inject({ method: 'PUT', url: '/api/v1/nodes/worker03', payload: { ...worker, metadata: { ...worker.metadata, labels: { ...worker.metadata.labels, tier: 'edge' } } } });
    expect(res.statusCode, res.body).toBe(200);
    const changed = res.json<{ metadata: Meta }>().metadata;
    expect(seq(changed.resourceVersion)).toBeGreaterThan(seq(before.metadata.resourceVersion));
    expect(changed.uid).toBe(worker.metadata.uid);
    const after = (await get<List>('/api/v1/nodes')).body;
    for (const node of after.items) {
      const old = before.items.find((n) => n.metadata.name === node.metadata.name);
      if (node.metadata.name === 'worker03') expect(node.metadata.resourceVersion).toBe(changed.resourceVersion);
      else expect(node.metadata.resourceVersion).toBe(old?.metadata.resourceVersion);
    }

    const daemonSet = (await get<DaemonSet>(`${ds}/fluentd-elasticsearch`)).body;
    const template = daemonSet.spec.template;
    const updated = { ...daemonSet, spec: { ...daemonSet.spec, template: { ...template, metadata: { ...template.metadata, annotations: { touched: 'yes' } } } } };
    const put = await app.inject({ method: 'PUT', url: `${ds}/fluentd-elasticsearch`, payload: updated });
    expect(put.statusCode, put.body).toBe(200);
    const stored = put.json<{ metadata: Meta }>().metadata;
    expect(stored.generation).toBe(2);
    expect(seq(stored.resourceVersion)).toBeGreaterThan(seq(daemonSet.metadata.resourceVersion));
    expect(stored.uid).toBe(daemonSet.metadata.uid);
  });
});
