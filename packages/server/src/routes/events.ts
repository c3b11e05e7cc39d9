/**
 * `POST /events`: CloudEvents in (docs/contract.md §2, §4), in structured, binary or
 * batch mode. 202 when at least one event was accepted, 400 when every one
 * was refused; both bodies list what was accepted and, per refused event,
 * why. By default the answer waits until the accepted events are in the log
 * (read-your-writes); `?wait=false` answers once they are queued. While
 * the backlog is past the high-water mark, 429 with `Retry-After`: nothing
 * of the request is taken.
 */
import { HighWaterGauge } from '@everynode/engine';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { BatchMediaType, eventsOfRequest, StructuredMediaType } from '../cloudevents.ts';
import type { ServerDeps } from '../deps.ts';
import { eventsJsonParser } from '../json-body.ts';
import { parseRequest } from '../request.ts';
import { failure, StatusError } from '../status.ts';

const EventsQuery = z.looseObject({
  /** `false`: answer once queued, not once in the log. Default `true`. */
  wait: z.enum(['true', 'false']).optional(),
});

/** Register `POST /events` on `app`, with its content-type parsers in a scope of their own. */
export function eventRoutes(app: FastifyInstance, { ingress, highWaterMark }: ServerDeps): void {
  const gauge = new HighWaterGauge(() => ingress.backlog(), {
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
    onChange: (full, backlog, mark) => app.log.warn({ backlog, highWaterMark: mark }, full ? 'POST /events answers 429: the backlog is past the high-water mark' : 'POST /events accepts again: the backlog is down to half the mark'),
  });
  // A plugin of its own, so that these parsers (the catch-all above all) apply to this path only.
  void app.register(async (scope) => {
    // Every JSON mode parsed plainly: each event's bounds are checked as the engine admits it, one by one.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(['application/json', StructuredMediaType, BatchMediaType], { parseAs: 'buffer' }, eventsJsonParser());
    // Binary mode may carry data of any media type: read it raw, decode it in `eventsOfRequest`.
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post('/events', async (request, reply) => {
      const { wait } = parseRequest(EventsQuery, request.query, 'query parameter');
      const events = eventsOfRequest(request.headers, request.body);
      if (await gauge.isFull()) {
        const backlog = await gauge.current();
        throw new StatusError(
          failure(429, `too many requests: ${backlog} events wait for a worker, past the high-water mark of ${gauge.highWaterMark}; retry after 1 s`, { retryAfterSeconds: 1 }),
        );
      }
      let result;
      try {
        result = await ingress.submit(events, { wait: wait !== 'false' });
      } catch (error) {
        throw new StatusError(failure(503, `the engine did not confirm the events: ${(error as Error).message}`));
      }
      const allRefused = result.accepted.length === 0 && result.refused.length > 0;
      return reply.code(allRefused ? 400 : 202).send(result);
    });
  });
}
