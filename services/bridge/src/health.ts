/**
 * The bridge process's probes, on node:http: `GET /healthz` answers `ok`
 * while the process serves; `GET /readyz` answers as the HTTP API's does
 * (`ok`, or a 503 naming each failed check: the engine's Redis, then each
 * bridge that is not connected; `?verbose` lists them all).
 */
import { createServer, type Server } from 'node:http';
import { readinessAnswer, type ReadinessCheck } from '@everynode/api';

/**
 * A probe's request is a few bytes and its answer a few more: a client
 * slower than this (headers, whole request, silence mid-request) is cut off.
 */
const probeTimeoutMs = 10_000;

/** Listen on `port` (all interfaces unless `host`: a probe comes from outside the pod); resolves once listening. */
export async function startHealthServer(port: number, checks: () => Promise<readonly ReadinessCheck[]>, host = '0.0.0.0'): Promise<Server> {
  // Node's keep-alive limit (5 s) stays as it is.
  const limits = { headersTimeout: probeTimeoutMs, requestTimeout: probeTimeoutMs, connectionsCheckingInterval: 1000 };
  const server = createServer(limits, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://probe');
    const send = (status: number, body: string) => response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    if (request.method !== 'GET') send(405, 'method not allowed');
    else if (url.pathname === '/healthz') send(200, 'ok');
    else if (url.pathname === '/readyz') {
      checks().then(
        (all) => {
          const answer = readinessAnswer(all, url.searchParams.has('verbose'));
          send(answer.status, answer.body);
        },
        () => send(503, 'readyz check failed\n'),
      );
    } else send(404, 'not found');
  });
  server.setTimeout(probeTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
