/**
 * The web dashboard (`packages/dashboard`, built into static files) served
 * at `/`: its index and its hashed assets, each file a route of its own
 * (no catch-all), so every other path is still the API's — and a path
 * neither serves is still the API's 404 Status.
 *
 * The files hold code, never data: they are served without a token, as the
 * probes are; everything the page shows it reads from the API with the
 * token it is given (`/#token=…`), under that token's permission. They get
 * a Content-Security-Policy of their own — scripts, styles and connections
 * from this origin only, nothing inline, no framing — in place of the API's
 * `default-src 'none'`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the dashboard's built files are. */
export interface DashboardOptions {
  /** The directory holding `index.html` and `assets/` (`packages/dashboard/dist`, or `dashboard/` beside a built program). */
  readonly root: string;
}

/** The page's policy: its own origin for everything it loads or calls; no inline code, no plugins, no framing. */
export const dashboardContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard's files where a program finds them: `dashboard/` beside the
 * built program (`scripts/build.mjs` copies them there), else the dashboard
 * package's `dist/` in this repository (running from source); undefined
 * when neither holds an `index.html` (the dashboard was not built).
 */
export function findDashboard(beside: string | URL = new URL('.', import.meta.url)): DashboardOptions | undefined {
  const here = typeof beside === 'string' ? beside : fileURLToPath(beside);
  const candidates = [join(here, 'dashboard'), fileURLToPath(new URL('../../dashboard/dist', import.meta.url))];
  const root = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  return root === undefined ? undefined : { root };
}

/** Whether `path` is one of the dashboard's files (served without a token): `/`, `/index.html`, `/assets/…`. */
export function isDashboardPath(path: string): boolean {
  return path === '/' || path === '/index.html' || /^\/assets\/[^/]+$/.test(path);
}

/** Serve `options.root` at `/` on `app` (in a scope of its own: its policy header applies to its files only). */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', dashboardContentSecurityPolicy);
      return payload;
    });
    await scope.register(fastifyStatic, {
      root: options.root,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // The assets' names carry their content's hash: they never change. The index names them, so it is always asked again.
      setHeaders: (reply, path) => {
        void reply.header('cache-control', path.includes(`${join('/', 'assets')}/`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
}
