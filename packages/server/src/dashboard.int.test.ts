/**
 * The dashboard's files served at `/` beside the API, against a real engine:
 * served without a token while every API path still asks for one, under the
 * page's own Content-Security-Policy, each file a route (a path neither the
 * files nor the API serve is still the API's 404 Status, and no path climbs
 * out of the directory); and bull-board's queue pages at `/queues`, reached
 * with the token kept in their cookie, a retry taking `write`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';
import type { Token } from './auth-tokens.ts';
import { dashboardContentSecurityPolicy, findDashboard, isDashboardPath } from './dashboard.ts';
import { queueBoardContentSecurityPolicy } from './queue-board.ts';
import { isQueueBoardRetry, queueBoardToken } from './queue-board-paths.ts';
import { buildServer } from './server.ts';

const tokens: Token[] = [
  { token: 'read-token-0123456789', name: 'alice', permission: 'read' },
  { token: 'write-token-0123456789', name: 'bob', permission: 'write' },
];
const files = mkdtempSync(join(tmpdir(), 'everynode-dashboard-'));
let engine: Engine;
let app: FastifyInstance;
let bare: FastifyInstance;

beforeAll(async () => {
  mkdirSync(join(files, 'assets'));
  writeFileSync(join(files, 'index.html'), '<!doctype html><title>everynode</title><script type="module" src="./assets/app-1234.js"></script>');
  writeFileSync(join(files, 'assets', 'app-1234.js'), 'console.log("dashboard")');
  engine = await testEngine('dashboard');
  app = buildServer({ ...engine, auth: { tokens }, dashboard: { root: files }, bullQueues: engine.bullQueues });
  bare = buildServer({ ...engine, auth: { tokens } });
  await Promise.all([app.ready(), bare.ready()]);
});
afterAll(async () => {
  await Promise.all([app.close(), bare.close()]);
  await engine.close();
  await destroyPrefix(engine.prefix);
  rmSync(files, { recursive: true, force: true });
});

describe('the dashboard at /', () => {
  it('serves its page and assets without a token, under its own policy', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>everynode</title>');
    expect(page.headers['content-security-policy']).toBe(dashboardContentSecurityPolicy);
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBe(dashboardContentSecurityPolicy);
  });

  it('leaves the API as it was: a token asked for, the API policy, a 404 Status for what neither serves', async () => {
    const nodes = await app.inject({ method: 'GET', url: '/api/v1/nodes' });
    expect(nodes.statusCode).toBe(401);
    expect(nodes.headers['content-security-policy']).toContain("default-src 'none'");
    const read = await app.inject({ method: 'GET', url: '/api/v1/nodes', headers: { authorization: `Bearer ${tokens[0]?.token}` } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-security-policy']).toContain("default-src 'none'");
    const missing = await app.inject({ method: 'GET', url: '/assets/nothing.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', code: 404 });
    for (const url of ['/assets/..%2f..%2fpackage.json', '/assets/../index.html/x', '/..%2f..%2fetc%2fpasswd']) {
      const climb = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[0]?.token}` } });
      expect(climb.statusCode, url).toBe(404);
    }
    // Only reads of the files are open: a write to `/` is no one's without a token.
    expect((await app.inject({ method: 'POST', url: '/', payload: {} })).statusCode).toBe(401);
  });

  it('is not served, nor open, unless configured', async () => {
    expect((await bare.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
    expect((await bare.inject({ method: 'GET', url: '/assets/app-1234.js' })).statusCode).toBe(401);
  });

  it('names its files: the index and the assets, nothing deeper', () => {
    expect(['/', '/index.html', '/assets/index-abc.js'].map(isDashboardPath)).toEqual([true, true, true]);
    expect(['/log', '/assets/a/b.js', '/api/v1/nodes', '/assets/'].map(isDashboardPath)).toEqual([false, false, false, false]);
  });

  it('is found beside a built program, else in the dashboard package', () => {
    expect(findDashboard(join(files, '..', 'nowhere'))?.root).toMatch(/packages\/dashboard\/dist$/);
    const program = mkdtempSync(join(tmpdir(), 'everynode-program-'));
    mkdirSync(join(program, 'dashboard'));
    writeFileSync(join(program, 'dashboard', 'index.html'), '');
    expect(findDashboard(program)?.root).toBe(join(program, 'dashboard'));
    rmSync(program, { recursive: true, force: true });
  });
});

describe('the queue pages at /queues (bull-board)', () => {
  const [reader, writer] = tokens.map((t) => t.token) as [string, string];

  /** The cookie `POST /queues/session` sets for `token`. */
  async function cookieFor(token: string): Promise<string> {
    const session = await app.inject({ method: 'POST', url: '/queues/session', headers: { authorization: `Bearer ${token}` } });
    expect(session.statusCode).toBe(204);
    const setCookie = String(session.headers['set-cookie']);
    expect(setCookie).toMatch(/; Path=\/queues; HttpOnly; SameSite=Strict$/);
    return setCookie.split(';')[0] as string;
  }

  it('asks for a token, then serves the page and the queues with the one kept in its cookie', async () => {
    expect((await app.inject({ method: 'GET', url: '/queues' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/queues/session' })).statusCode).toBe(401);
    const cookie = await cookieFor(reader);
    const page = await app.inject({ method: 'GET', url: '/queues', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('__UI_CONFIG__');
    expect(page.headers['content-security-policy']).toBe(queueBoardContentSecurityPolicy);
    const queues = await app.inject({ method: 'GET', url: '/queues/api/queues', headers: { cookie } });
    expect(queues.statusCode).toBe(200);
    const names = (queues.json() as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['commands', 'dead-letter', 'events', 'reconcile']);
  });

  it('takes write for a retry and admin for the rest; the cookie opens nothing outside /queues', async () => {
    const readCookie = await cookieFor(reader);
    const writeCookie = await cookieFor(writer);
    const retry = { method: 'PUT' as const, url: '/queues/api/queues/events/retry/failed' };
    const refused = await app.inject({ ...retry, headers: { cookie: readCookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('User "alice" cannot put path "/queues/api/queues/events/retry/failed"');
    expect((await app.inject({ ...retry, headers: { cookie: writeCookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/queues/api/queues/events/pause', headers: { cookie: writeCookie } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/nodes', headers: { cookie: readCookie } })).statusCode).toBe(401);
  });

  it('reads the cookie and names the retries exactly', () => {
    expect(queueBoardToken('a=1; everynode_queues=abc%3D; b=2')).toBe('abc=');
    expect(queueBoardToken('everynode_queues2=x')).toBeUndefined();
    expect(queueBoardToken(undefined)).toBeUndefined();
    expect(isQueueBoardRetry('PUT', '/queues/api/queues/events/retry/failed')).toBe(true);
    expect(isQueueBoardRetry('PUT', '/queues/api/queues/events/42/retry')).toBe(true);
    expect(isQueueBoardRetry('GET', '/queues/api/queues/events/42/retry')).toBe(false);
    expect(isQueueBoardRetry('PUT', '/queues/api/queues/events/clean/failed')).toBe(false);
    expect(isQueueBoardRetry('PUT', '/queues/api/queues/events/42/retry/x')).toBe(false);
  });

  it('is not served without the dashboard', async () => {
    const other = buildServer({ ...engine, bullQueues: engine.bullQueues });
    expect((await other.inject({ method: 'GET', url: '/queues/api/queues' })).statusCode).toBe(404);
    await other.close();
  });
});
