/**
 * The event log and its audit: `GET /log` pages through it by sequence
 * number; `GET /state/verify` rebuilds the state from the log and compares
 * it with the live projection (200 either way: the body says which).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerDeps } from '../deps.ts';
import { NonNegativeInteger, parseRequest } from '../request.ts';

/** Most entries one page may ask for: a page stays one bounded Redis read. */
export const maxLogLimit = 10_000;

const LogQuery = z.looseObject({
  /** Entries with `seq > after`. Default 0: from the start. */
  after: NonNegativeInteger.optional(),
  /** Entries per page. Default 100, at most 10 000. */
  limit: NonNegativeInteger.refine((n) => n <= maxLogLimit, `must be at most ${maxLogLimit}`).optional(),
});

/** Register `GET /log` and `GET /state/verify` on `app`. */
export function logRoutes(app: FastifyInstance, { reader, verifier }: ServerDeps): void {
  app.get('/log', async (request) => {
    const { after = 0, limit = 100 } = parseRequest(LogQuery, request.query, 'query parameter');
    // Asked explicitly: Redis reads COUNT 0 as "no limit", which is not what 0 means here.
    if (limit === 0) return { items: [] };
    return { items: await reader.readLog({ after, limit }) };
  });

  app.get('/state/verify', () => verifier.verify());
}
