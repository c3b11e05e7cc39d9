/**
 * Export and import of the whole log (archival and migration):
 * `GET /log/export` streams every entry as JSON lines
 * (`application/x-ndjson`, one entry per line with its `seq` and schema
 * version `v`; header `x-everynode-last-seq` says where it will stop), and
 * `POST /log/import` takes such a stream into an EMPTY prefix and rebuilds
 * the projection (409 when the log is not empty, 400 naming the line when a
 * line is not an entry). Both go through the engine's `admin` port.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ImportRefused, LogFormatError } from '@everynode/engine';
import type { ServerDeps } from '../deps.ts';
import { failure, StatusError } from '../status.ts';

export const NdjsonType = 'application/x-ndjson';

/** Register `GET /log/export` and `POST /log/import` on `app`. */
export function exportRoutes(app: FastifyInstance, { admin }: ServerDeps): void {
  // The body stays a stream: an import is read line by line, never held whole (so no body limit applies).
  app.addContentTypeParser(NdjsonType, (_request, payload, done) => done(null, payload));

  app.get('/log/export', async (_request, reply) => {
    const { lastSeq, lines } = await admin.exportLog();
    return reply.header('content-type', NdjsonType).header('x-everynode-last-seq', String(lastSeq)).send(Readable.from(lines));
  });

  app.post('/log/import', async (request, reply) => {
    if (!(request.body instanceof Readable)) throw new StatusError(failure(415, `send the export as ${NdjsonType}`));
    try {
      return reply.code(201).send(await admin.importLog(request.body));
    } catch (error) {
      if (error instanceof ImportRefused) throw new StatusError(failure(409, error.message));
      if (error instanceof LogFormatError) throw new StatusError(failure(400, error.message));
      throw error;
    }
  });
}
