/**
 * A real HTTP peer for CLI tests: a `node:http` server on a free port that
 * answers each `METHOD /path` from a handler and records what it was sent.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface CannedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  /** The body parsed as JSON (undefined when empty). */
  readonly body: unknown;
}

export interface CannedAnswer {
  readonly status: number;
  readonly body?: unknown;
}

export type Handler = (request: CannedRequest) => CannedAnswer;

export interface CannedServer {
  readonly url: string;
  readonly requests: CannedRequest[];
  close(): Promise<void>;
}

/** Serve `routes` (keyed `GET /api/v1/nodes`); anything else is a 404 Status. */
export async function startCannedServer(routes: Readonly<Record<string, Handler>>): Promise<CannedServer> {
  const requests: CannedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://test');
      const request = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);
      const handler = routes[`${request.method} ${request.path}`];
      const answer = handler ? handler(request) : notFound('unrouted', request.path);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Kubernetes' 404 `Status` for `kind "name"`. */
export function notFound(kind: string, name: string): CannedAnswer {
  return {
    status: 404,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${kind} "${name}" not found`, reason: 'NotFound', code: 404 },
  };
}

/** A 200 list answer. */
export function list(kind: string, items: unknown[]): CannedAnswer {
  return { status: 200, body: { apiVersion: kind === 'DaemonSetList' ? 'apps/v1' : 'v1', kind, metadata: { resourceVersion: '1' }, items } };
}

/**
 * For a test file: `serve(routes)` starts a canned server that the file's
 * `afterEach` closes; `current` is the one running.
 */
export function cannedServerPerTest(): { serve(routes: Readonly<Record<string, Handler>>): Promise<CannedServer>; readonly current: CannedServer | undefined } {
  let server: CannedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    async serve(routes) {
      server = await startCannedServer(routes);
      return server;
    },
    get current() {
      return server;
    },
  };
}
