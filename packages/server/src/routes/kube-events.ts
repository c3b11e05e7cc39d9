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
import type { RouteDeps, ServerDeps } from '../deps.ts';
import { answerList, ListQuery, type Served } from '../lists.ts';
import { scanLog } from '../log-scan.ts';
import { NamespaceParams, parseRequest } from '../request.ts';
import { filterList, metadataFields, type SelectableFields } from '../selectors.ts';
import type { WatchSource } from '../watch.ts';

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

/**
 * The Events of one watch: the log folded as it grows, from the start (or
 * up to the seq a watch resumes from first). Events are never deleted; a
 * repeated one is MODIFIED, with a higher count.
 */
function eventSource(history: ServerDeps['history'], namespace: string | undefined): WatchSource<KubeEvent> {
  const events = new ControllerEventLog(namespace);
  let scanned = 0;
  const scanTo = async (seq: number) => {
    await scanLog(history, (entry) => events.observe(entry), { after: scanned, until: seq, where: { types: [PassType] } });
    scanned = Math.max(scanned, seq);
    return events.list();
  };
  return {
    asOf: scanTo,
    async present() {
      const lastSeq = await history.lastSeq();
      return { items: await scanTo(lastSeq), lastSeq };
    },
  };
}

/** Register the Event paths on `app`. */
export function kubeEventRoutes(app: FastifyInstance, { history, watches }: RouteDeps): void {
  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    // Parsed before the scan, so that a bad selector costs no log read.
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    filterList([], query, fields);
    if (query.watch) return watches.serve(request, reply, served, eventSource(history, namespace), query);
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
