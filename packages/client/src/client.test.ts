import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, EverynodeClient, UnreachableError } from './index.ts';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A real HTTP peer answering from `handle`; records every request. */
async function serve(handle: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body };
      seen.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const notFound = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'daemonsets.apps "x" not found',
  reason: 'NotFound',
  details: { name: 'x', group: 'apps', kind: 'daemonsets' },
  code: 404,
};

describe('EverynodeClient', () => {
  it('lists DaemonSets of one namespace with a label selector', async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { apiVersion: 'apps/v1', kind: 'DaemonSetList', metadata: { resourceVersion: '7' }, items: [] }));
    const list = await new EverynodeClient({ server: `${url}/` }).listDaemonSets({ namespace: 'kube-system', labelSelector: 'app=x' });
    expect(list.kind).toBe('DaemonSetList');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/apis/apps/v1/namespaces/kube-system/daemonsets?labelSelector=app%3Dx' });
  });

  it('turns a Status answer into an ApiError with its reason', async () => {
    const { url } = await serve((_req, res) => json(res, 404, notFound));
    const error = await new EverynodeClient({ server: url }).getDaemonSet('default', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, reason: 'NotFound', message: 'daemonsets.apps "x" not found' });
  });

  it('says kubectl-style what an error without a Status was', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const error = await new EverynodeClient({ server: url }).listNodes().catch((e: unknown) => e);
    expect((error as ApiError).message).toBe('the server responded with the status code 500 but did not return more information');
  });

  it('reports whether a PUT created (201) or updated (200)', async () => {
    let status = 201;
    const { url, seen } = await serve((req, res) => json(res, status, JSON.parse(req.body)));
    const client = new EverynodeClient({ server: url });
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a', namespace: 'ns' }, spec: { template: { spec: {} } } } as const;
    expect((await client.applyDaemonSet(ds)).created).toBe(true);
    status = 200;
    expect((await client.applyDaemonSet(ds)).created).toBe(false);
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/apis/apps/v1/namespaces/ns/daemonsets/a', contentType: 'application/json' });
  });

  it('posts event batches in batch mode and reads a 400 with refusals as a result', async () => {
    const refusedAll = { accepted: [], refused: [{ index: 0, id: 'e1', reason: 'type: Invalid input' }] };
    const { url, seen } = await serve((_req, res) => json(res, 400, refusedAll));
    const result = await new EverynodeClient({ server: url }).submitEvents([{ id: 'e1' }]);
    expect(result).toEqual(refusedAll);
    expect(seen[0]?.contentType).toBe('application/cloudevents-batch+json');
  });

  it('reads the log and the verification', async () => {
    const { url, seen } = await serve((req, res) =>
      req.url.startsWith('/log') ? json(res, 200, { items: [] }) : json(res, 200, { consistent: true, differences: [], seq: 12 }),
    );
    const client = new EverynodeClient({ server: url });
    expect(await client.readLog({ after: 5, limit: 10 })).toEqual([]);
    expect(await client.verify()).toEqual({ consistent: true, differences: [], seq: 12 });
    expect(seen[0]?.url).toBe('/log?after=5&limit=10');
  });

  it('lists Events with a field selector, in a namespace or in all', async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { apiVersion: 'v1', kind: 'EventList', metadata: { resourceVersion: '' }, items: [] }));
    const client = new EverynodeClient({ server: url });
    expect((await client.listEvents({ namespace: 'kube-system', fieldSelector: 'involvedObject.name=fluentd' })).kind).toBe('EventList');
    await client.listEvents();
    expect(seen.map((r) => r.url)).toEqual(['/api/v1/namespaces/kube-system/events?fieldSelector=involvedObject.name%3Dfluentd', '/api/v1/events']);
  });

  it('reads a pod explanation, and a 404 as NotFound', async () => {
    const explanation = { pod: { namespace: 'ns', name: 'p' }, entries: [{ seq: 3, at: '2026-11-28T12:00:00Z', kind: 'pass', summary: 'reconcile' }] };
    const { url, seen } = await serve((req, res) =>
      req.url.includes('/p/') ? json(res, 200, explanation) : json(res, 404, { ...notFound, message: 'pods "q" not found' }),
    );
    const client = new EverynodeClient({ server: url });
    expect(await client.explainPod('ns', 'p')).toEqual(explanation);
    expect(seen[0]?.url).toBe('/api/v1/namespaces/ns/pods/p/explain');
    expect(await client.explainPod('ns', 'q').catch((e: unknown) => e)).toMatchObject({ reason: 'NotFound', message: 'pods "q" not found' });
  });

  it('names the URL and how to start a server when nothing listens', async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const error = await new EverynodeClient({ server: url }).listNodes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toBe(`cannot reach everynode at ${url} (connect ECONNREFUSED): start one with \`everynode up\``);
  });
});
