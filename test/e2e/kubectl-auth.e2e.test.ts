/**
 * Real kubectl against a protected everynode: `up`'s cluster, protected as
 * `up` protects it (`localProtection`: here a tokens file with a read and an
 * admin token, and the self-signed certificate `up` generates), plus one
 * with an openssl certificate made here and one on plain HTTP. Each
 * kubeconfig is `everynode kubeconfig`'s own output (`--token`,
 * `--certificate-authority`), so kubectl sends the token from
 * `users[].user.token` and trusts the certificate through
 * `certificate-authority-data`. Without a valid token kubectl says it must
 * be logged in, in its own words; a read token gets and is Forbidden to
 * delete; admin deletes; the log names who did each write. Over plain HTTP
 * kubectl sends no token at all (client-go reads a kubeconfig's credentials
 * for a TLS server only): why `up` always serves HTTPS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '@everynode/cli/local-cluster';
import { localProtection } from '@everynode/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everynode } from '../support/cli.ts';
import { destroyPrefix, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { type Kubectl, type KubectlBinary, kubectlFor, kubectlsUnderTest } from '../support/kubectl.ts';
import { type SelfSigned, selfSigned } from '../support/tls.ts';

const readToken = 'kubectl-read-token-0123456789';
const adminToken = 'kubectl-admin-token-0123456789';
const auth = {
  tokens: [
    { token: readToken, name: 'alice', permission: 'read' },
    { token: adminToken, name: 'root', permission: 'admin' },
  ],
} as const satisfies LocalClusterOptions['auth'];

const clusters: LocalCluster[] = [];
const kubectls: Kubectl[] = [];
const dir = mkdtempSync(join(tmpdir(), 'everynode-kubectl-auth-'));
/** `up`'s cluster, and its certificate's file (the CA kubeconfigs trust). */
let cluster: LocalCluster;
let ca: string;

async function start(options: Partial<LocalClusterOptions>): Promise<LocalCluster> {
  const started = await startLocalCluster({ port: 0, prefix: uniquePrefix('kubectl-auth'), redisUrl, logger: quietLogger, auth, ...options });
  clusters.push(started);
  return started;
}

beforeAll(async () => {
  const tokensFile = join(dir, 'tokens.csv');
  writeFileSync(tokensFile, auth.tokens.map((t) => `${t.token},${t.name},${t.permission}`).join('\n'));
  const protection = await localProtection({ EVERYNODE_TOKENS_FILE: tokensFile });
  expect(protection.generatedCertificate).toBe(true);
  ca = join(dir, 'up.crt');
  writeFileSync(ca, protection.tls.cert);
  cluster = await start({ simulate: true, auth: protection.auth, tls: protection.tls });
});
afterAll(async () => {
  for (const kubectl of kubectls) kubectl.cleanup();
  rmSync(dir, { recursive: true, force: true });
  for (const started of clusters) {
    await started.stop();
    await destroyPrefix(started.engine.prefix);
  }
});

/** `binary` with the kubeconfig `everynode kubeconfig ARGS…` prints for `server`. */
async function kubectlWith(binary: KubectlBinary, server: string, ...args: string[]): Promise<Kubectl> {
  const printed = await everynode(server, 'kubeconfig', ...args);
  expect(printed.code, printed.stderr).toBe(0);
  const kubectl = kubectlFor(server, binary);
  writeFileSync(kubectl.kubeconfig, printed.stdout);
  kubectls.push(kubectl);
  return kubectl;
}

const node = (name: string) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\nstatus:\n  conditions: [{type: Ready, status: "True"}]\n`;

// kubectl 1.20 names the 401's reason; later ones say what it means.
const mustLogIn = /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m;

describe.each(kubectlsUnderTest().map((binary) => [binary.name, binary] as const))('kubectl %s', (_name: string, binary: KubectlBinary) => {

  describe('kubectl with tokens, over the HTTPS up serves', () => {
    it("with a token the server does not know: kubectl get ds says it must be logged in, in kubectl's words", async () => {
      expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const kubectl = await kubectlWith(binary, cluster.url, '--token', 'not-a-token-of-this-server', '--certificate-authority', ca);
      const result = await kubectl('get', 'ds', '-A');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(mustLogIn);
    });

    it("a read token gets; a delete or a label is Forbidden with the API server's message", async () => {
      const admin = await kubectlWith(binary, cluster.url, '--token', adminToken, '--certificate-authority', ca);
      const manifest = `${admin.kubeconfig}.n1.yaml`;
      writeFileSync(manifest, node('n1'));
      expect(await admin('apply', '-f', manifest), 'apply').toEqual({ code: 0, stdout: 'node/n1 created\n', stderr: '' });

      const reader = await kubectlWith(binary, cluster.url, '--token', readToken, '--certificate-authority', ca);
      expect(await reader('get', 'nodes', 'n1', '-o', 'name')).toEqual({ code: 0, stdout: 'node/n1\n', stderr: '' });
      expect((await reader('get', 'ds', '-A')).code).toBe(0);
      expect(await reader('delete', 'node', 'n1')).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Error from server (Forbidden): nodes "n1" is forbidden: User "alice" cannot delete resource "nodes" in API group "" at the cluster scope\n',
      });
      expect((await reader('label', 'node', 'n1', 'disk=ssd')).stderr).toBe(
        'Error from server (Forbidden): nodes "n1" is forbidden: User "alice" cannot patch resource "nodes" in API group "" at the cluster scope\n',
      );
    });

    it('an admin token deletes, and the log names who did each write', async () => {
      const admin = await kubectlWith(binary, cluster.url, '--token', adminToken, '--certificate-authority', ca);
      expect(await admin('delete', 'node', 'n1')).toMatchObject({ code: 0, stdout: 'node "n1" deleted\n' });
      expect((await admin('get', 'nodes', 'n1')).stderr).toBe('Error from server (NotFound): nodes "n1" not found\n');

      const log = await everynode(cluster.url, 'log', '--object', 'node/n1', '--token', readToken, '--certificate-authority', ca);
      expect(log.code, log.stderr).toBe(0);
      // This kubectl's two writes are the last (an earlier kubectl's run made the same two).
      const rows = log.stdout.trim().split('\n').slice(1).map((row) => row.trim().split(/\s{2,}/).slice(3));
      expect(rows.slice(-2)).toEqual([
        ['io.everynode.node.joined', 'node/n1', 'by root'],
        ['io.everynode.node.removed', 'node/n1', 'by root'],
      ]);
    });
  });

  describe('kubectl over plain HTTP', () => {
    it('is refused with and without a token alike: kubectl sends a token over HTTPS only', async () => {
      const plain = await start({});
      expect(plain.url).toMatch(/^http:\/\//);
      for (const args of [[], ['--token', adminToken]]) {
        const result = await (await kubectlWith(binary, plain.url, ...args))('get', 'ds', '-A');
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(mustLogIn);
      }
    });
  });

  describe('kubectl with a certificate made elsewhere', () => {
    let cert: SelfSigned;
    afterAll(() => cert?.remove());

    it('trusts the self-signed certificate through certificate-authority-data, and is refused without it', async () => {
      cert = selfSigned();
      const secure = await start({ tls: { cert: cert.cert, key: cert.key } });
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const trusting = await kubectlWith(binary, secure.url, '--token', readToken, '--certificate-authority', cert.certFile);
      expect(await trusting('get', 'nodes')).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
      const untrusting = await kubectlWith(binary, secure.url, '--token', readToken);
      const refused = await untrusting('get', 'nodes');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('x509: certificate signed by unknown authority');
      // The CLI trusts it the same way.
      const cli = await everynode(secure.url, 'get', 'nodes', '--token', readToken, '--certificate-authority', cert.certFile);
      expect(cli).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
    });
  });
});
