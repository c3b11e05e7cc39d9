/**
 * The OpenAPI documents kubectl fetches: `/openapi/v3` (the index) and one
 * document per group-version (`openapi.ts`), for `kubectl explain` from 1.27
 * on; and `/openapi/v2` (`openapi-v2.ts`), for explain before 1.27 and for
 * every kubectl's client-side validation of `apply` and `create`.
 *
 * `/openapi/v2` is negotiated as Kubernetes does (kube-openapi's handler):
 * JSON for `application/json` or `*\/*` (or no Accept), gnostic's protobuf
 * for the type kubectl asks for, `…spec.v2@v1.0+protobuf`, or its dotted
 * form; anything else is a 406. The protobuf answer's Content-Type is the
 * dotted form: Go's MIME parser refuses the `@`.
 */
import type { FastifyInstance } from 'fastify';
import Negotiator from 'negotiator';
import { openApiDocuments } from '../openapi.ts';
import { openApiV2 } from '../openapi-v2.ts';
import { failure, StatusError } from '../status.ts';

const openApiV2Protobuf = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** What `/openapi/v2` answers with, JSON first (what `*\/*` gets). */
const openApiV2Offered = ['application/json', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', openApiV2Protobuf];

/** Register `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version path>` on `app`. */
export function openApiRoutes(app: FastifyInstance): void {
  app.get('/openapi/v2', (request, reply) => {
    void reply.header('vary', 'Accept');
    const type = new Negotiator({ headers: { accept: request.headers.accept ?? '*/*' } }).mediaType(openApiV2Offered);
    if (type === undefined) throw new StatusError(failure(406, `only the following media types are accepted: ${openApiV2Offered.join(', ')}`));
    const document = openApiV2();
    if (type === 'application/json') return reply.type('application/json').send(document.json);
    return reply.type(openApiV2Protobuf).send(document.protobuf);
  });

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
