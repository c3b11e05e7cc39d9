/**
 * `apps/v1` DaemonSets and their ControllerRevisions. Reads come from the
 * projection; writes are validated here first (so a bad manifest is a 422
 * that names the field, and nothing is stored), then become
 * `daemonset.applied` / `daemonset.deleted` events and are answered once in
 * the log. A PATCH is the stored object patched, then written as a PUT.
 */
import { type ControllerRevision, controllerRevisionPrinter, type DaemonSet, type DaemonSetDeletion, daemonSetPrinter, EventType, parseDaemonSet } from '@everynode/api';
import { type ClusterState, deletionRequested, deterministicUid, goesAtOnce } from '@everynode/daemonset';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { namedVersion, submitChange } from '../changes.ts';
import { checkPreconditions, deleteOptionsOf, preconditionOf } from '../delete-options.ts';
import type { RouteDeps } from '../deps.ts';
import { answerList, answerObject, ListQuery, type Served } from '../lists.ts';
import { checkName, inNamespace, type Manifest, manifestOf, withoutResourceVersion } from '../manifests.ts';
import { typed } from '../objects.ts';
import { applyPatch, PatchType } from '../patch.ts';
import { patchRoute } from '../patch-route.ts';
import { NamespaceParams, NamespacedNameParams, parseRequest, writerOf } from '../request.ts';
import { metadataFields } from '../selectors.ts';
import { inScope, type WatchSource } from '../watch.ts';
import { alreadyExists, checkResourceVersion, deleted, invalid, notFound, Resources, StatusError } from '../status.ts';

const apiVersion = 'apps/v1';
const base = '/apis/apps/v1';
const resource = Resources.daemonSets;

const served: Served<DaemonSet> = { apiVersion, kind: 'DaemonSet', fields: metadataFields, printer: daemonSetPrinter };
const servedRevisions: Served<ControllerRevision> = { apiVersion, kind: 'ControllerRevision', fields: metadataFields, printer: controllerRevisionPrinter };

/**
 * A revision as served: the controller stores it without a uid or
 * resourceVersion, so its uid derives from its name and owner's, and its
 * resourceVersion is its DaemonSet's (a revision changes only with it). Its
 * creationTimestamp is the pass's that created it; one created before passes
 * stamped it has its DaemonSet's, the earliest it can have been created.
 */
function servedRevision(revision: ControllerRevision, owner: DaemonSet): ControllerRevision {
  const { namespace, name } = revision.metadata;
  const uid = revision.metadata.uid ?? deterministicUid(['controllerrevision', namespace, name, owner.metadata.uid ?? '']);
  const creationTimestamp = revision.metadata.creationTimestamp ?? owner.metadata.creationTimestamp;
  return { ...revision, metadata: { ...revision.metadata, uid, resourceVersion: owner.metadata.resourceVersion ?? '', ...(creationTimestamp ? { creationTimestamp } : {}) } };
}

/** The DaemonSets of a replayed state that were not deleted. */
function liveDaemonSets(state: ClusterState): DaemonSet[] {
  return [...state.daemonSets.values()].filter((record) => !record.deleted).map((record) => record.daemonSet);
}

/** A revision without its resourceVersion, to compare content. */
function withoutRv(revision: ControllerRevision): ControllerRevision {
  const { resourceVersion: _rv, ...metadata } = revision.metadata;
  return { ...revision, metadata };
}

/** Register the DaemonSet and ControllerRevision paths on `app`. */
export function daemonSetRoutes(app: FastifyInstance, { reader, ingress, history, watches }: RouteDeps): void {
  const source = (namespace: string | undefined): WatchSource<DaemonSet> => ({
    present: () => reader.readVersioned('daemonSets', namespace === undefined ? {} : { namespace }),
    asOf: async (seq) => liveDaemonSets((await history.stateAt({ toSeq: seq })).state).filter(inScope(namespace)),
  });

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    if (query.watch) return watches.serve(request, reply, served, source(namespace), query);
    const { items, lastSeq } = await reader.readVersioned('daemonSets', namespace === undefined ? {} : { namespace });
    return answerList(request, reply, served, items, lastSeq, query);
  };

  /** The DaemonSet as served (with its resourceVersion), if there is one. */
  const read = async (namespace: string, name: string): Promise<DaemonSet | undefined> => (await reader.readVersioned('daemonSets', { namespace, name })).items[0];

  /**
   * Validate and submit `manifest`. `create` refuses an existing name (after
   * validation, as upstream checks storage last); `replace` validates
   * against the stored object, whose selector is immutable. `fieldManager`
   * is recorded with the event; `ifVersion`, the resourceVersion the client
   * named, is checked again in the commit.
   */
  const apply = async (manifest: Manifest, mode: 'create' | 'replace', fieldManager: string | undefined, ifVersion?: string): Promise<{ object: DaemonSet; created: boolean }> => {
    const namespace = manifest.metadata.namespace as string;
    const name = typeof manifest.metadata.name === 'string' ? manifest.metadata.name : '';
    const existing = name === '' ? undefined : await read(namespace, name);
    if (mode === 'replace') checkResourceVersion(resource, name, manifest.metadata.resourceVersion, existing);
    // Status belongs to the controller: a client's copy (a GET sent back by `replace`) is dropped, as upstream does.
    const { status: _status, ...desired } = withoutResourceVersion(manifest);
    const parsed = parseDaemonSet(desired, mode === 'replace' ? existing : undefined);
    if (!parsed.ok) throw new StatusError(invalid(resource, name, parsed.message, parsed.errors));
    if (mode === 'create' && existing) throw new StatusError(alreadyExists(resource, name));
    await submitChange(ingress, EventType.DaemonSetApplied, desired, { resource, name }, { fieldManager, ifVersion });
    // The stored object carries the controller's fields (generation, status); the parsed one is a fallback only.
    const stored = (await read(namespace, name)) ?? parsed.value;
    return { object: typed(apiVersion, 'DaemonSet', stored), created: existing === undefined };
  };

  /** PUT's write, and PATCH's: `body` replaces (or creates) the DaemonSet `ns/name`, if still at `ifVersion` when one is named. */
  const replace = (ns: string, name: string, body: unknown, fieldManager: string | undefined, ifVersion = namedVersion(body)) => {
    const manifest = manifestOf(body, apiVersion, 'DaemonSet');
    checkName(manifest, name);
    return apply(inNamespace(manifest, ns, 'update'), 'replace', fieldManager, ifVersion);
  };

  app.get(`${base}/daemonsets`, (request, reply) => list(request, reply, undefined));

  app.get(`${base}/namespaces/:ns/daemonsets`, (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(request, reply, ns);
  });

  app.get(`${base}/namespaces/:ns/daemonsets/:name`, async (request, reply) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const ds = await read(ns, name);
    if (!ds) throw new StatusError(notFound(resource, name));
    return answerObject(request, reply, served, ds);
  });

  app.post(`${base}/namespaces/:ns/daemonsets`, async (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    const manifest = inNamespace(manifestOf(request.body, apiVersion, 'DaemonSet'), ns, 'create');
    const { object } = await apply(manifest, 'create', writerOf(request));
    return reply.code(201).send(object);
  });

  app.put(`${base}/namespaces/:ns/daemonsets/:name`, async (request, reply) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const { object, created } = await replace(ns, name, request.body, writerOf(request));
    return reply.code(created ? 201 : 200).send(object);
  });

  patchRoute(app, `${base}/namespaces/:ns/daemonsets/:name`, async (request, patch) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const current = await read(ns, name);
    // Only a server-side apply creates what is not there.
    if (!current && patch.type !== PatchType.apply) throw new StatusError(notFound(resource, name));
    const patched = manifestOf(applyPatch(patch.type, current && typed(apiVersion, 'DaemonSet', current), patch.body, 'DaemonSet'), apiVersion, 'DaemonSet');
    // Only a resourceVersion the patch itself names is a precondition: the controller's writes since this read are not the client's concern.
    checkResourceVersion(resource, name, patched.metadata.resourceVersion, current);
    return replace(ns, name, withoutResourceVersion(patched), patch.fieldManager, namedVersion(patch.body));
  });

  /**
   * DELETE with DeleteOptions (`deletion.ts` in the core says what each
   * policy does). `Background` and `Orphan` answer Success, the DaemonSet
   * gone; `Foreground` answers the DaemonSet as it now stands, with its
   * `deletionTimestamp` and `foregroundDeletion` finalizer (Success if it is
   * already gone, having had no pods). `dryRun=All` checks the same and
   * changes nothing.
   */
  app.delete(`${base}/namespaces/:ns/daemonsets/:name`, async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const options = deleteOptionsOf(request.body, request.query);
    const writer = writerOf(request);
    const current = await read(ns, name);
    if (!current) throw new StatusError(notFound(resource, name));
    checkPreconditions(resource, name, options, current);
    const policy = options.propagationPolicy;
    if (options.dryRun) return goesAtOnce(policy) ? deleted(resource, name) : typed(apiVersion, 'DaemonSet', deletionRequested(current, policy, Date.now()));
    const deletion: DaemonSetDeletion = { metadata: { namespace: ns, name }, propagationPolicy: policy };
    await submitChange(ingress, EventType.DaemonSetDeleted, deletion, { resource, name }, { fieldManager: writer, ...preconditionOf(options) });
    const marked = goesAtOnce(policy) ? undefined : await read(ns, name);
    return marked ? typed(apiVersion, 'DaemonSet', marked) : deleted(resource, name);
  });

  /** Every DaemonSet's revisions in `namespace`, as served, and the log's last seq when the DaemonSets were read. */
  const readRevisions = async (namespace: string) => {
    const { items: daemonSets, lastSeq } = await reader.readVersioned('daemonSets', { namespace });
    const revisions = await Promise.all(
      daemonSets.map(async (ds) => (await reader.listRevisions(namespace, ds.metadata.name ?? '')).map((revision) => servedRevision(revision, ds))),
    );
    return { items: revisions.flat(), lastSeq };
  };

  // A revision's resourceVersion is its DaemonSet's, which every status write moves: a revision changed when its content did.
  const revisionSource = (namespace: string): WatchSource<ControllerRevision> => ({
    present: () => readRevisions(namespace),
    async asOf(seq) {
      const { state } = await history.stateAt({ toSeq: seq });
      return [...state.daemonSets.values()]
        .filter((record) => !record.deleted && record.daemonSet.metadata.namespace === namespace)
        .flatMap((record) => [...record.revisions.values()].map((revision) => servedRevision(revision, record.daemonSet)));
    },
    differs: (previous, next) => JSON.stringify(withoutRv(previous)) !== JSON.stringify(withoutRv(next)),
  });

  // `rollout history` / `undo` read these: every DaemonSet's revisions in the namespace.
  app.get(`${base}/namespaces/:ns/controllerrevisions`, async (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    if (query.watch) return watches.serve(request, reply, servedRevisions, revisionSource(ns), query);
    const { items, lastSeq } = await readRevisions(ns);
    return answerList(request, reply, servedRevisions, items, lastSeq, query);
  });
}
