/**
 * `v1` Events, read-only: `GET /api/v1/namespaces/:ns/events` and
 * `GET /api/v1/events`, an `EventList` derived from the log's passes (see
 * `controller-events.ts`), filtered as the API server filters Events —
 * `kubectl describe` asks with
 * `fieldSelector=involvedObject.name=X,involvedObject.namespace=NS,involvedObject.kind=DaemonSet,involvedObject.uid=U`.
 *
 * Every request reads the log from the start: Events are history, and the
 * log is where history is kept.
 */
import { eventPrinter } from '@everynode/api';
import { PassType } from '@everynode/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ControllerEventLog, type KubeEvent } from '../controller-events.ts';
import type { ServerDeps } from '../deps.ts';
import { answerList, ListQuery, type Served } from '../lists.ts';
import { scanLog } from '../log-scan.ts';
import { NamespaceParams, parseRequest } from '../request.ts';
import { filterList, metadataFields, type SelectableFields } from '../selectors.ts';

/** The fields upstream's `EventToSelectableFields` offers that these Events carry. */
const fields: SelectableFields<KubeEvent> = {
  ...metadataFields,
  'involvedObject.kind': (e) => e.involvedObject.kind,
  'involvedObject.namespace': (e) => e.involvedObject.namespace,
  'involvedObject.name': (e) => e.involvedObject.name,
  'involvedObject.uid': (e) => e.involvedObject.uid,
  'involvedObject.apiVersion': (e) => e.involvedObject.apiVersion,
  reason: (e) => e.reason,
  reportingComponent: (e) => e.reportingComponent,
  source: (e) => e.source?.component,
  type: (e) => e.type,
};

const served: Served<KubeEvent> = { apiVersion: 'v1', kind: 'Event', fields, printer: eventPrinter };

/** Register the Event paths on `app`. */
export function kubeEventRoutes(app: FastifyInstance, { history }: ServerDeps): void {
  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    // Parsed before the scan, so that a bad selector costs no log read.
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    filterList([], query, fields);
    const events = new ControllerEventLog(namespace);
    // The log up to its last seq now, which is the list's resourceVersion; only passes
    // record Events, and the index rules the rest out unread.
    const lastSeq = await history.lastSeq();
    await scanLog(history, (entry) => events.observe(entry), { until: lastSeq, where: { types: [PassType] } });
    return answerList(request, reply, served, events.list(), lastSeq, query);
  };

  app.get('/api/v1/events', (request, reply) => list(request, reply, undefined));

  app.get('/api/v1/namespaces/:ns/events', (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(request, reply, ns);
  });
}
