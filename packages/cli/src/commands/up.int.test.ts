/**
 * `everynode up` with the real local cluster. Safe by default: it binds
 * 127.0.0.1, serves HTTPS with a certificate and wants a token, both
 * generated for the run, printed once and left where the CLI of the same
 * user finds them (and removed when it stops); the API refuses requests
 * without the token. With `--bridges FILE`: the bridge
 * runs against `up`'s engine, `/readyz` names it while its bus (a private
 * redis-server) is down and passes again once it is back; a bad file stops
 * `up` before anything starts, naming the field.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, redisUrl, uniquePrefix } from '../../../../test/support/cluster.ts';
import { type PrivateServer, startPrivateServer } from '../../../../test/support/private-server.ts';
import { freePort } from '../../../../test/support/random.ts';
import { rawRequest } from '../../../../test/support/tls.ts';
import { upCertificateFile, upTokenFile } from '../credentials.ts';
import { runEverynode } from '../testing/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'everynode-up-bridges-'));
let bus: PrivateServer | undefined;
afterAll(async () => {
  await bus?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('everynode up, safe by default', () => {
  it('binds 127.0.0.1, serves HTTPS and wants a token: certificate and token generated, printed once, found by the CLI of the same user until up stops', async () => {
    const port = await freePort();
    const prefix = uniquePrefix('up-token');
    const config = mkdtempSync(join(tmpdir(), 'everynode-up-config-'));
    const server = `https://127.0.0.1:${port}`;
    const file = upTokenFile({ XDG_CONFIG_HOME: config }, server);
    let stderr = '';
    let shutdown: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (shutdown = resolve));
    const up = runEverynode(['up', '--simulate', '--port', String(port), '--redis', redisUrl, '--prefix', prefix], {
      env: { LOG_LEVEL: 'silent', XDG_CONFIG_HOME: config },
      stderr: (text) => void (stderr += text),
      untilShutdown: () => stopped,
    });
    // The CLI as another command in the same shell would run it: only the server and the user's config.
    const cli = (...args: string[]) => runEverynode(args, { env: { EVERYNODE_SERVER: server, XDG_CONFIG_HOME: config } });
    try {
      await eventually(async () => stderr.includes('everynode is up'), 30_000, 'up to start');
      const token = /^ {2}export EVERYNODE_TOKEN=(\S+)$/m.exec(stderr)?.[1] ?? '';
      expect(token).toMatch(/^[\w-]{43}$/);
      expect(stderr).toBe(
        [
          `everynode is up at ${server} (1 worker, simulated nodes); Ctrl-C stops it`,
          `The dashboard: ${server}/#token=${token}`,
          `Generated for this run: an admin token (user "admin") and a self-signed certificate. This user's everynode CLI finds them in ${file}; elsewhere:`,
          `  export EVERYNODE_SERVER=${server}`,
          `  export EVERYNODE_TOKEN=${token}`,
          `  export EVERYNODE_CA_FILE=${upCertificateFile(file)}`,
          'kubectl, through a kubeconfig that holds them:',
          '  everynode kubeconfig > everynode.kubeconfig && KUBECONFIG=everynode.kubeconfig kubectl get ds -A',
          '',
        ].join('\n'),
      );

      const ca = readFileSync(upCertificateFile(file), 'utf8');
      const get = (url: string, headers: Record<string, string> = {}) => rawRequest(url, { headers, ca });
      expect((await get(`${server}/api/v1/nodes`)).status).toBe(401);
      expect((await get(`${server}/api/v1/nodes`, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await get(`${server}/healthz`)).status).toBe(200);
      // The certificate is for localhost too; an untrusting client is refused.
      expect((await get(`https://localhost:${port}/healthz`)).status).toBe(200);
      await expect(rawRequest(`${server}/healthz`)).rejects.toThrow(/self-signed certificate/);
      // Bound to 127.0.0.1 itself, not every address: another loopback address (Linux routes all of 127/8 to lo) finds nothing.
      await expect(get(`https://127.0.0.2:${port}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      expect(await cli('node', 'join', 'worker01')).toMatchObject({ code: 0, stderr: '' });
      const nodes = await cli('get', 'nodes');
      expect(nodes.code, nodes.stderr).toBe(0);
      expect(nodes.stdout).toContain('worker01');
      const log = await cli('log', '--type', 'node.joined');
      expect(log.stdout).toMatch(/io\.everynode\.node\.joined\s+node\/worker01\s+by admin\n/);
      const kubeconfig = (await cli('kubeconfig')).stdout;
      expect(kubeconfig).toContain(`token: ${token}`);
      expect(kubeconfig).toContain(`certificate-authority-data: ${Buffer.from(ca).toString('base64')}`);
      // A wrong token is not replaced by the saved one.
      expect(await runEverynode(['get', 'nodes'], { env: { EVERYNODE_SERVER: server, XDG_CONFIG_HOME: config, EVERYNODE_TOKEN: 'wrong-token-0123456789' } })).toMatchObject({
        code: 1,
        stderr: 'Error from server (Unauthorized): Unauthorized\n',
      });
    } finally {
      shutdown();
      const result = await up;
      await destroyPrefix(prefix);
      expect(result.code).toBe(0);
    }
    expect(existsSync(file)).toBe(false);
    expect(existsSync(upCertificateFile(file))).toBe(false);
    expect((await cli('get', 'nodes')).stderr).toContain(`cannot reach everynode at ${server}`);
    rmSync(config, { recursive: true, force: true });
  }, 90_000);
});

describe('everynode up --bridges', () => {
  it('runs the bridges; /readyz names one whose bus is down, and passes again once it is back', async () => {
    bus = await startPrivateServer('redis-server', (port, data) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', data, '--save', '']);
    const file = join(dir, 'bridges.yaml');
    writeFileSync(file, `bridges:\n  - { name: edge, kind: redis-streams, url: "redis://127.0.0.1:${bus.port}", stream: nodes, ackWaitMs: 1000 }\n`);
    const port = await freePort();
    const prefix = uniquePrefix('up-bridges');
    let shutdown: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (shutdown = resolve));
    const up = runEverynode(['up', '--bridges', file, '--port', String(port), '--redis', redisUrl, '--prefix', prefix], {
      env: { LOG_LEVEL: 'silent', XDG_CONFIG_HOME: dir },
      untilShutdown: () => stopped,
    });
    try {
      // The probes are public; the certificate is up's own, left for this user's CLI.
      const readyz = async () => {
        const file = upCertificateFile(upTokenFile({ XDG_CONFIG_HOME: dir }, `https://127.0.0.1:${port}`));
        if (!existsSync(file)) return undefined;
        const res = await rawRequest(`https://127.0.0.1:${port}/readyz`, { ca: readFileSync(file, 'utf8') }).catch(() => undefined);
        return res && { status: res.status, body: res.body };
      };
      expect(await eventually(async () => (await readyz())?.status === 200 && readyz(), 30_000, 'up to be ready')).toEqual({ status: 200, body: 'ok' });
      await bus.stop();
      expect(await eventually(async () => {
        const answer = await readyz();
        return answer?.status === 503 && answer;
      }, 15_000, '/readyz to name the bridge')).toEqual({ status: 503, body: '[+]engine ok\n[-]bridge/edge failed: not connected to its bus\nreadyz check failed\n' });
      await bus.start();
      await eventually(async () => (await readyz())?.status === 200, 20_000, '/readyz to pass again');
    } finally {
      shutdown();
      const result = await up;
      await destroyPrefix(prefix);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`everynode is up at https://127.0.0.1:${port} (1 worker, 1 bridge)`);
    }
  }, 90_000);

  it('a bad bridges file: exits 1 naming each field at fault, and starts nothing', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'bridges:\n  - { name: edge, kind: redis-streams, url: "redis://u:pw@127.0.0.1:1" }\n');
    let started = false;
    const result = await runEverynode(['up', '--bridges', file], {
      env: { LOG_LEVEL: 'silent' },
      loadEngine: async () => ({ startLocalCluster: async () => void (started = true) }),
      untilShutdown: async () => undefined,
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `error: bad bridge configuration (${file}):`,
        '  bridges[0].url: a password does not belong in the URL: use passwordEnv or passwordFile',
        '  bridges[0].stream: required for a redis-streams bridge',
        '',
      ].join('\n'),
    });
    expect(started).toBe(false);
    const fromEnv = await runEverynode(['up'], { env: { LOG_LEVEL: 'silent', EVERYNODE_BRIDGES: 'bridges: [{ name: x, kind: nats, url: "nats://n:4222" }]' }, loadEngine: async () => ({ startLocalCluster: async () => void (started = true) }) });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain('error: bad bridge configuration (EVERYNODE_BRIDGES):\n  bridges[0].stream: required for a nats bridge\n');
    expect(started).toBe(false);
  });
});
