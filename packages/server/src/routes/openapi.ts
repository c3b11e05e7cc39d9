/**
 * The OpenAPI documents kubectl fetches: `/openapi/v3` (the index) and one
 * document per group-version (`openapi.ts`), for `kubectl explain`; and
 * `/openapi/v2`, which kubectl's client-side validation (`apply`, `create`)
 * must be able to download or it refuses to run without `--validate=false`.
 *
 * `/openapi/v2` is an empty protobuf message: a valid `openapi_v2.Document`
 * with no definitions, so kubectl finds no model for a kind and skips its
 * client-side checks (the server still validates every write). kubectl
 * only reads v2 as protobuf: a JSON (Swagger 2.0) answer, tried with
 * kubectl 1.32, fails `apply` ("failed to download openapi"), so none is
 * served. The Content-Type must be spelled `…spec.v2.v1.0+protobuf`: Go's
 * MIME parser refuses the `@v1.0` form kubectl sends in Accept.
 */
import type { FastifyInstance } from 'fastify';
import { openApiDocuments } from '../openapi.ts';
import { failure, StatusError } from '../status.ts';

const openApiV2Protobuf = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Register `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version path>` on `app`. */
export function openApiRoutes(app: FastifyInstance): void {
  app.get('/openapi/v2', (_request, reply) => reply.type(openApiV2Protobuf).send(Buffer.alloc(0)));

  app.get('/openapi/v3', () =>
    Promise.resolve({
      paths: Object.fromEntries([...openApiDocuments()].map(([path, { hash }]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` }])),
    }),
  );

  app.get('/openapi/v3/*', (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const document = openApiDocuments().get(path);
    if (!document) throw new StatusError(failure(404, `no OpenAPI document for ${JSON.stringify(path)}`));
    return reply.type('application/json').send(document.body);
  });
}
