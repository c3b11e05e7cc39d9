/**
 * `v1` Nodes. A node is cluster-scoped, and each write is the event a node
 * agent would send: POST → `node.joined`, PUT → `node.updated` (or
 * `node.joined` for a name not yet known), PATCH → the stored node patched,
 * written as a PUT, DELETE → `node.removed`.
 * Unlike a DaemonSet's, a node's `status` is the client's to set: its
 * conditions are what make the node Ready or under pressure.
 */
import { EventType, type Node, nodePrinter, parseNode } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { namedVersion, submitChange } from '../changes.ts';
import { checkPreconditions, deleteOptionsOf, preconditionOf } from '../delete-options.ts';
import type { RouteDeps } from '../deps.ts';
import { answerList, answerObject, ListQuery, type Served } from '../lists.ts';
import { checkName, type Manifest, manifestOf, withoutResourceVersion } from '../manifests.ts';
import { typed, withNodeUid } from '../objects.ts';
import { applyPatch, PatchType } from '../patch.ts';
import { patchRoute } from '../patch-route.ts';
import { NameParams, parseRequest, writerOf } from '../request.ts';
import { metadataFields } from '../selectors.ts';
import type { WatchSource } from '../watch.ts';
import { alreadyExists, checkResourceVersion, deleted, invalid, notFound, Resources, StatusError } from '../status.ts';

const resource = Resources.nodes;

const served: Served<Node> = {
  apiVersion: 'v1',
  kind: 'Node',
  fields: {
    ...metadataFields,
    'spec.unschedulable': (node) => String(node.spec?.unschedulable === true),
  },
  printer: nodePrinter,
};

/** Register the Node paths on `app`. */
export function nodeRoutes(app: FastifyInstance, { reader, ingress, history, watches }: RouteDeps): void {
  /** The node `manifest` describes, or a 422 naming the field. */
  const validate = (manifest: Manifest): { name: string; node: Node } => {
    const name = typeof manifest.metadata.name === 'string' ? manifest.metadata.name : '';
    const parsed = parseNode(manifest);
    if (!parsed.ok) throw new StatusError(invalid(resource, name, parsed.message, parsed.errors));
    return { name, node: parsed.value };
  };

  /** The node as served (resourceVersion, uid), if there is one. */
  const read = async (name: string): Promise<Node | undefined> => {
    const [node] = (await reader.readVersioned('nodes', { name })).items;
    return node && withNodeUid(node);
  };

  /** Submit `node` as `type` (recording the client's field manager) and answer with the node as stored. */
  const commit = async (node: Node, type: typeof EventType.NodeJoined | typeof EventType.NodeUpdated, fieldManager: string | undefined, ifVersion?: string): Promise<Node> => {
    const name = node.metadata.name;
    await submitChange(ingress, type, node, { resource, name }, { fieldManager, ifVersion });
    return typed('v1', 'Node', (await read(name)) ?? node);
  };

  /** PUT's write, and PATCH's: `body` replaces the node `name`, or joins it when it is not known; if still at `ifVersion` when one is named. */
  const replace = async (name: string, body: unknown, fieldManager: string | undefined, ifVersion = namedVersion(body)): Promise<{ stored: Node; created: boolean }> => {
    const manifest = manifestOf(body, 'v1', 'Node');
    checkName(manifest, name);
    const current = await read(name);
    checkResourceVersion(resource, name, manifest.metadata.resourceVersion, current);
    const { node } = validate(withoutResourceVersion(manifest));
    const known = current !== undefined;
    return { stored: await commit(node, known ? EventType.NodeUpdated : EventType.NodeJoined, fieldManager, ifVersion), created: !known };
  };

  const source: WatchSource<Node> = {
    async present() {
      const read = await reader.readVersioned('nodes');
      return { ...read, items: read.items.map(withNodeUid) };
    },
    asOf: async (seq) => [...(await history.stateAt({ toSeq: seq })).state.nodes.values()].map(withNodeUid),
  };

  app.get('/api/v1/nodes', async (request, reply) => {
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    if (query.watch) return watches.serve(request, reply, served, source, query);
    const { items, lastSeq } = await reader.readVersioned('nodes');
    return answerList(request, reply, served, items.map(withNodeUid), lastSeq, query);
  });

  app.get('/api/v1/nodes/:name', async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path parameter');
    const node = await read(name);
    if (!node) throw new StatusError(notFound(resource, name));
    return answerObject(request, reply, served, node);
  });

  app.post('/api/v1/nodes', async (request, reply) => {
    // Validation first, as upstream: an invalid manifest is a 422 even when its name is taken.
    const { name, node } = validate(manifestOf(request.body, 'v1', 'Node'));
    if (await reader.getNode(name)) throw new StatusError(alreadyExists(resource, name));
    return reply.code(201).send(await commit(node, EventType.NodeJoined, writerOf(request)));
  });

  app.put('/api/v1/nodes/:name', async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path parameter');
    const { stored, created } = await replace(name, request.body, writerOf(request));
    return reply.code(created ? 201 : 200).send(stored);
  });

  patchRoute(app, '/api/v1/nodes/:name', async (request, patch) => {
    const { name } = parseRequest(NameParams, request.params, 'path parameter');
    const current = await read(name);
    // Only a server-side apply creates what is not there.
    if (!current && patch.type !== PatchType.apply) throw new StatusError(notFound(resource, name));
    const patched = manifestOf(applyPatch(patch.type, current && typed('v1', 'Node', current), patch.body, 'Node'), 'v1', 'Node');
    // Only a resourceVersion the patch itself names is a precondition: other writes since this read are not the client's concern.
    checkResourceVersion(resource, name, patched.metadata.resourceVersion, current);
    const { stored, created } = await replace(name, withoutResourceVersion(patched), patch.fieldManager, namedVersion(patch.body));
    return { object: stored, created };
  });

  /**
   * DELETE with DeleteOptions: preconditions and `dryRun` as upstream. The
   * propagation policy is accepted and changes nothing: no object is owned
   * by a node, and its daemon pods go because the node is gone (upstream's
   * PodGC, not the garbage collector), whichever policy was asked for.
   */
  app.delete('/api/v1/nodes/:name', async (request) => {
    const { name } = parseRequest(NameParams, request.params, 'path parameter');
    const options = deleteOptionsOf(request.body, request.query);
    const writer = writerOf(request);
    const current = await read(name);
    if (!current) throw new StatusError(notFound(resource, name));
    checkPreconditions(resource, name, options, current);
    if (!options.dryRun) await submitChange(ingress, EventType.NodeRemoved, { metadata: { name } }, { resource, name }, { fieldManager: writer, ...preconditionOf(options) });
    return deleted(resource, name);
  });
}
