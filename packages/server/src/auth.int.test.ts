/**
 * Authentication and authorization over real HTTP, against a real engine on
 * a fresh prefix of the real Redis: bearer tokens with read, write and admin
 * permissions (401 and 403 worded as kube-apiserver words them), the public
 * probes, who did what recorded in the log, the Host and Origin checks, the
 * rate limit, helmet's headers, tokens kept out of the request log, TLS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EverynodeClient } from '@everynode/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';
import { rawRequest, selfSigned } from '../../../test/support/tls.ts';
import type { AuthOptions } from './auth.ts';
import { parseTokens, type Token, TokensError, tokensFromEnv } from './auth-tokens.ts';
import type { ServerDeps } from './deps.ts';
import { buildServer } from './server.ts';

const tokens: Token[] = [
  { token: 'read-token-0123456789', name: 'alice', permission: 'read' },
  { token: 'write-token-0123456789', name: 'bob', permission: 'write' },
  { token: 'admin-token-0123456789', name: 'root', permission: 'admin' },
];
const [reader, writer, admin] = tokens.map((t) => t.token) as [string, string, string];

let engine: Engine;
const servers: FastifyInstance[] = [];

beforeAll(async () => {
  engine = await testEngine('auth');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await engine.close();
  await destroyPrefix(engine.prefix);
});

/** A server on a free loopback port; its base URL. */
async function serve(auth: AuthOptions | undefined, extra: Partial<ServerDeps> = {}): Promise<string> {
  const app = buildServer({ ...engine, ...(auth ? { auth } : {}), ...extra });
  servers.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

function call(base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  return rawRequest(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/cloudevents+json' : 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const daemonSet = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

/** The log's events, with who made them. */
async function loggedEvents(base: string): Promise<{ id: string; type: string; everynodeuser?: string; everynodemanager?: string; data: { metadata: { name: string } } }[]> {
  const answer = await call(base, 'GET', '/log?limit=10000', admin);
  expect(answer.status, answer.body).toBe(200);
  return (answer.json as { items: { kind: string; event?: never }[] }).items.flatMap((e) => (e.kind === 'event' ? [e.event as never] : []));
}

describe('without a token', () => {
  it('every write, read and admin path is 401 Unauthorized with WWW-Authenticate: Bearer; the probes and /version are public', async () => {
    const base = await serve({ tokens });
    const refused = [
      await call(base, 'POST', '/events', undefined, JSON.stringify(cloudEvent('io.everynode.node.joined', node('ghost')))),
      await call(base, 'PUT', '/apis/apps/v1/namespaces/kube-system/daemonsets/x', undefined, daemonSet('x')),
      await call(base, 'DELETE', '/api/v1/nodes/x'),
      await call(base, 'GET', '/log/export'),
      await call(base, 'GET', '/api/v1/nodes'),
      await call(base, 'GET', '/apis'),
      await call(base, 'GET', '/metrics'),
      await call(base, 'GET', '/no/such/path'),
    ];
    for (const answer of refused) {
      expect(answer.status, answer.body).toBe(401);
      expect(answer.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="everynode"');
    }
    expect((await call(base, 'GET', '/api/v1/nodes/ghost', admin)).status).toBe(404);

    for (const path of ['/healthz', '/readyz', '/version']) expect((await call(base, 'GET', path)).status, path).toBe(200);
  });

  it('an unknown token, or credentials of another scheme, is 401 with error="invalid_token" — on public paths too', async () => {
    const base = await serve({ tokens });
    for (const authorization of ['Bearer not-a-known-token-at-all', `Bearer ${admin}x`, `Basic ${Buffer.from('root:pw').toString('base64')}`]) {
      for (const path of ['/api/v1/nodes', '/healthz']) {
        const answer = await call(base, 'GET', path, undefined, undefined, { authorization });
        expect(answer.status, `${authorization} ${path}`).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer realm="everynode", error="invalid_token"');
      }
    }
  });
});

describe('permissions', () => {
  it('read: every GET; a write or a delete is 403 in kube-apiserver\'s words', async () => {
    const base = await serve({ tokens });
    for (const path of ['/api/v1/nodes', '/apis/apps/v1/daemonsets', '/api/v1/namespaces/kube-system/pods', '/log', '/state', '/dlq', '/metrics', '/apis', '/openapi/v3', '/api/v1/nodes?watch=true&timeoutSeconds=1']) {
      const answer = await call(base, 'GET', path, reader);
      expect(answer.status, `${path}: ${answer.body.slice(0, 200)}`).not.toBeOneOf([401, 403]);
    }
    const update = await call(base, 'PUT', '/api/v1/nodes/n1', reader, node('n1'));
    expect(update.status).toBe(403);
    expect(update.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'nodes "n1" is forbidden: User "alice" cannot update resource "nodes" in API group "" at the cluster scope',
      reason: 'Forbidden',
      details: { name: 'n1', kind: 'nodes' },
      code: 403,
    });
    expect((await call(base, 'DELETE', '/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd', reader)).json).toMatchObject({
      message: 'daemonsets.apps "fluentd" is forbidden: User "alice" cannot delete resource "daemonsets" in API group "apps" in the namespace "kube-system"',
      details: { name: 'fluentd', group: 'apps', kind: 'daemonsets' },
    });
    expect((await call(base, 'POST', '/apis/apps/v1/namespaces/kube-system/daemonsets', reader, daemonSet('x'))).json).toMatchObject({
      message: 'daemonsets.apps is forbidden: User "alice" cannot create resource "daemonsets" in API group "apps" in the namespace "kube-system"',
    });
    expect((await call(base, 'GET', '/log/export', reader)).json).toMatchObject({ code: 403, message: 'forbidden: User "alice" cannot get path "/log/export"' });
    // Spelled otherwise, it is judged as the path it is routed to.
    for (const path of ['/log/%65xport', '//log/export', '/log/export/', '/log/export?x=1']) {
      expect((await call(base, 'GET', path, reader)).status, path).toBeOneOf([403, 404]);
    }
    expect((await call(base, 'POST', '/events', reader, JSON.stringify(cloudEvent('io.everynode.node.joined', node('n1'))))).json).toMatchObject({
      code: 403,
      message: 'forbidden: User "alice" cannot post path "/events"',
    });
    expect((await call(base, 'GET', '/api/v1/nodes/n1', admin)).status).toBe(404);
  });

  it('write: events, resource writes and a dead letter\'s replay; deletes, import, export and the dead-letter queue\'s drop are admin\'s', async () => {
    const base = await serve({ tokens });
    expect((await call(base, 'POST', '/events', writer, JSON.stringify(cloudEvent('io.everynode.node.joined', node('w1'))))).status).toBe(202);
    expect((await call(base, 'PUT', '/api/v1/nodes/w2', writer, node('w2'))).status).toBe(201);
    const patched = await rawRequest(`${base}/api/v1/nodes/w2`, { method: 'PATCH', headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/merge-patch+json' }, body: '{"metadata":{"labels":{"disk":"ssd"}}}' });
    expect(patched.status, patched.body).toBe(200);
    expect((await call(base, 'PUT', '/apis/apps/v1/namespaces/kube-system/daemonsets/agent', writer, daemonSet('agent'))).status).toBe(201);
    expect((await call(base, 'DELETE', '/api/v1/nodes/w2', writer)).json).toMatchObject({
      code: 403,
      message: 'nodes "w2" is forbidden: User "bob" cannot delete resource "nodes" in API group "" at the cluster scope',
    });
    // A replay is a resubmitted event: past authorization, the queue says what it says of an id it does not hold.
    expect((await call(base, 'POST', '/dlq/some-id/replay', writer)).status).toBe(404);
    expect((await call(base, 'POST', '/dlq/some-id/replay', reader)).status).toBe(403);
    for (const [method, path] of [['GET', '/log/export'], ['POST', '/log/import'], ['DELETE', '/dlq/some-id']] as const) {
      expect((await call(base, method, path, writer)).json, `${method} ${path}`).toMatchObject({ code: 403, message: `forbidden: User "bob" cannot ${method.toLowerCase()} path "${path}"` });
    }
    expect((await call(base, 'DELETE', '/api/v1/nodes/w2', admin)).status).toBe(200);
    expect((await call(base, 'DELETE', '/apis/apps/v1/namespaces/kube-system/daemonsets/agent', admin)).status).toBe(200);
    // Past authorization: whatever the queue says of an id it does not hold (204 or 404), not 403.
    expect((await call(base, 'DELETE', '/dlq/some-id', admin)).status).toBeOneOf([204, 404]);
    const exported = await call(base, 'GET', '/log/export', admin);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('application/x-ndjson');
  });
});

describe('who did what', () => {
  it("records the token's name on every write's event as everynodeuser, next to the field manager; a client's own claim is replaced", async () => {
    const base = await serve({ tokens });
    await call(base, 'PUT', '/api/v1/nodes/u1?fieldManager=kubectl-edit', writer, node('u1'));
    const claimed = { ...cloudEvent('io.everynode.node.joined', node('u2')), everynodeuser: 'root' };
    expect((await call(base, 'POST', '/events', writer, JSON.stringify(claimed))).status).toBe(202);
    await call(base, 'DELETE', '/api/v1/nodes/u1', admin);
    const events = (await loggedEvents(base)).filter((e) => ['u1', 'u2'].includes(e.data.metadata.name));
    expect(events.map((e) => [e.type, e.data.metadata.name, e.everynodeuser, e.everynodemanager])).toEqual([
      ['io.everynode.node.joined', 'u1', 'bob', 'kubectl-edit'],
      ['io.everynode.node.joined', 'u2', 'bob', undefined],
      ['io.everynode.node.removed', 'u1', 'root', undefined],
    ]);
  });

  it('without authentication everyone may do everything, and no event claims a user', async () => {
    const base = await serve(undefined);
    const claimed = { ...cloudEvent('io.everynode.node.joined', node('open1')), everynodeuser: 'root' };
    expect((await call(base, 'POST', '/events', undefined, JSON.stringify(claimed))).status).toBe(202);
    expect((await call(base, 'DELETE', '/api/v1/nodes/open1')).status).toBe(200);
    const events = (await loggedEvents(base)).filter((e) => e.data.metadata.name === 'open1');
    expect(events).toHaveLength(2);
    for (const event of events) expect(event).not.toHaveProperty('everynodeuser');
  });
});

describe('Host and Origin (DNS rebinding, cross-site writes)', () => {
  it('on loopback, a Host that is not a loopback name or address is 403; 127.0.0.1:PORT, localhost and [::1] are served', async () => {
    const base = await serve({ tokens });
    const port = new URL(base).port;
    const evil = await call(base, 'GET', '/api/v1/nodes', admin, undefined, { host: 'evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.json).toMatchObject({ kind: 'Status', reason: 'Forbidden', message: expect.stringContaining('host "evil.example" is not served here') });
    expect((await call(base, 'GET', '/healthz', undefined, undefined, { host: `evil.example:${port}` })).status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `api.localhost:${port}`]) {
      expect((await call(base, 'GET', '/api/v1/nodes', admin, undefined, { host })).status, host).toBe(200);
    }
  });

  it('without authentication too; with allowed hosts, those are served and every other is refused', async () => {
    const open = await serve(undefined);
    expect((await call(open, 'GET', '/api/v1/nodes', undefined, undefined, { host: 'evil.example' })).status).toBe(403);
    const base = await serve({ tokens, allowedHosts: ['everynode.internal', '10.1.2.3'] });
    expect((await call(base, 'GET', '/api/v1/nodes', admin, undefined, { host: 'everynode.internal:7700' })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/nodes', admin, undefined, { host: '10.1.2.3' })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/nodes', admin, undefined, { host: 'evil.example' })).status).toBe(403);
  });

  it("a browser's write from another origin is 403; from the API's own origin it is served", async () => {
    const base = await serve({ tokens });
    const event = () => JSON.stringify(cloudEvent('io.everynode.node.joined', node('o1')));
    for (const origin of ['http://evil.example', 'null', 'http://localhost:3000']) {
      const answer = await call(base, 'POST', '/events', admin, event(), { origin });
      expect(answer.status, origin).toBe(403);
      expect(answer.json).toMatchObject({ message: `forbidden: a write from origin ${JSON.stringify(origin)} is not accepted: only this API's own origin and EVERYNODE_ALLOWED_HOSTS may write from a browser` });
    }
    expect((await call(base, 'POST', '/events', admin, event(), { origin: base })).status).toBe(202);
    expect((await call(base, 'GET', '/api/v1/nodes', admin, undefined, { origin: 'http://evil.example' })).status).toBe(200);
  });
});

describe('rate limit and headers', () => {
  it('past the limit a client gets 429 TooManyRequests with Retry-After; another token is counted apart', async () => {
    const base = await serve({ tokens, rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await call(base, 'GET', '/api/v1/nodes', reader)).status).toBe(200);
    const limited = await call(base, 'GET', '/api/v1/nodes', reader);
    expect(limited.status).toBe(429);
    const seconds = Number(limited.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(limited.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too many requests from user "alice": more than 3 in 60 s; retry after ${seconds} s`,
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: seconds },
      code: 429,
    });
    expect((await call(base, 'GET', '/api/v1/nodes', writer)).status).toBe(200);
    // Guesses are counted by address: the fourth unknown token is 429, not 401.
    for (let i = 0; i < 3; i++) expect((await call(base, 'GET', '/healthz', `guess-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await call(base, 'GET', '/healthz', 'guess-4-0123456789abcdef')).status).toBe(429);
  });

  it("answers carry helmet's headers, errors included", async () => {
    const base = await serve({ tokens });
    for (const answer of [await call(base, 'GET', '/api/v1/nodes', reader), await call(base, 'GET', '/healthz')]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });
});

describe('the request log', () => {
  it('never holds a token, whatever the serializers write', async () => {
    let output = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => void ((output += chunk.toString()), done()) });
    // A logger as an operator might configure it: every request's headers logged.
    const logger = pino({ level: 'info', serializers: { req: (req: { method: string; url: string; headers: unknown }) => ({ method: req.method, url: req.url, headers: req.headers }) } }, sink);
    const base = await serve({ tokens }, { logger });
    await call(base, 'GET', '/api/v1/nodes', admin);
    await call(base, 'GET', '/log/export', reader);
    await call(base, 'GET', '/api/v1/nodes', 'wrong-token-0123456789');
    expect(output).toContain('"authorization":"[redacted]"');
    expect(output).toContain('"msg":"forbidden"');
    for (const secret of [admin, reader, 'wrong-token-0123456789']) expect(output).not.toContain(secret);
  });
});

describe('TLS', () => {
  it('serves HTTPS with the configured certificate: a client that trusts it gets through, with its token', async () => {
    const cert = selfSigned();
    try {
      const base = await serve({ tokens }, { tls: { cert: cert.cert, key: cert.key } });
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await rawRequest(`${base}/api/v1/nodes`, { headers: { authorization: `Bearer ${reader}` }, ca: cert.cert })).status).toBe(200);
      await expect(rawRequest(`${base}/healthz`)).rejects.toThrow(/self-signed certificate/);
      const client = new EverynodeClient({ server: base, token: writer, ca: cert.cert });
      const { created } = await client.updateNode(node('tls1') as never);
      expect(created).toBe(true);
      await expect(new EverynodeClient({ server: base, ca: cert.cert }).listNodes()).rejects.toMatchObject({ status: 401, reason: 'Unauthorized' });
    } finally {
      cert.remove();
    }
  });
});

describe('tokens files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads CSV (token,name,permission) and YAML, and EVERYNODE_TOKEN as one admin token', () => {
    const csv = join(dir, 'tokens.csv');
    writeFileSync(csv, `# token,name,permission\n${reader},alice,read\n\n${writer}, bob , write\n`);
    const yaml = join(dir, 'tokens.yaml');
    writeFileSync(yaml, `tokens:\n  - { token: ${admin}, name: root, permission: admin }\n`);
    expect(tokensFromEnv({ EVERYNODE_TOKENS_FILE: csv, EVERYNODE_TOKEN: 'single-admin-token-0123' })).toEqual([
      tokens[0],
      tokens[1],
      { token: 'single-admin-token-0123', name: 'admin', permission: 'admin' },
    ]);
    expect(tokensFromEnv({ EVERYNODE_TOKENS_FILE: yaml })).toEqual([tokens[2]]);
    expect(tokensFromEnv({})).toEqual([]);
  });

  it('names each problem: the line, the field, why', () => {
    const problems = (text: string, source = 'tokens.csv') => {
      try {
        parseTokens(text, source);
      } catch (error) {
        if (error instanceof TokensError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problems(`short,alice,read\n${reader},alice,owner\n${reader},a,read,extra\n`)).toEqual([
      'tokens.csv line 1 token: must be at least 16 characters',
      'tokens.csv line 2 permission: must be read, write or admin',
      'tokens.csv line 3: expected token,name,permission',
    ]);
    expect(problems('tokens: [{ token: x, name: "a b", permission: read }]', 'tokens.yaml')).toEqual([
      'tokens.yaml tokens.0.token: must be at least 16 characters',
      'tokens.yaml tokens.0.name: must be letters, digits and ._@:+-',
    ]);
    expect(() => tokensFromEnv({ EVERYNODE_TOKEN: 'short' })).toThrow('EVERYNODE_TOKEN: must be at least 16 characters');
    expect(() => tokensFromEnv({ EVERYNODE_TOKENS_FILE: join(dir, 'missing.csv') })).toThrow(`EVERYNODE_TOKENS_FILE: cannot read ${join(dir, 'missing.csv')}: ENOENT`);
  });
});
