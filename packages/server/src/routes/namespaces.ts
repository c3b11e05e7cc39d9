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
import type { ServerDeps } from '../deps.ts';
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

/** Register `GET /api/v1/namespaces` and `GET /api/v1/namespaces/:ns` on `app`. */
export function namespaceRoutes(app: FastifyInstance, { reader, history }: ServerDeps): void {
  app.get('/api/v1/namespaces', async (request, reply) => {
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    const [daemonSets, pods] = await Promise.all([reader.readVersioned('daemonSets'), reader.readVersioned('pods')]);
    const names = new Set(['default', ...[...daemonSets.items, ...pods.items].map((o) => o.metadata.namespace ?? 'default')]);
    const lastSeq = Math.max(daemonSets.lastSeq, pods.lastSeq);
    const members = [...daemonSets.items, ...pods.items];
    return answerList(request, reply, served, [...names].map((name) => namespace(name, lastSeq, members)), lastSeq, query);
  });

  app.get('/api/v1/namespaces/:ns', async (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    const [lastSeq, daemonSets, pods] = await Promise.all([history.lastSeq(), reader.readVersioned('daemonSets', { namespace: ns }), reader.readVersioned('pods', { namespace: ns })]);
    return answerObject(request, reply, served, namespace(ns, lastSeq, [...daemonSets.items, ...pods.items]));
  });
}
