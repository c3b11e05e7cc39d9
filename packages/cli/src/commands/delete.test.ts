/** `everynode delete`: by name, several at once, and `-f` as kubectl deletes what a manifest names. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CannedAnswer } from '../testing/canned-server.ts';
import { cannedServerPerTest, notFound } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';

const { serve } = cannedServerPerTest();
const dir = mkdtempSync(join(tmpdir(), 'everynode-delete-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deleted: CannedAnswer = { status: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success' } };

const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: extra-a
  namespace: kube-system
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: v1
kind: Node
metadata:
  name: worker09
---
# only what names an object is read: no spec needed to delete it
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: extra-b
`;
writeFileSync(join(dir, 'three.yaml'), manifest);

describe('everynode delete -f', () => {
  it('deletes every object the manifest names, in order, each in its own namespace or -n', async () => {
    const { url, requests } = await serve({
      'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/extra-a': () => deleted,
      'DELETE /api/v1/nodes/worker09': () => deleted,
      'DELETE /apis/apps/v1/namespaces/default/daemonsets/extra-b': () => deleted,
    });
    expect(await runEverynode(['delete', '-f', 'three.yaml', '--server', url], { cwd: dir })).toEqual({
      code: 0,
      stdout: 'daemonset.apps "extra-a" deleted\nnode "worker09" deleted\ndaemonset.apps "extra-b" deleted\n',
      stderr: '',
    });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/extra-a',
      'DELETE /api/v1/nodes/worker09',
      'DELETE /apis/apps/v1/namespaces/default/daemonsets/extra-b',
    ]);
  });

  it('carries on past objects that are not there and names the file for each, exit 1', async () => {
    const { url } = await serve({
      'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/extra-a': () => notFound('daemonsets.apps', 'extra-a'),
      'DELETE /api/v1/nodes/worker09': () => deleted,
      'DELETE /apis/apps/v1/namespaces/default/daemonsets/extra-b': () => ({ status: 404, body: '' }),
    });
    expect(await runEverynode(['delete', '-f', 'three.yaml', '--server', url], { cwd: dir })).toEqual({
      code: 1,
      stdout: 'node "worker09" deleted\n',
      stderr:
        'Error from server (NotFound): error when deleting "three.yaml": daemonsets.apps "extra-a" not found\n' +
        'Error from server (NotFound): error when deleting "three.yaml": daemonsets.apps "extra-b" not found\n',
    });
  });

  it('--ignore-not-found: what is not there is no failure', async () => {
    const { url } = await serve({ 'DELETE /api/v1/nodes/worker09': () => deleted });
    expect(await runEverynode(['delete', '-f', 'three.yaml', '--ignore-not-found', '--server', url], { cwd: dir })).toEqual({ code: 0, stdout: 'node "worker09" deleted\n', stderr: '' });
  });

  it('with an explicit -n: refuses an object of another namespace, warns about cluster-scoped ones, deletes the rest', async () => {
    const { url, requests } = await serve({ 'DELETE /api/v1/nodes/worker09': () => deleted, 'DELETE /apis/apps/v1/namespaces/other/daemonsets/extra-b': () => deleted });
    expect(await runEverynode(['-n', 'other', 'delete', '-f', 'three.yaml', '--server', url], { cwd: dir })).toEqual({
      code: 1,
      stdout: 'node "worker09" deleted\ndaemonset.apps "extra-b" deleted\n',
      stderr:
        'Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n' +
        'error: the namespace from the provided object "kube-system" does not match the namespace "other". You must pass \'--namespace=kube-system\' to perform this operation.\n',
    });
    expect(requests).toHaveLength(2);
  });

  it('reads stdin with -f -; refuses a kind it cannot map, and a document without a name', async () => {
    const { url } = await serve({ 'DELETE /apis/apps/v1/namespaces/default/daemonsets/x': () => deleted });
    expect(await runEverynode(['delete', '-f', '-', '--server', url], { stdin: '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"x"}}' })).toEqual({
      code: 0,
      stdout: 'daemonset.apps "x" deleted\n',
      stderr: '',
    });
    expect(await runEverynode(['delete', '-f', '-', '--server', url], { stdin: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}}' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: resource mapping not found for name: "s" namespace: "" from "STDIN": no matches for kind "Service" in version "v1"\nensure CRDs are installed first\n',
    });
    expect(await runEverynode(['delete', '-f', '-', '--server', url], { stdin: '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{}}' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: error when deleting "STDIN": resource name may not be empty\n',
    });
  });

  it('refuses names with -f, and a path that is not there', async () => {
    expect((await runEverynode(['delete', '-f', 'three.yaml', 'ds/x'], { cwd: dir })).stderr).toBe('error: resource/name arguments cannot be provided when a path is specified\n');
    expect((await runEverynode(['delete', '-f', 'nofile.yaml'], { cwd: dir })).stderr).toBe('error: the path "nofile.yaml" does not exist\n');
  });
});

describe('everynode delete TYPE NAME…', () => {
  it('deletes several names and TYPE/NAME pairs, reporting each NotFound, exit 1', async () => {
    const { url } = await serve({
      'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/a': () => deleted,
      'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/nope': () => notFound('daemonsets.apps', 'nope'),
      'DELETE /api/v1/nodes/worker03': () => deleted,
    });
    expect(await runEverynode(['delete', 'ds/a', 'ds/nope', 'node/worker03', '-n', 'kube-system', '--server', url])).toEqual({
      code: 1,
      stdout: 'daemonset.apps "a" deleted\nnode "worker03" deleted\n',
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\n',
    });
  });

  it('--ignore-not-found exits 0 and prints nothing for what is not there', async () => {
    const { url } = await serve({ 'DELETE /apis/apps/v1/namespaces/default/daemonsets/nope': () => notFound('daemonsets.apps', 'nope') });
    expect(await runEverynode(['delete', 'ds', 'nope', '--ignore-not-found', '--server', url])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('refuses no resources at all, and a type without names', async () => {
    expect(await runEverynode(['delete'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
    });
    expect((await runEverynode(['delete', 'ds'])).stderr).toBe('error: resource(s) were provided, but no name was specified\n');
  });
});
