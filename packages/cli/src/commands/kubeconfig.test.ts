import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { removeUpCredentials, saveUpCredentials, upTokenFile } from '../credentials.ts';
import { runEverynode } from '../testing/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'everynode-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The kubeconfig `everynode kubeconfig ARGS…` prints, parsed. */
async function kubeconfig(args: string[], env: Record<string, string> = {}) {
  const result = await runEverynode(['kubeconfig', ...args], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parse(result.stdout) as Record<string, unknown>;
}

describe('everynode kubeconfig', () => {
  it('points one cluster, user and current context, all named everynode, at --server', async () => {
    expect(await kubeconfig(['--server', 'http://10.0.0.7:7700/'])).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'everynode', cluster: { server: 'http://10.0.0.7:7700' } }],
      users: [{ name: 'everynode', user: {} }],
      contexts: [{ name: 'everynode', context: { cluster: 'everynode', user: 'everynode' } }],
      'current-context': 'everynode',
    });
  });

  it('takes the server from EVERYNODE_SERVER, else the default', async () => {
    expect(await kubeconfig([], { EVERYNODE_SERVER: 'https://everynode.example:8443' })).toMatchObject({
      clusters: [{ cluster: { server: 'https://everynode.example:8443' } }],
    });
    expect(await kubeconfig([])).toMatchObject({ clusters: [{ cluster: { server: 'https://127.0.0.1:7700' } }] });
  });

  it('refuses a server that is not an http(s) URL', async () => {
    expect(await runEverynode(['kubeconfig', '--server', 'unix:///run/everynode.sock'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid server URL "unix:///run/everynode.sock": the scheme must be http or https\n',
    });
    expect((await runEverynode(['kubeconfig', '--server', 'localhost:7700'])).stderr).toBe('error: invalid server URL "localhost:7700": the scheme must be http or https\n');
    expect((await runEverynode(['kubeconfig', '--server', 'not a url'])).stderr).toBe('error: invalid server URL "not a url": not a URL\n');
  });

  it('writes the token it would send itself: --token, else EVERYNODE_TOKEN, else the one `up` left for this server', async () => {
    const server = 'http://127.0.0.1:7799';
    const env = { XDG_CONFIG_HOME: dir, EVERYNODE_SERVER: server };
    expect(await kubeconfig([], env)).toMatchObject({ users: [{ name: 'everynode', user: {} }] });
    const file = saveUpCredentials(env, server, { token: 'token-from-up-0123456789' });
    expect(file).toBe(join(dir, 'everynode', 'up', '127.0.0.1_7799.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await kubeconfig([], env)).toMatchObject({ users: [{ name: 'everynode', user: { token: 'token-from-up-0123456789' } }] });
    expect(await kubeconfig([], { ...env, EVERYNODE_TOKEN: 'token-from-env-0123456789' })).toMatchObject({ users: [{ user: { token: 'token-from-env-0123456789' } }] });
    expect(await kubeconfig(['--token', 'token-from-flag-0123456789'], env)).toMatchObject({ users: [{ user: { token: 'token-from-flag-0123456789' } }] });
    // Another server's kubeconfig does not get this one's token.
    expect(await kubeconfig(['--server', 'http://127.0.0.1:7798'], env)).toMatchObject({ users: [{ user: {} }] });
    removeUpCredentials(file, { token: 'token-from-up-0123456789' });
    expect(await kubeconfig([], env)).toMatchObject({ users: [{ user: {} }] });
    expect(upTokenFile(env, 'https://0.0.0.0:7700')).toBe(join(dir, 'everynode', 'up', '127.0.0.1_7700.json'));
  });

  it('puts the CA it is given (--certificate-authority, EVERYNODE_CA_FILE) in certificate-authority-data', async () => {
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const data = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    expect(await kubeconfig(['--server', 'https://127.0.0.1:7700', '--certificate-authority', ca])).toMatchObject({
      clusters: [{ cluster: { server: 'https://127.0.0.1:7700', 'certificate-authority-data': data } }],
    });
    expect(await kubeconfig(['--server', 'https://127.0.0.1:7700'], { EVERYNODE_CA_FILE: ca })).toMatchObject({ clusters: [{ cluster: { 'certificate-authority-data': data } }] });
    expect((await runEverynode(['kubeconfig', '--certificate-authority', join(dir, 'none.crt')])).stderr).toBe(`error: --certificate-authority: cannot read ${join(dir, 'none.crt')}: ENOENT\n`);
  });
});
