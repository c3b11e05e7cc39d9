import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CannedRequest, CannedServer } from '../testing/canned-server.ts';
import { notFound, startCannedServer } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';

// The seed's manifests, as the repository keeps them.
const fixtures = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));

/** A server that keeps what it is sent, as the real one does (read-your-writes). */
async function storingServer(): Promise<CannedServer> {
  const store = new Map<string, unknown>();
  const dsKey = (r: CannedRequest) => r.path.replace(/^\/apis\/apps\/v1\/namespaces\//, 'ds/');
  const stored = (key: string, name: string) => (store.has(key) ? { status: 200, body: store.get(key) } : notFound('x', name));
  return startCannedServer({
    'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd-elasticsearch': (r) => stored(dsKey(r), 'fluentd-elasticsearch'),
    'PUT /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd-elasticsearch': (r) => {
      const created = !store.has(dsKey(r));
      store.set(dsKey(r), r.body);
      return { status: created ? 201 : 200, body: r.body };
    },
    ...Object.fromEntries(
      ['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'].flatMap((name) => [
        [`GET /api/v1/nodes/${name}`, () => stored(`node/${name}`, name)],
        [`PUT /api/v1/nodes/${name}`, (r: CannedRequest) => (store.set(`node/${name}`, r.body), { status: 200, body: r.body })],
      ]),
    ),
    'POST /api/v1/nodes': (r) => {
      const name = (r.body as { metadata: { name: string } }).metadata.name;
      store.set(`node/${name}`, r.body);
      return { status: 201, body: r.body };
    },
  });
}

let server: CannedServer;
beforeEach(async () => {
  server = await storingServer();
});
afterEach(() => server.close());

const apply = (file: string, extra: string[] = []) => runEverynode(['apply', '-f', file, '--server', server.url, ...extra], { cwd: fixtures });

describe('everynode apply', () => {
  it('creates, then leaves unchanged, then configures a DaemonSet', async () => {
    expect(await apply('fluentd-daemonset.yaml')).toEqual({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch created\n', stderr: '' });
    expect(await apply('fluentd-daemonset.yaml')).toEqual({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch unchanged\n', stderr: '' });
    expect(server.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);

    const dir = await mkdtemp(join(tmpdir(), 'everynode-apply-'));
    const changed = (await readFile(join(fixtures, 'fluentd-daemonset.yaml'), 'utf8')).replace('fluentd:v2.5.2', 'fluentd:v2.6.0');
    await writeFile(join(dir, 'ds.yaml'), changed);
    const result = await runEverynode(['apply', '-f', 'ds.yaml', '--server', server.url], { cwd: dir });
    expect(result.stdout).toBe('daemonset.apps/fluentd-elasticsearch configured\n');
  });

  it('joins the six nodes of a multi-document file, then finds them unchanged', async () => {
    const first = await apply('cluster-6-nodes.yaml');
    expect(first.stdout.trim().split('\n')).toEqual(
      ['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'].map((n) => `node/${n} created`),
    );
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(6);
    const second = await apply('cluster-6-nodes.yaml');
    expect(second.stdout.trim().split('\n').every((l) => l.endsWith(' unchanged'))).toBe(true);
  });

  it('reads stdin with -f -', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker01' } });
    const result = await runEverynode(['apply', '-f', '-', '--server', server.url], { stdin: manifest });
    expect(result.stdout).toBe('node/worker01 created\n');
  });

  it('refuses an invalid manifest before sending anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'everynode-apply-'));
    await writeFile(
      join(dir, 'bad.yaml'),
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: bad}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: c, image: i}]\n      restartPolicy: Never\n',
    );
    const result = await runEverynode(['apply', '-f', 'bad.yaml', '--server', server.url], { cwd: dir });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'The DaemonSet "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"\n',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('says a missing file does not exist', async () => {
    expect(await apply('x.yaml')).toEqual({ code: 1, stdout: '', stderr: 'error: the path "x.yaml" does not exist\n' });
  });

  it('requires -f', async () => {
    const result = await runEverynode(['apply']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: required option '-f, --filename <path>' not specified\n");
  });
});

describe('apply with -n', () => {
  const mismatch =
    "error: the namespace from the provided object \"kube-system\" does not match the namespace \"other\". You must pass '--namespace=kube-system' to perform this operation.\n";

  it('an explicit -n, before or after the verb, must agree with the manifest; nothing is sent otherwise', async () => {
    expect(await apply('fluentd-daemonset.yaml', ['-n', 'other'])).toEqual({ code: 1, stdout: '', stderr: mismatch });
    expect(await runEverynode(['-n', 'other', 'apply', '-f', 'fluentd-daemonset.yaml', '--server', server.url], { cwd: fixtures })).toEqual({ code: 1, stdout: '', stderr: mismatch });
    expect(await apply('fluentd-daemonset.yaml', ['--namespace=kube-system'])).toEqual({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch created\n', stderr: '' });
  });
});
