/** `client.watch` against a real HTTP peer that streams watch events: resume, errors, ending. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, EverynodeClient } from './index.ts';

const servers: Server[] = [];
afterEach(async () => {
  // undici keeps a spare connection after an aborted request: close it too.
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve) && s.closeAllConnections())));
});

/** A peer answering the i-th watch request with `streams[i]` (then holding the connection open, or ending it). */
async function peer(handle: (url: URL, res: ServerResponse, index: number) => void): Promise<{ client: EverynodeClient; urls: URL[]; closed: () => number }> {
  const urls: URL[] = [];
  let closed = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    urls.push(url);
    res.on('close', () => closed++);
    res.writeHead(200, { 'content-type': 'application/json' });
    handle(url, res, urls.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const client = new EverynodeClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5000 });
  return { client, urls, closed: () => closed };
}

const event = (type: string, name: string, rv: string) => `${JSON.stringify({ type, object: { kind: 'Pod', metadata: { name, resourceVersion: rv } } })}\n`;
const bookmark = (rv: string) => `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: rv } } })}\n`;

describe('client.watch', () => {
  it('yields the events, and when a stream ends watches again from the last resourceVersion received, bookmarks included', async () => {
    const { client, urls } = await peer((_url, res, index) => {
      if (index === 0) res.end(event('ADDED', 'a', '5') + event('MODIFIED', 'a', '7'));
      else if (index === 1) res.end(bookmark('9'));
      else res.write(event('DELETED', 'a', '12'));
    });
    const seen: string[] = [];
    for await (const e of client.watch('pods', { namespace: 'ns', labelSelector: 'app=x', resourceVersion: '3' })) {
      seen.push(`${e.type} ${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`);
      if (e.type === 'DELETED') break;
    }
    expect(seen).toEqual(['ADDED a@5', 'MODIFIED a@7', 'BOOKMARK @9', 'DELETED a@12']);
    expect(urls.map((u) => u.pathname)).toEqual(['/api/v1/namespaces/ns/pods', '/api/v1/namespaces/ns/pods', '/api/v1/namespaces/ns/pods']);
    expect(urls.map((u) => u.searchParams.get('resourceVersion'))).toEqual(['3', '7', '9']);
    expect(urls.every((u) => u.searchParams.get('watch') === 'true' && u.searchParams.get('allowWatchBookmarks') === 'true' && u.searchParams.get('labelSelector') === 'app=x')).toBe(true);
  });

  it('a stream cut mid-line resumes from the last whole event', async () => {
    const { client, urls } = await peer((_url, res, index) => {
      if (index === 0) {
        res.write(`${event('ADDED', 'a', '5')}{"type":"ADDED","obj`);
        setTimeout(() => res.destroy(), 50);
      } else res.write(event('ADDED', 'b', '6'));
    });
    const seen: string[] = [];
    for await (const e of client.watch('nodes')) {
      seen.push(e.object.metadata.name);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(urls[1]?.searchParams.get('resourceVersion')).toBe('5');
  });

  it('an ERROR event ends the watch with its Status as an ApiError (410 Expired: list again)', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (40)', reason: 'Expired', code: 410 };
    const { client } = await peer((_url, res) => res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`));
    const error = await (async () => {
      for await (const _ of client.watch('daemonsets', { resourceVersion: '1' })) throw new Error('no event expected');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 410, reason: 'Expired', message: 'too old resource version: 1 (40)' });
  });

  it('with timeoutSeconds the watch ends with its stream; aborting the signal ends it and closes the request', async () => {
    const { client, urls, closed } = await peer((url, res) => {
      if (url.searchParams.get('timeoutSeconds') === '1') res.end(event('ADDED', 'a', '5'));
      else res.write(event('ADDED', 'b', '6'));
    });
    const once: string[] = [];
    for await (const e of client.watch('nodes', { timeoutSeconds: 1 })) once.push(e.object.metadata.name);
    expect(once).toEqual(['a']);
    expect(urls).toHaveLength(1);

    const stop = new AbortController();
    const names: string[] = [];
    for await (const e of client.watch('nodes', { signal: stop.signal })) {
      names.push(e.object.metadata.name);
      stop.abort();
    }
    expect(names).toEqual(['b']);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed()).toBe(2);
  });
});
