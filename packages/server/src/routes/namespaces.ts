/**
 * Namespaces exist implicitly in everynode (any namespace may hold
 * DaemonSets), so every one is reported Active; the list names `default`
 * and every namespace that holds a DaemonSet or a pod. kubectl asks for the
 * namespace after a 404 on an object in it; without this answer it prints
 * "the server could not find the requested resource" instead of
 * `daemonsets.apps "x" not found`. A namespace is never written, so its
 * resourceVersion is the log's last seq, and its creationTimestamp is that of
 * the earliest object in it (none for a namespace with nothing in it).
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
  readonly metadata: { readonly name: string; readonly uid: string; readonly resourceVersion: string; readonly creationTimestamp?: string };
  readonly status: { readonly phase: string };
}

/** An object as far as a namespace's age goes. */
type Member = { readonly metadata: { readonly namespace?: string | undefined; readonly creationTimestamp?: string | undefined } };

const fields: SelectableFields<Namespace> = { ...metadataFields, 'status.phase': (ns) => ns.status.phase };
const served: Served<Namespace> = { apiVersion: 'v1', kind: 'Namespace', fields, printer: namespacePrinter };

/** The earliest creationTimestamp of `members` in the namespace `name`, if any has one. */
function earliestIn(name: string, members: readonly Member[]): string | undefined {
  let earliest: { at: number; text: string } | undefined;
  for (const { metadata } of members) {
    const at = Date.parse(metadata.creationTimestamp ?? '');
    if ((metadata.namespace ?? 'default') !== name || Number.isNaN(at)) continue;
    if (earliest === undefined || at < earliest.at) earliest = { at, text: metadata.creationTimestamp as string };
  }
  return earliest?.text;
}

function namespace(name: string, lastSeq: number, members: readonly Member[]): Namespace {
  const creationTimestamp = earliestIn(name, members);
  const metadata = { name, uid: deterministicUid(['namespace', name]), resourceVersion: String(lastSeq), ...(creationTimestamp ? { creationTimestamp } : {}) };
  return { metadata, status: { phase: 'Active' } };
}

/** The namespaces `members` are in, and `default`, each as old as its oldest member. */
function namespacesOf(members: readonly Member[], lastSeq: number): Namespace[] {
  const names = new Set(['default', ...members.map((o) => o.metadata.namespace ?? 'default')]);
  return [...names].map((name) => namespace(name, lastSeq, members));
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
    const [lastSeq, daemonSets, pods] = await Promise.all([history.lastSeq(), reader.readVersioned('daemonSets', { namespace: ns }), reader.readVersioned('pods', { namespace: ns })]);
    return answerObject(request, reply, served, namespace(ns, lastSeq, [...daemonSets.items, ...pods.items]));
  });
}
