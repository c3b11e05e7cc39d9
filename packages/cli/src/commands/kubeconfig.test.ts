import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runEverynode } from '../testing/run.ts';

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
    expect(await kubeconfig([])).toMatchObject({ clusters: [{ cluster: { server: 'http://127.0.0.1:7700' } }] });
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
});
