/**
 * `apps/v1` DaemonSets and their ControllerRevisions. Reads come from the
 * projection; writes are validated here first (so a bad manifest is a 422
 * that names the field, and nothing is stored), then become
 * `daemonset.applied` / `daemonset.deleted` events and are answered once in
 * the log. A PATCH is the stored object patched, then written as a PUT.
 */
import { type DaemonSet, EventType, parseDaemonSet } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { submitChange } from '../changes.ts';
import type { ServerDeps } from '../deps.ts';
import { checkName, inNamespace, type Manifest, manifestOf } from '../manifests.ts';
import { listOf, typed } from '../objects.ts';
import { applyPatch } from '../patch.ts';
import { patchRoute } from '../patch-route.ts';
import { fieldManagerOf, ListQuery, NamespaceParams, NamespacedNameParams, parseRequest } from '../request.ts';
import { filterList, metadataFields } from '../selectors.ts';
import { alreadyExists, deleted, invalid, notFound, Resources, StatusError } from '../status.ts';

const apiVersion = 'apps/v1';
const base = '/apis/apps/v1';
const resource = Resources.daemonSets;

/** Register the DaemonSet and ControllerRevision paths on `app`. */
export function daemonSetRoutes(app: FastifyInstance, { reader, ingress }: ServerDeps): void {
  const list = async (namespace: string | undefined, rawQuery: unknown) => {
    const query = parseRequest(ListQuery, rawQuery, 'query parameter');
    return listOf(apiVersion, 'DaemonSet', filterList(await reader.listDaemonSets(namespace), query, metadataFields));
  };

  /**
   * Validate and submit `manifest`. `create` refuses an existing name (after
   * validation, as upstream checks storage last); `replace` validates
   * against the stored object, whose selector is immutable. `fieldManager`
   * is recorded with the event.
   */
  const apply = async (manifest: Manifest, mode: 'create' | 'replace', fieldManager: string | undefined): Promise<{ object: DaemonSet; created: boolean }> => {
    const namespace = manifest.metadata.namespace as string;
    const name = typeof manifest.metadata.name === 'string' ? manifest.metadata.name : '';
    const existing = name === '' ? undefined : await reader.getDaemonSet(namespace, name);
    // Status belongs to the controller: a client's copy (a GET sent back by `replace`) is dropped, as upstream does.
    const { status: _status, ...desired } = manifest;
    const parsed = parseDaemonSet(desired, mode === 'replace' ? existing : undefined);
    if (!parsed.ok) throw new StatusError(invalid(resource, name, parsed.message, parsed.errors));
    if (mode === 'create' && existing) throw new StatusError(alreadyExists(resource, name));
    await submitChange(ingress, EventType.DaemonSetApplied, desired, { resource, name }, fieldManager);
    // The stored object carries the controller's fields (generation, status); the parsed one is a fallback only.
    const stored = (await reader.getDaemonSet(namespace, name)) ?? parsed.value;
    return { object: typed(apiVersion, 'DaemonSet', stored), created: existing === undefined };
  };

  /** PUT's write, and PATCH's: `body` replaces (or creates) the DaemonSet `ns/name`. */
  const replace = (ns: string, name: string, body: unknown, fieldManager: string | undefined) => {
    const manifest = manifestOf(body, apiVersion, 'DaemonSet');
    checkName(manifest, name);
    return apply(inNamespace(manifest, ns, 'update'), 'replace', fieldManager);
  };

  app.get(`${base}/daemonsets`, (request) => list(undefined, request.query));

  app.get(`${base}/namespaces/:ns/daemonsets`, (request) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(ns, request.query);
  });

  app.get(`${base}/namespaces/:ns/daemonsets/:name`, async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const ds = await reader.getDaemonSet(ns, name);
    if (!ds) throw new StatusError(notFound(resource, name));
    return typed(apiVersion, 'DaemonSet', ds);
  });

  app.post(`${base}/namespaces/:ns/daemonsets`, async (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    const manifest = inNamespace(manifestOf(request.body, apiVersion, 'DaemonSet'), ns, 'create');
    const { object } = await apply(manifest, 'create', fieldManagerOf(request.query));
    return reply.code(201).send(object);
  });

  app.put(`${base}/namespaces/:ns/daemonsets/:name`, async (request, reply) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const { object, created } = await replace(ns, name, request.body, fieldManagerOf(request.query));
    return reply.code(created ? 201 : 200).send(object);
  });

  patchRoute(app, `${base}/namespaces/:ns/daemonsets/:name`, async (request, patch) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const current = await reader.getDaemonSet(ns, name);
    if (!current) throw new StatusError(notFound(resource, name));
    const patched = applyPatch(patch.type, typed(apiVersion, 'DaemonSet', current), patch.body, 'DaemonSet');
    return (await replace(ns, name, patched, patch.fieldManager)).object;
  });

  app.delete(`${base}/namespaces/:ns/daemonsets/:name`, async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    if (!(await reader.getDaemonSet(ns, name))) throw new StatusError(notFound(resource, name));
    await submitChange(ingress, EventType.DaemonSetDeleted, { metadata: { namespace: ns, name } }, { resource, name });
    return deleted(resource, name);
  });

  // `rollout history` / `undo` read these: every DaemonSet's revisions in the namespace.
  app.get(`${base}/namespaces/:ns/controllerrevisions`, async (request) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    const daemonSets = await reader.listDaemonSets(ns);
    const revisions = (await Promise.all(daemonSets.map((ds) => reader.listRevisions(ns, ds.metadata.name ?? '')))).flat();
    return listOf(apiVersion, 'ControllerRevision', filterList(revisions, query, metadataFields));
  });
}
