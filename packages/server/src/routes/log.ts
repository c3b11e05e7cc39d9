/**
 * The event log and its audit: `GET /log` pages through it by sequence
 * number, optionally filtered (`type`, `object`, `since`; see
 * `log-filter.ts`), answering `{items, next, horizon}` — `next` is the `after` to
 * continue from, `horizon` the seq the log was trimmed behind (0: none); `GET /state/verify` rebuilds the state from the log and compares
 * it with the live projection (200 either way: the body says which).
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { ServerDeps } from '../deps.ts';
import { type LogPage, parseMoment } from '@everynode/api';
import { type LogFilter, parseObject, parseTypes, readFilteredLog } from '../log-filter.ts';
import { NonNegativeInteger, parsedWith, parseRequest } from '../request.ts';

/** Most entries one page may ask for: a page stays one bounded Redis read. */
export const maxLogLimit = 10_000;

/** The query of `GET /log`, with `since` measured back from `now` when it is a duration. */
function logQuery(now: number) {
  return z.looseObject({
    /** Entries with `seq > after`. Default 0: from the start. */
    after: NonNegativeInteger.optional(),
    /** At most this many entries (matches, when filtered). Default 100, at most 10 000. */
    limit: NonNegativeInteger.refine((n) => n <= maxLogLimit, `must be at most ${maxLogLimit}`).optional(),
    /** `pass`, a CloudEvent type or its suffix (`node.joined`); comma-separated for several. Default: all. */
    type: parsedWith(parseTypes).optional(),
    /** `node/NAME`, `pod/[NS/]NAME` or `ds/[NS/]NAME` (namespace `default` when left out). Default: any. */
    object: parsedWith(parseObject).optional(),
    /** Entries at or after this RFC 3339 time, or this long before now (`1h`, `30m`). Default: any. */
    since: parsedWith((text) => parseMoment(text, now)).optional(),
  });
}

/** Register `GET /log` and `GET /state/verify` on `app`. */
export function logRoutes(app: FastifyInstance, { history }: ServerDeps): void {
  app.get('/log', async (request): Promise<LogPage> => {
    const { after = 0, limit = 100, type, object, since } = parseRequest(logQuery(Date.now()), request.query, 'query parameter');
    const filter: LogFilter = { ...(type ? { types: type } : {}), ...(object ? { object } : {}), ...(since === undefined ? {} : { since }) };
    const [page, horizon] = await Promise.all([readFilteredLog(history, { after, limit, filter }), history.logHorizon()]);
    return { ...page, horizon };
  });

  app.get('/state/verify', () => history.verify());
}
