/**
 * The API process's protection, as its environment sets it: on a
 * non-loopback HOST without tokens it refuses to start with one line (unless
 * `--insecure` / EVERYNODE_INSECURE=true); with a tokens file and a
 * certificate it serves HTTPS to token holders only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, redisUrl, uniquePrefix } from '../../../test/support/cluster.ts';
import { freePort } from '../../../test/support/random.ts';
import { rawRequest, selfSigned } from '../../../test/support/tls.ts';

const entry = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'everynode-api-service-'));
const children: ChildProcess[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(prefixes.map(destroyPrefix));
  rmSync(dir, { recursive: true, force: true });
});

/** The environment without any token or protection setting of the machine's own. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('EVERYNODE_') || key === 'HOST' || key === 'PORT') delete env[key];
  const prefix = uniquePrefix('api-service');
  prefixes.push(prefix);
  return { ...env, REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'warn', ...extra };
}

/** The API process with `env` (and `args`); its stderr so far, and how it ended. */
function start(env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe('services/api', () => {
  it('refuses to serve 0.0.0.0 without tokens, with one line, and starts with --insecure or EVERYNODE_INSECURE=true', async () => {
    const port = await freePort();
    const refused = start(cleanEnv({ HOST: '0.0.0.0', PORT: String(port) }));
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toBe(
      'everynode api: refusing to serve without authentication on 0.0.0.0: set EVERYNODE_TOKEN or EVERYNODE_TOKENS_FILE, or bind HOST=127.0.0.1, or pass --insecure (EVERYNODE_INSECURE=true) to serve anyone who can reach it\n',
    );

    for (const [env, args] of [[{ EVERYNODE_INSECURE: 'true' }, []], [{}, ['--insecure']]] as const) {
      const insecure = start(cleanEnv({ HOST: '0.0.0.0', PORT: String(port), ...env }), [...args]);
      await eventually(async () => (await rawRequest(`http://127.0.0.1:${port}/api/v1/nodes`).catch(() => undefined))?.status === 200, 20_000, 'the insecure API to serve');
      expect(insecure.stderr()).toContain('no tokens configured (EVERYNODE_TOKEN, EVERYNODE_TOKENS_FILE): serving without authentication on 0.0.0.0, as --insecure asks');
      insecure.child.kill('SIGTERM');
      expect(await insecure.exited).toBe(0);
    }
  }, 60_000);

  it('with a tokens file and a certificate: HTTPS, token holders only, a rebound Host refused', async () => {
    const cert = selfSigned();
    try {
      const tokens = join(dir, 'tokens.csv');
      writeFileSync(tokens, 'service-reader-token-0123,carol,read\n');
      const port = await freePort();
      const api = start(cleanEnv({ HOST: '0.0.0.0', PORT: String(port), EVERYNODE_TOKENS_FILE: tokens, EVERYNODE_TLS_CERT: cert.certFile, EVERYNODE_TLS_KEY: cert.keyFile }));
      const base = `https://127.0.0.1:${port}`;
      const get = (path: string, headers: Record<string, string> = {}) => rawRequest(`${base}${path}`, { headers, ca: cert.cert });
      await eventually(async () => (await get('/healthz').catch(() => undefined))?.status === 200, 20_000, 'the API to serve HTTPS');
      expect((await get('/api/v1/nodes')).status).toBe(401);
      expect((await get('/api/v1/nodes', { authorization: 'Bearer service-reader-token-0123' })).status).toBe(200);
      expect((await get('/api/v1/nodes', { authorization: 'Bearer service-reader-token-0123', host: 'evil.example' })).status).toBe(403);
      expect(api.stderr()).not.toContain('service-reader-token-0123');
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    } finally {
      cert.remove();
    }
  }, 60_000);
});
