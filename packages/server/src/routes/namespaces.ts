/**
 * Namespaces exist implicitly in everynode (any namespace may hold
 * DaemonSets), so every one is reported Active. kubectl asks for the
 * namespace after a 404 on an object in it; without this answer it prints
 * "the server could not find the requested resource" instead of
 * `daemonsets.apps "x" not found`.
 */
import type { Namespace } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import { NamespaceParams, parseRequest } from '../request.ts';

/** Register `GET /api/v1/namespaces/:ns` on `app`. */
export function namespaceRoutes(app: FastifyInstance): void {
  app.get('/api/v1/namespaces/:ns', (request): Promise<Namespace> => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return Promise.resolve({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Active' } });
  });
}
