/**
 * The dead-letter queue (refused events, parked messages) through the
 * engine's admin port: `GET /dlq?offset=&limit=` pages through it, oldest
 * first (`{items, total}`); `GET /dlq/:id` shows one; `POST /dlq/:id/replay`
 * submits it again (answering as `POST /events` does) and drops it;
 * `DELETE /dlq/:id` drops it. An id that is not there is a 404.
 */
import type { DeadLetter, DeadLetterPage, SubmitResult } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { ServerDeps } from '../deps.ts';
import { NonNegativeInteger, parseRequest, Segment } from '../request.ts';
import { failure, StatusError } from '../status.ts';

/** Most dead letters one page may ask for. */
export const maxDeadLetterLimit = 1000;

const PageQuery = z.looseObject({
  offset: NonNegativeInteger.optional(),
  limit: NonNegativeInteger.refine((n) => n <= maxDeadLetterLimit, `must be at most ${maxDeadLetterLimit}`).optional(),
});
const IdParams = z.object({ id: Segment });

const missing = (id: string) => new StatusError(failure(404, `dead letter "${id}" not found`, { name: id, kind: 'deadletter' }));

/** Register the `/dlq` paths on `app`. */
export function deadLetterRoutes(app: FastifyInstance, { admin }: ServerDeps): void {
  const { deadLetters } = admin;

  app.get('/dlq', async (request): Promise<DeadLetterPage> => {
    const { offset, limit } = parseRequest(PageQuery, request.query, 'query parameter');
    return deadLetters.list({ offset, limit });
  });

  app.get('/dlq/:id', async (request): Promise<DeadLetter> => {
    const { id } = parseRequest(IdParams, request.params, 'path parameter');
    const letter = await deadLetters.get(id);
    if (!letter) throw missing(id);
    return letter;
  });

  app.post('/dlq/:id/replay', async (request, reply): Promise<SubmitResult> => {
    const { id } = parseRequest(IdParams, request.params, 'path parameter');
    const result = await deadLetters.replay(id);
    if (!result) throw missing(id);
    return reply.code(result.accepted.length > 0 ? 202 : 400).send(result);
  });

  app.delete('/dlq/:id', async (request, reply) => {
    const { id } = parseRequest(IdParams, request.params, 'path parameter');
    if (!(await deadLetters.drop(id))) throw missing(id);
    return reply.code(204).send();
  });
}
