/**
 * Discovery and OpenAPI against a real engine (a fresh prefix of the real
 * Redis), through fastify's `inject`: the documents' shapes, legacy and
 * aggregated (negotiated by Accept, told apart by Content-Type), that every verb
 * discovery lists is served and every verb it leaves out is not, and that
 * the OpenAPI documents are whole (each reference resolves, each kind
 * carries its group-version-kind) and describe paths the server answers, and
 * `/openapi/v2` is negotiated as Kubernetes negotiates it.
 */
import { DaemonSetSpecSchema } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';
import serverPackage from '../package.json' with { type: 'json' };
import { groupVersions, resourcesOf, type ServedResource, servedResources, type Verb } from './api-resources.ts';
import { documentType } from './openapi-v2.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await testEngine('discovery');
  app = buildServer(engine);
});
afterAll(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.json() as T;
}

const unserved = 'the server could not find the requested resource';
const allVerbs: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** The request a verb makes on `r` (namespace `default`, object `absent`). */
function requestFor(r: ServedResource, verb: Verb): { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object; headers?: Record<string, string> } {
  const collection = `${r.gv.prefix}${r.namespaced ? '/namespaces/default' : ''}/${r.resource}`;
  const item = `${collection}/absent`;
  const body = { apiVersion: r.gv.groupVersion, kind: r.kind, metadata: { name: 'absent' } };
  switch (verb) {
    case 'list':
      return { method: 'GET', url: collection };
    case 'watch':
      return { method: 'GET', url: `${collection}?watch=true&timeoutSeconds=1` };
    case 'get':
      return { method: 'GET', url: item };
    case 'create':
      return { method: 'POST', url: collection, payload: body };
    case 'update':
      return { method: 'PUT', url: item, payload: body };
    case 'patch':
      return { method: 'PATCH', url: item, payload: { metadata: { labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' } };
    case 'delete':
      return { method: 'DELETE', url: item };
  }
}

describe('discovery', () => {
  it('/version is version.Info with this package version', async () => {
    const version = await getJson('/version');
    expect(Object.keys(version).sort()).toEqual(['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform']);
    const [major, minor] = serverPackage.version.split('.');
    expect(version).toMatchObject({ major, minor, gitVersion: `v${serverPackage.version}` });
  });

  it('/api names the core version; /apis the apps group, v1 preferred', async () => {
    expect(await getJson('/api')).toEqual({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'localhost:80' }] });
    expect(await getJson('/apis')).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
    });
  });

  it('/apis/apps/v1 lists DaemonSets (ds, category all) and ControllerRevisions', async () => {
    expect(await getJson('/apis/apps/v1')).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'apps/v1',
      resources: [
        { name: 'daemonsets', singularName: 'daemonset', namespaced: true, kind: 'DaemonSet', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ds'], categories: ['all'] },
        { name: 'controllerrevisions', singularName: 'controllerrevision', namespaced: true, kind: 'ControllerRevision', verbs: ['list', 'watch'] },
      ],
    });
  });

  it('/api/v1 lists namespaces, nodes, pods and events, scoped and short-named as Kubernetes does', async () => {
    const list = await getJson<{ groupVersion: string; resources: { name: string; namespaced: boolean; kind: string; shortNames?: string[] }[] }>('/api/v1');
    expect(list.groupVersion).toBe('v1');
    expect(list.resources.map((r) => [r.name, r.kind, r.namespaced, r.shortNames])).toEqual([
      ['namespaces', 'Namespace', false, ['ns']],
      ['nodes', 'Node', false, ['no']],
      ['pods', 'Pod', true, ['po']],
      ['events', 'Event', true, ['ev']],
    ]);
  });

  it('every verb discovery lists is served, and no other', async () => {
    for (const r of servedResources) {
      for (const verb of allVerbs) {
        const request = requestFor(r, verb);
        const res = await app.inject(request);
        const what = `${verb} ${r.resource} (${request.method} ${request.url}): ${res.statusCode} ${res.body}`;
        if (!r.verbs.includes(verb)) {
          expect(res.json(), what).toMatchObject({ kind: 'Status', code: 404, message: unserved });
          continue;
        }
        expect(res.statusCode, what).toBeLessThan(500);
        expect(res.statusCode, what).not.toBe(405);
        // A served path answers about the object: a NotFound names it, never the path.
        if (res.statusCode === 404) expect(res.json(), what).toMatchObject({ reason: 'NotFound', details: { name: 'absent', kind: r.resource } });
      }
    }
  });
});

/** What kubectl 1.30+ sends to `/api` and `/apis` (client-go `discovery_client.go` `acceptDiscoveryFormats`). */
const kubectlAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface ResourceDiscovery {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: string;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}
interface GroupDiscoveryList {
  kind: string;
  apiVersion: string;
  items: { metadata: { name: string }; versions: { version: string; freshness: string; resources: ResourceDiscovery[] }[] }[];
}

async function getDiscovery(url: string, accept?: string) {
  const res = await app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });
  expect(res.statusCode, res.body).toBe(200);
  return { type: String(res.headers['content-type']), vary: String(res.headers.vary), body: res.json() as GroupDiscoveryList & Record<string, unknown> };
}

describe('aggregated discovery (apidiscovery.k8s.io)', () => {
  it("kubectl's Accept on /apis gets APIGroupDiscoveryList v2, its Content-Type naming the type: apps/v1 with every resource", async () => {
    const { type, vary, body } = await getDiscovery('/apis', kubectlAccept);
    expect(type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(vary).toMatch(/accept/i);
    expect(body).toEqual({
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: [
        {
          metadata: { name: 'apps' },
          versions: [
            {
              version: 'v1',
              freshness: 'Current',
              resources: [
                {
                  resource: 'daemonsets',
                  responseKind: { group: 'apps', version: 'v1', kind: 'DaemonSet' },
                  scope: 'Namespaced',
                  singularResource: 'daemonset',
                  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
                  shortNames: ['ds'],
                  categories: ['all'],
                },
                { resource: 'controllerrevisions', responseKind: { group: 'apps', version: 'v1', kind: 'ControllerRevision' }, scope: 'Namespaced', singularResource: 'controllerrevision', verbs: ['list', 'watch'] },
              ],
            },
          ],
        },
      ],
    });
  });

  it('/api aggregated is the core group (named ""), v1, cluster-scoped nodes and namespaces', async () => {
    const { type, body } = await getDiscovery('/api', kubectlAccept);
    expect(type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(body.items.map((g) => [g.metadata.name, g.versions.map((v) => v.version)])).toEqual([['', ['v1']]]);
    const resources = body.items[0]?.versions[0]?.resources ?? [];
    expect(resources.map((r) => [r.resource, r.scope, r.responseKind])).toEqual([
      ['namespaces', 'Cluster', { group: '', version: 'v1', kind: 'Namespace' }],
      ['nodes', 'Cluster', { group: '', version: 'v1', kind: 'Node' }],
      ['pods', 'Namespaced', { group: '', version: 'v1', kind: 'Pod' }],
      ['events', 'Namespaced', { group: '', version: 'v1', kind: 'Event' }],
    ]);
  });

  it('a client that asks only for v2beta1 (kubectl 1.26–1.29) gets v2beta1, in the same shape', async () => {
    const { type, body } = await getDiscovery('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect(type).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(body.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(body.items).toEqual((await getDiscovery('/apis', kubectlAccept)).body.items);
  });

  it('plain JSON, */*, no Accept, or an aggregated type it likes less (q) gets legacy discovery', async () => {
    for (const accept of ['application/json, */*', 'application/json', '*/*', undefined, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json']) {
      const apis = await getDiscovery('/apis', accept);
      expect(apis.type, String(accept)).toMatch(/^application\/json(; charset=utf-8)?$/);
      expect(apis.body.kind, String(accept)).toBe('APIGroupList');
      expect((await getDiscovery('/api', accept)).body.kind, String(accept)).toBe('APIVersions');
    }
  });

  it('says what legacy discovery says, resource for resource (both are made from api-resources.ts)', async () => {
    const aggregated = [...(await getDiscovery('/api', kubectlAccept)).body.items, ...(await getDiscovery('/apis', kubectlAccept)).body.items];
    for (const gv of groupVersions) {
      const legacy = await getJson<{ resources: { name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[]; categories?: string[] }[] }>(gv.prefix);
      const version = aggregated.find((g) => g.metadata.name === gv.group)?.versions.find((v) => v.version === gv.version);
      expect(version?.resources.map((r) => ({ name: r.resource, singularName: r.singularResource, namespaced: r.scope === 'Namespaced', kind: r.responseKind.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories })), gv.groupVersion).toEqual(
        legacy.resources.map((r) => ({ shortNames: undefined, categories: undefined, ...r })),
      );
    }
  });
});

type Schema = { [key: string]: unknown };
type OpenApi = { openapi: string; paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };

describe('OpenAPI', () => {
  it('/openapi/v3 indexes one document per group-version, by its hash', async () => {
    const index = await getJson<{ paths: Record<string, { serverRelativeURL: string }> }>('/openapi/v3');
    expect(Object.keys(index.paths)).toEqual(['api/v1', 'apis/apps/v1']);
    for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
      expect(serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${path}\\?hash=[0-9A-F]{128}$`));
      expect((await getJson<OpenApi>(serverRelativeURL)).openapi).toBe('3.0.0');
    }
  });

  it('each document is whole: every reference resolves, every kind and list carries its group-version-kind', async () => {
    for (const gv of groupVersions) {
      const doc = await getJson<OpenApi>(`/openapi/v3/${gv.openApiPath}`);
      const schemas = doc.components.schemas;
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(Object.keys(schemas), ref).toContain(ref.slice('"$ref":"#/components/schemas/'.length, -1));
      expect(JSON.stringify(doc)).not.toMatch(/"\$id"|__shared/);
      for (const r of resourcesOf(gv)) {
        const name = `${gv.definitions}.${r.kind}`;
        expect(schemas[name]?.['x-kubernetes-group-version-kind'], name).toEqual([{ group: r.group, kind: r.kind, version: gv.version }]);
        if (r.verbs.includes('list')) expect(schemas[`${name}List`]?.['x-kubernetes-group-version-kind']).toEqual([{ group: r.group, kind: `${r.kind}List`, version: gv.version }]);
      }
    }
  });

  it('names definitions as Kubernetes does, and carries the field docs kubectl explain prints', async () => {
    const { components } = await getJson<OpenApi>('/openapi/v3/apis/apps/v1');
    const spec = components.schemas['io.k8s.api.apps.v1.DaemonSetSpec'] as { properties: Record<string, Schema>; required: string[] };
    expect(spec.required).toEqual(['template']);
    for (const field of ['selector', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'] as const) {
      expect(spec.properties[field]?.description, field).toBe(DaemonSetSpecSchema.shape[field].description);
    }
    expect(spec.properties.updateStrategy).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DaemonSetUpdateStrategy' }] });
    expect(spec.properties.selector).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' }] });
    expect(components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
    const strategy = components.schemas['io.k8s.api.apps.v1.DaemonSetUpdateStrategy'] as { properties: Record<string, Schema>; additionalProperties?: unknown };
    expect(Object.keys(strategy.properties)).toEqual(['type', 'rollingUpdate']);
    expect(strategy.additionalProperties).toBeUndefined();
  });

  it('every operation a document declares is served', async () => {
    for (const gv of groupVersions) {
      const doc = await getJson<OpenApi>(`/openapi/v3/${gv.openApiPath}`);
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          expect(operation['x-kubernetes-group-version-kind'], `${method} ${path}`).toMatchObject({ version: gv.version });
          const url = path.replace('{namespace}', 'default').replace('{name}', 'absent');
          const body = method === 'post' || method === 'put' ? { payload: {} } : method === 'patch' ? { payload: {}, headers: { 'content-type': 'application/merge-patch+json' } } : {};
          const res = await app.inject({ method: method.toUpperCase() as 'GET', url, ...body });
          expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(500);
          expect(res.json(), `${method} ${url}`).not.toMatchObject({ message: unserved });
        }
      }
    }
  });

  it('declares no fieldValidation parameter: the server does not refuse unknown fields', async () => {
    for (const gv of groupVersions) expect(JSON.stringify(await getJson(`/openapi/v3/${gv.openApiPath}`))).not.toContain('fieldValidation');
  });

  it("/openapi/v2 is gnostic's protobuf for kubectl's Accept, Swagger 2.0 JSON for JSON or none, else 406", async () => {
    const kubectlV2Accept = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
    const proto = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: kubectlV2Accept } });
    expect(proto.statusCode).toBe(200);
    expect(proto.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(proto.headers.vary).toMatch(/accept/i);
    const type = documentType();
    const decoded = type.toObject(type.decode(proto.rawPayload)) as { swagger: string; definitions: { additional_properties: { name: string }[] } };
    const swagger = await getJson<{ swagger: string; definitions: Record<string, unknown> }>('/openapi/v2');
    expect(swagger.swagger).toBe('2.0');
    expect(decoded.swagger).toBe('2.0');
    expect(decoded.definitions.additional_properties.map((d) => d.name)).toEqual(Object.keys(swagger.definitions));
    expect((await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'application/json' } })).json()).toEqual(swagger);
    const refused = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'text/html' } });
    expect(refused.statusCode).toBe(406);
    expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable' });
  });

  it('an unknown v3 document is a NotFound Status', async () => {
    const missing = await app.inject({ method: 'GET', url: '/openapi/v3/apis/batch/v1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'no OpenAPI document for "apis/batch/v1"' });
  });
});
