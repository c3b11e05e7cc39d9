/** `everynode version`: kubectl's shapes, the server's `/version` read over HTTP. */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { cannedServerPerTest } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';
import { cliVersion } from '../version-info.ts';

const canned = cannedServerPerTest();
const serve = canned.serve.bind(canned);

const serverInfo = { major: '0', minor: '9', gitVersion: 'v0.9.1', gitCommit: '', gitTreeState: '', buildDate: '', goVersion: 'v20.1.0', compiler: 'node', platform: 'linux/arm64' };
const clientInfo = {
  major: cliVersion.split('.')[0],
  minor: cliVersion.split('.')[1],
  gitVersion: `v${cliVersion}`,
  gitCommit: '',
  gitTreeState: '',
  buildDate: '',
  goVersion: process.version,
  compiler: 'node',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

describe('everynode version', () => {
  it("reads its own version from the CLI's package.json", () => {
    expect(cliVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints Client Version and, from GET /version, Server Version', async () => {
    const { url, requests } = await serve({ 'GET /version': () => ({ status: 200, body: serverInfo }) });
    expect(await runEverynode(['version', '--server', url])).toEqual({ code: 0, stdout: `Client Version: v${cliVersion}\nServer Version: v0.9.1\n`, stderr: '' });
    expect(requests.map((r) => r.path)).toEqual(['/version']);
  });

  it('--client asks nothing of any server', async () => {
    const { url, requests } = await serve({});
    expect(await runEverynode(['version', '--client', '--server', url])).toEqual({ code: 0, stdout: `Client Version: v${cliVersion}\n`, stderr: '' });
    expect(requests).toEqual([]);
  });

  it('-o json is one object with clientVersion and serverVersion, indented by 2; -o yaml the same, keys sorted', async () => {
    // The server's fields in another order: printed in Go's.
    const reordered = Object.fromEntries(Object.entries(serverInfo).reverse());
    const { url } = await serve({ 'GET /version': () => ({ status: 200, body: reordered }) });
    const json = await runEverynode(['version', '-o', 'json', '--server', url]);
    expect(json.stdout).toBe(`${JSON.stringify({ clientVersion: clientInfo, serverVersion: serverInfo }, null, 2)}\n`);
    const yaml = await runEverynode(['version', '-o', 'yaml', '--server', url]);
    expect(YAML.parse(yaml.stdout)).toEqual({ clientVersion: clientInfo, serverVersion: serverInfo });
    expect(yaml.stdout.startsWith('clientVersion:\n  buildDate: ""\n  compiler: node\n')).toBe(true);
    expect(JSON.parse((await runEverynode(['version', '--client', '-o', 'json'])).stdout)).toEqual({ clientVersion: clientInfo });
  });

  it('prints the client version even when the server does not answer, then the error, exit 1', async () => {
    const { url: down } = await serve({});
    await canned.current?.close();
    expect(await runEverynode(['version', '--server', down])).toEqual({
      code: 1,
      stdout: `Client Version: v${cliVersion}\n`,
      stderr: `error: cannot reach everynode at ${down} (connect ECONNREFUSED): start one with \`everynode up\`\n`,
    });
  });

  it("refuses any other -o as kubectl does", async () => {
    expect(await runEverynode(['version', '-o', 'wide'])).toEqual({ code: 1, stdout: '', stderr: "error: --output must be 'yaml' or 'json'\n" });
  });
});
