/**
 * Watch over real HTTP (the server listening on a port, read as a stream)
 * against a real engine on a fresh prefix of the real Redis: the present
 * as ADDED then the changes; a resume from a resourceVersion gives exactly
 * the changes after it; a selector that stops matching is DELETED; 410
 * Expired behind the log's horizon; bookmarks; timeoutSeconds; Tables; a
 * client going away and the server closing leave nothing behind.
 */
import type { History } from '@everynode/engine';
import { takeSnapshot, trimLog } from '@everynode/eventlog';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../test/support/cluster.ts';
import { destroyPrefix, eventually, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: {
    kind: string;
    apiVersion?: string;
    metadata: Meta;
    code?: number;
    reason?: string;
    message?: string;
    columnDefinitions?: { name: string }[];
    rows?: { cells: unknown[]; object?: { kind: string; metadata: Meta } }[];
  };
}

/** A watch read as the client reads it: JSON lines off a chunked response. */
class Watch {
  readonly events: WatchEvent[] = [];
  ended = false;
  readonly #controller = new AbortController();
  #notify: () => void = () => undefined;

  private constructor(readonly response: Response) {}

  static async open(url: string, accept?: string): Promise<Watch> {
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal, headers: accept ? { accept } : {} });
    const watch = new Watch(response);
    watch.#controller.signal.addEventListener('abort', () => controller.abort());
    void watch.#pump();
    return watch;
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          this.events.push(JSON.parse(buffered.slice(0, newline)) as WatchEvent);
          buffered = buffered.slice(newline + 1);
        }
        this.#notify();
      }
    } catch {
      // aborted by the test
    }
    this.ended = true;
    this.#notify();
  }

  /** Wait until `events` satisfies `done`. */
  async until(done: (events: WatchEvent[]) => boolean, timeoutMs = 10_000, what = 'events'): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.events)) {
      if (this.ended) throw new Error(`stream ended before ${what}: ${JSON.stringify(this.events.map(brief))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.events.map(brief))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events;
  }

  /** Wait for the server to end the stream. */
  async end(timeoutMs = 10_000): Promise<void> {
    await eventually(async () => this.ended, timeoutMs, 'the stream to end');
  }

  close(): void {
    this.#controller.abort();
  }
}

/** `TYPE name@rv`, to compare streams at a glance. */
const brief = (e: WatchEvent) => `${e.type} ${e.object.metadata?.name ?? ''}@${e.object.metadata?.resourceVersion ?? ''}`;
const rvs = (events: WatchEvent[]) => events.map((e) => Number(e.object.metadata.resourceVersion));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let engine: Engine;
let app: FastifyInstance;
let base: string;
/** Waits on the log the server has under way: the engine's, counted. */
let waiting = 0;

function node(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

async function write(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<void> {
  const headers = method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : undefined;
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), ...(headers ? { headers } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
}

const join = (name: string, labels?: Record<string, string>) => write('POST', '/api/v1/nodes', node(name, labels));
const label = (name: string, labels: Record<string, string | null>) => write('PATCH', `/api/v1/nodes/${name}`, { metadata: { labels } });
const remove = (name: string) => write('DELETE', `/api/v1/nodes/${name}`);

async function listRv(url: string): Promise<number> {
  const res = await app.inject({ method: 'GET', url });
  return Number((res.json() as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
}

beforeAll(async () => {
  engine = await testEngine('watch');
  // The engine's own history port, its waits counted: what a watch leaves waiting is what it leaked.
  const history: History = {
    ...engine.history,
    waitForSeq(after, options) {
      waiting++;
      return engine.history.waitForSeq(after, options).finally(() => waiting--);
    },
  };
  app = buildServer({ ...engine, history, watch: { bookmarkEveryMs: 400 } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  await join('w1', { tier: 'a' });
  await join('w2', { tier: 'a' });
}, 30_000);

afterAll(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('watch from the present', () => {
  it('sends the present as ADDED, then each change, on a chunked application/json stream', async () => {
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true`);
    try {
      expect(watch.response.status).toBe(200);
      expect(watch.response.headers.get('content-type')).toBe('application/json');
      expect(watch.response.headers.get('transfer-encoding')).toBe('chunked');
      const initial = await watch.until((e) => e.length >= 2, 5000, 'the two nodes');
      expect(initial.map((e) => [e.type, e.object.kind, e.object.apiVersion, e.object.metadata.name]).sort()).toEqual([
        ['ADDED', 'Node', 'v1', 'w1'],
        ['ADDED', 'Node', 'v1', 'w2'],
      ]);
      const listed = await listRv('/api/v1/nodes');
      expect(Math.max(...rvs(initial))).toBeLessThanOrEqual(listed);

      await join('w3');
      await label('w1', { role: 'x' });
      await remove('w3');
      const events = await watch.until((e) => e.length >= 5, 5000, 'three changes');
      expect(events.slice(2).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w3', 'MODIFIED w1', 'DELETED w3']);
      // Each change carries its own seq, later than what the list said, in order.
      const after = rvs(events.slice(2));
      expect(after[0]).toBeGreaterThan(listed);
      expect(after).toEqual([...after].sort((a, b) => a - b));
      expect(events[3]?.object.metadata.labels).toMatchObject({ role: 'x' });
    } finally {
      watch.close();
    }
  });

  it('watches one namespace of DaemonSets: only that namespace', async () => {
    const ds = (ns: string) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { none: 'x' }, containers: [{ name: 'a', image: 'a:1' }] } } },
    });
    const watch = await Watch.open(`${base}/apis/apps/v1/namespaces/watch-a/daemonsets?watch=1`);
    try {
      await write('POST', '/apis/apps/v1/namespaces/watch-b/daemonsets', ds('watch-b'));
      await write('POST', '/apis/apps/v1/namespaces/watch-a/daemonsets', ds('watch-a'));
      const [first] = await watch.until((e) => e.length >= 1, 5000, 'the DaemonSet');
      expect(first).toMatchObject({ type: 'ADDED', object: { kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: { name: 'agent', namespace: 'watch-a' } } });
      await sleep(300);
      expect(watch.events.every((e) => e.object.metadata.namespace === 'watch-a')).toBe(true);
    } finally {
      watch.close();
    }
  });
});

describe('watch from a resourceVersion', () => {
  it('gives exactly the changes after it, in order — and from a later one, only those after that', async () => {
    await join('r1', { tier: 'a' });
    await join('r2', { tier: 'a' });
    const from = await listRv('/api/v1/nodes');
    await join('r3');
    await label('r1', { step: 'one' });
    await remove('r2');
    await label('r1', { step: 'two' });

    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${from}`);
    try {
      const events = await watch.until((e) => e.length >= 3, 5000, 'three changes');
      await sleep(300);
      // Coalesced: r1's two label changes are one MODIFIED carrying the last; r2 gone is DELETED as it was.
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED r3', 'DELETED r2', 'MODIFIED r1']);
      expect(events[2]?.object.metadata.labels).toMatchObject({ step: 'two' });
      expect(events[1]?.object.metadata.labels).toMatchObject({ tier: 'a' });
      // The DELETED carries the seq of the entry that removed r2.
      const removal = (await app.inject({ method: 'GET', url: '/log?type=node.removed&object=node/r2' })).json() as { items: { seq: number }[] };
      expect(events[1]?.object.metadata.resourceVersion).toBe(String(removal.items[0]?.seq));
      const seqs = rvs(events);
      expect(seqs.every((rv) => rv > from)).toBe(true);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

      // Resuming from the DELETED's resourceVersion: only what came after it.
      const later = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${seqs[1]}`);
      try {
        await later.until((e) => e.length >= 1, 5000, 'the last change');
        await sleep(300);
        expect(later.events.map(brief)).toEqual([`MODIFIED r1@${seqs[2]}`]);
      } finally {
        later.close();
      }
    } finally {
      watch.close();
    }
  });

  it('a resourceVersion the log has not reached waits for it, then answers 504 Timeout as an ERROR event', async () => {
    const last = await engine.history.lastSeq();
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${last + 1000}`);
    const [error] = await watch.until((e) => e.length >= 1, 8000, 'the error');
    expect(error).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 504, reason: 'Timeout', message: `Too large resource version: ${last + 1000}, current: ${last}` } });
    await watch.end();
  });
});

describe('selectors', () => {
  it('an object the labelSelector stops selecting is DELETED with its last selected state; selected again, ADDED', async () => {
    await join('s1', { tier: 'a' });
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&labelSelector=tier%3Da`);
    try {
      await watch.until((e) => e.some((x) => x.object.metadata.name === 's1'), 5000, 's1 ADDED');
      const before = watch.events.length;
      await label('s1', { tier: 'b' });
      const [deleted] = (await watch.until((e) => e.length > before, 5000, 's1 DELETED')).slice(before);
      expect(deleted?.type).toBe('DELETED');
      expect(deleted?.object.metadata).toMatchObject({ name: 's1', labels: { tier: 'a' } });
      const { metadata } = (await app.inject({ method: 'GET', url: '/api/v1/nodes/s1' })).json() as { metadata: Meta };
      expect(deleted?.object.metadata.resourceVersion).toBe(metadata.resourceVersion);
      await label('s1', { tier: 'a' });
      const [added] = (await watch.until((e) => e.length > before + 1, 5000, 's1 ADDED again')).slice(before + 1);
      expect(added).toMatchObject({ type: 'ADDED', object: { metadata: { name: 's1', labels: { tier: 'a' } } } });
    } finally {
      watch.close();
    }
  });

  it('a fieldSelector narrows the watch to one object (kubectl get NAME -w)', async () => {
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&fieldSelector=metadata.name%3Dw2`);
    try {
      await watch.until((e) => e.length >= 1, 5000, 'w2');
      await label('w1', { other: 'change' });
      await label('w2', { mine: 'change' });
      await watch.until((e) => e.length >= 2, 5000, 'w2 MODIFIED');
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w2', 'MODIFIED w2']);
    } finally {
      watch.close();
    }
  });

  it('bad parameters are a 400 naming the parameter, before any stream', async () => {
    for (const [query, named] of [
      ['watch=maybe', 'watch'],
      ['watch=true&resourceVersion=abc', 'resourceVersion'],
      ['watch=true&timeoutSeconds=-1', 'timeoutSeconds'],
      ['watch=true&allowWatchBookmarks=yes', 'allowWatchBookmarks'],
      ['watch=true&resourceVersionMatch=NotOlderThan', 'resourceVersionMatch'],
      ['watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan', 'allowWatchBookmarks'],
    ]) {
      const res = await fetch(`${base}/api/v1/nodes?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { message: string }).message, query).toContain(`"${named}"`);
    }
    const res = await fetch(`${base}/api/v1/pods?watch=true&fieldSelector=spec.color%3Dred`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'field label not supported: spec.color' });
  });
});

describe('bookmarks and timeouts', () => {
  it('with allowWatchBookmarks: a BOOKMARK at the start and after each quiet spell, carrying only the resourceVersion; none without', async () => {
    const last = await engine.history.lastSeq();
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${last}&allowWatchBookmarks=true`);
    const plain = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${last}`);
    try {
      const [first] = await watch.until((e) => e.length >= 1, 2000, 'the first bookmark');
      expect(first).toEqual({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Node', metadata: { resourceVersion: String(last) } } });
      await watch.until((e) => e.length >= 3, 3000, 'two more bookmarks after quiet');
      await join('b1');
      const events = await watch.until((e) => e.some((x) => x.type === 'ADDED'), 5000, 'b1');
      const added = events.find((e) => e.type === 'ADDED');
      await watch.until((e) => e.at(-1)?.type === 'BOOKMARK' && e.indexOf(added as WatchEvent) < e.length - 1, 3000, 'a bookmark after b1');
      // A later bookmark is at least the change it follows: resuming there misses nothing.
      expect(Number(watch.events.at(-1)?.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(added?.object.metadata.resourceVersion));
      await plain.until((e) => e.length >= 1, 5000, 'b1 on the plain watch');
      expect(plain.events.map((e) => e.type)).toEqual(['ADDED']);
    } finally {
      watch.close();
      plain.close();
    }
  });

  it('sendInitialEvents: the present as ADDED, then a BOOKMARK annotated k8s.io/initial-events-end', async () => {
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    try {
      const events = await watch.until((e) => e.some((x) => x.type === 'BOOKMARK'), 5000, 'the end bookmark');
      const end = events.findIndex((e) => e.type === 'BOOKMARK');
      const nodes = ((await app.inject({ method: 'GET', url: '/api/v1/nodes' })).json() as { items: unknown[] }).items;
      expect(events.slice(0, end).every((e) => e.type === 'ADDED')).toBe(true);
      expect(end).toBe(nodes.length);
      expect(events[end]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    } finally {
      watch.close();
    }
  });

  it('timeoutSeconds ends the stream cleanly after that long', async () => {
    const started = Date.now();
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&timeoutSeconds=1`);
    await watch.end(5000);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3000);
    expect(watch.events.every((e) => e.type === 'ADDED')).toBe(true);
  });
});

describe('Tables', () => {
  it("kubectl's Accept gets each event's object as a one-row Table, column definitions in the first only", async () => {
    const last = await listRv('/api/v1/nodes');
    const watch = await Watch.open(`${base}/api/v1/nodes?watch=true&resourceVersion=${last}`, tableAccept);
    try {
      await join('t1');
      await label('t1', { t: 'x' });
      const [added, modified] = await watch.until((e) => e.length >= 2, 5000, 'two events');
      expect(watch.response.headers.get('content-type')).toBe('application/json');
      expect(added).toMatchObject({ type: 'ADDED', object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1' } });
      expect(added?.object.columnDefinitions?.map((c) => c.name)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
      expect(added?.object.rows).toHaveLength(1);
      expect(added?.object.rows?.[0]?.cells.slice(0, 3)).toEqual(['t1', 'Ready', '<none>']);
      expect(added?.object.rows?.[0]?.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 't1' } });
      expect(added?.object.metadata.resourceVersion).toBe(added?.object.rows?.[0]?.object?.metadata.resourceVersion);
      expect(modified?.type).toBe('MODIFIED');
      expect(modified?.object.columnDefinitions).toBeUndefined();
      expect(modified?.object.rows?.[0]?.object?.metadata.labels).toMatchObject({ t: 'x' });
    } finally {
      watch.close();
    }
  });
});

describe('410 Expired behind the horizon', () => {
  it('a resourceVersion older than the log horizon is an ERROR event with a 410 Expired Status; the horizon itself resumes', async () => {
    const other = await testEngine('watch-horizon', { workers: true });
    const server = buildServer(other);
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (const name of ['h1', 'h2', 'h3']) {
        const res = await server.inject({ method: 'POST', url: '/api/v1/nodes', payload: node(name) });
        expect(res.statusCode, res.body).toBe(201);
      }
      await takeSnapshot(other.store);
      const horizon = await trimLog(other.store);
      expect(horizon).toBeGreaterThan(1);
      expect(await other.history.logHorizon()).toBe(horizon);
      const res = await server.inject({ method: 'POST', url: '/api/v1/nodes', payload: node('h4') });
      expect(res.statusCode, res.body).toBe(201);

      const expired = await Watch.open(`${url}/api/v1/nodes?watch=true&resourceVersion=1`);
      const [error] = await expired.until((e) => e.length >= 1, 5000, 'the error');
      expect(expired.response.status).toBe(200);
      expect(error).toEqual({
        type: 'ERROR',
        object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: 1 (${horizon})`, reason: 'Expired', code: 410 },
      });
      await expired.end();
      expect(expired.events).toHaveLength(1);

      const resumed = await Watch.open(`${url}/api/v1/nodes?watch=true&resourceVersion=${horizon}`);
      try {
        await resumed.until((e) => e.length >= 1, 5000, 'h4');
        expect(resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED h4']);
      } finally {
        resumed.close();
      }
    } finally {
      await server.close();
      await other.close();
      await destroyPrefix(other.prefix);
    }
  });
});

describe('ending', () => {
  it('a client going away leaves no wait on the log behind', async () => {
    await eventually(async () => waiting === 0, 3000, 'earlier watches to end');
    const watches = await Promise.all([1, 2, 3].map(() => Watch.open(`${base}/api/v1/nodes?watch=true&allowWatchBookmarks=true`)));
    await Promise.all(watches.map((w) => w.until((e) => e.length >= 1)));
    await eventually(async () => waiting === 3, 3000, 'three watches waiting');
    for (const w of watches) w.close();
    await eventually(async () => waiting === 0, 3000, 'no watch waiting');
  });

  it('the server closing ends every watch: close does not hang', async () => {
    const server = buildServer(engine);
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const watches = await Promise.all([Watch.open(`${url}/api/v1/nodes?watch=true`), Watch.open(`${url}/api/v1/pods?watch=true`)]);
    await watches[0]?.until((e) => e.length >= 1);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    for (const w of watches) await w.end(2000);
  });
});
