/**
 * JSON bodies, parsed by fastify's own parser (which strips `__proto__` and
 * `constructor` poisoning), except that an empty body is "no body" rather
 * than an error: `DELETE` with `Content-Type: application/json` and nothing
 * else is ordinary, and a handler that needs a body says what it needed.
 */
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';

/** JSON media types this server parses: plain JSON and CloudEvents' structured and batch modes. */
export function emptyTolerantJsonParser(app: FastifyInstance): FastifyBodyParser<string> {
  // fastify's default JSON parser is the callback form (`lib/contentTypeParser.js` `defaultJsonParser`).
  const parse = app.getDefaultJsonParser('error', 'error') as (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => void;
  return (request, body, done) => (body.trim() === '' ? done(null, undefined) : parse(request, body, done));
}

/** Replace fastify's `application/json` parser on `app` with the empty-tolerant one. */
export function useJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, emptyTolerantJsonParser(app));
}
