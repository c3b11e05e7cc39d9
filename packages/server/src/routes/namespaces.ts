/**
 * Namespaces exist implicitly in everynode (any namespace may hold
 * DaemonSets), so every one is reported Active; the list names `default`
 * and every namespace that holds a DaemonSet or a pod. kubectl asks for the
 * namespace after a 404 on an object in it; without this answer it prints
 * "the server could not find the requested resource" instead of
 * `daemonsets.apps "x" not found`. A namespace is never written, so its
 * resourceVersion is the log's last seq.
 */
import { namespacePrinter, type NamespaceObject } from '@everynode/api';
import { deterministicUid } from '@everynode/daemonset';
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../deps.ts';
import type { WatchSource } from '../watch.ts';
import { answerList, answerObject, ListQuery, type Served } from '../lists.ts';
import { NamespaceParams, parseRequest } from '../request.ts';
import { metadataFields, type SelectableFields } from '../selectors.ts';

interface Namespace extends NamespaceObject {
  readonly metadata: { readonly name: string; readonly uid: string; readonly resourceVersion: string };
  readonly status: { readonly phase: string };
}

const fields: SelectableFields<Namespace> = { ...metadataFields, 'status.phase': (ns) => ns.status.phase };
const served: Served<Namespace> = { apiVersion: 'v1', kind: 'Namespace', fields, printer: namespacePrinter };

function namespace(name: string, lastSeq: number): Namespace {
  return { metadata: { name, uid: deterministicUid(['namespace', name]), resourceVersion: String(lastSeq) }, status: { phase: 'Active' } };
}

/** The namespaces `objects` are in, and `default`. */
function namespacesOf(objects: Iterable<{ metadata: { namespace?: string | undefined } }>, lastSeq: number): Namespace[] {
  const names = new Set(['default', ...[...objects].map((o) => o.metadata.namespace ?? 'default')]);
  return [...names].map((name) => namespace(name, lastSeq));
}

/** Register `GET /api/v1/namespaces` and `GET /api/v1/namespaces/:ns` on `app`. */
export function namespaceRoutes(app: FastifyInstance, { reader, history, watches }: RouteDeps): void {
  const read = async () => {
    const [daemonSets, pods] = await Promise.all([reader.readVersioned('daemonSets'), reader.readVersioned('pods')]);
    const lastSeq = Math.max(daemonSets.lastSeq, pods.lastSeq);
    return { items: namespacesOf([...daemonSets.items, ...pods.items], lastSeq), lastSeq };
  };

  // A namespace's resourceVersion is the log's last seq, which moves with every commit: a watch sends only namespaces coming and going.
  const source: WatchSource<Namespace> = {
    present: read,
    async asOf(seq) {
      const { state } = await history.stateAt({ toSeq: seq });
      const live = [...state.daemonSets.values()].filter((record) => !record.deleted).map((record) => record.daemonSet);
      return namespacesOf([...live, ...state.pods.values()], seq);
    },
    differs: () => false,
  };

  app.get('/api/v1/namespaces', async (request, reply) => {
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    if (query.watch) return watches.serve(request, reply, served, source, query);
    const { items, lastSeq } = await read();
    return answerList(request, reply, served, items, lastSeq, query);
  });

  app.get('/api/v1/namespaces/:ns', async (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return answerObject(request, reply, served, namespace(ns, await history.lastSeq()));
  });
}
