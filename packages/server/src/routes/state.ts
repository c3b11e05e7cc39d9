/**
 * Time travel: `GET /state?to=SEQ` or `GET /state?at=TIME` rebuilds the
 * whole cluster from the log alone, as it stood after entry `SEQ`, or after
 * the entries accepted at or before `TIME` (RFC 3339, or a duration before
 * now such as `1h`), and answers
 *
 * ```
 * { seq, at, nodes: NodeList, daemonSets: DaemonSetList, pods: PodList }
 * ```
 *
 * `seq` is the last entry applied (0 for none); `at` is the moment the state
 * stands at — `TIME` itself for `?at`, the last applied entry's time for
 * `?to` (`null` when no entry was applied) — so ages can be measured from
 * it. DaemonSets carry their status then; deleted ones are left out, as a
 * list of the live cluster leaves them out. Without either parameter, the
 * present as the log implies it. Both together: the earlier bound wins.
 */
import { parseMoment, type ReplayedCluster } from '@everynode/api';
import type { ClusterState } from '@everynode/daemonset';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { ServerDeps } from '../deps.ts';
import { listOf } from '../objects.ts';
import { NonNegativeInteger, parsedWith, parseRequest } from '../request.ts';

function stateQuery(now: number) {
  return z.looseObject({
    /** Replay up to and including this seq. */
    to: NonNegativeInteger.optional(),
    /** Replay the entries accepted at or before this moment. */
    at: parsedWith((text) => parseMoment(text, now)).optional(),
  });
}

const byKey = <T>(map: ReadonlyMap<string, T>): T[] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);

/** The state's objects as the lists the resource paths serve. */
export function stateLists(state: ClusterState) {
  const daemonSets = [...state.daemonSets.entries()].filter(([, record]) => !record.deleted);
  return {
    nodes: listOf('v1', 'Node', byKey(state.nodes)),
    daemonSets: listOf('apps/v1', 'DaemonSet', byKey(new Map(daemonSets)).map((record) => record.daemonSet)),
    pods: listOf('v1', 'Pod', byKey(state.pods)),
  };
}

/** Register `GET /state` on `app`. */
export function stateRoutes(app: FastifyInstance, { history }: ServerDeps): void {
  app.get('/state', async (request): Promise<ReplayedCluster> => {
    const { to, at } = parseRequest(stateQuery(Date.now()), request.query, 'query parameter');
    const replayed = await history.stateAt({ ...(to === undefined ? {} : { toSeq: to }), ...(at === undefined ? {} : { atOrBefore: at }) });
    const moment = at !== undefined ? new Date(at).toISOString() : (replayed.at ?? null);
    return { seq: replayed.seq, at: moment, ...stateLists(replayed.state) };
  });
}
