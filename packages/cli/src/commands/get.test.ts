import { describe, expect, it } from 'vitest';
import type { Handler } from '../testing/canned-server.ts';
import { cannedServerPerTest, list, notFound } from '../testing/canned-server.ts';
import { daemonSet, node, pod } from '../testing/objects.ts';
import { runEverynode } from '../testing/run.ts';

const canned = cannedServerPerTest();
const serve = async (routes: Record<string, Handler>) => (await canned.serve(routes)).url;

const fluentd = daemonSet('fluentd', {
  namespace: 'kube-system',
  status: { desiredNumberScheduled: 6, currentNumberScheduled: 6, numberReady: 6, updatedNumberScheduled: 6, numberAvailable: 6, numberMisscheduled: 0 },
});

describe('everynode get', () => {
  it('prints the DaemonSets of a namespace as kubectl does', async () => {
    const url = await serve({ 'GET /apis/apps/v1/namespaces/kube-system/daemonsets': () => list('DaemonSetList', [fluentd]) });
    const result = await runEverynode(['get', 'ds', '-n', 'kube-system', '--server', url]);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n' +
        'fluentd   6         6         6       6            6           <none>          5m\n',
    });
  });

  it('reads the server from EVERYNODE_SERVER and lists every namespace with -A', async () => {
    const url = await serve({ 'GET /api/v1/pods': () => list('PodList', [pod('b', { namespace: 'z' }), pod('a', { namespace: 'kube-system' })]) });
    const result = await runEverynode(['get', 'po', '-A'], { env: { EVERYNODE_SERVER: url } });
    expect(result.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['NAMESPACE', 'kube-system', 'z', '']);
  });

  it('says on stderr that a namespace has nothing', async () => {
    const url = await serve({ 'GET /apis/apps/v1/namespaces/default/daemonsets': () => list('DaemonSetList', []) });
    expect(await runEverynode(['get', 'daemonsets', '--server', url])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  });

  it('says "No resources found" for cluster-scoped nodes', async () => {
    const url = await serve({ 'GET /api/v1/nodes': () => list('NodeList', []) });
    expect((await runEverynode(['get', 'no', '--server', url])).stderr).toBe('No resources found\n');
  });

  it('prints kubectl NotFound for a missing DaemonSet and exits 1', async () => {
    const url = await serve({ 'GET /apis/apps/v1/namespaces/default/daemonsets/nope': () => notFound('daemonsets.apps', 'nope') });
    expect(await runEverynode(['get', 'ds', 'nope', '--server', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\n',
    });
  });

  it('prints a collection as a v1 List with -o json', async () => {
    const url = await serve({ 'GET /api/v1/nodes': () => list('NodeList', [node('worker01')]) });
    const result = await runEverynode(['get', 'nodes', '-o', 'json', '--server', url]);
    expect(JSON.parse(result.stdout)).toMatchObject({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Node', metadata: { name: 'worker01' } }], metadata: { resourceVersion: '' } });
  });

  it('prints one object by TYPE/NAME with -o yaml', async () => {
    const url = await serve({ 'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd': () => ({ status: 200, body: fluentd }) });
    const result = await runEverynode(['get', 'ds/fluentd', '-n', 'kube-system', '-o', 'yaml', '--server', url]);
    expect(result.stdout.startsWith('apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n')).toBe(true);
  });

  it('passes -l to the server as labelSelector', async () => {
    const url = await serve({ 'GET /api/v1/nodes': () => list('NodeList', [node('m1', { roles: ['master'] })]) });
    const result = await runEverynode(['get', 'nodes', '-l', 'node-role.kubernetes.io/master', '-o', 'name', '--server', url]);
    expect(result.stdout).toBe('node/m1\n');
    expect(canned.current?.requests[0]?.query.get('labelSelector')).toBe('node-role.kubernetes.io/master');
  });

  it('refuses an unknown resource type', async () => {
    expect(await runEverynode(['get', 'foo'])).toEqual({ code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n' });
  });

  it('refuses an unknown output format', async () => {
    const result = await runEverynode(['get', 'ds', '-o', 'table']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unable to match a printer suitable for the output format "table"/);
  });

  it('names the URL and `everynode up` when nothing listens', async () => {
    const url = await serve({});
    await canned.current?.close();
    expect(await runEverynode(['get', 'ds', '--server', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach everynode at ${url} (connect ECONNREFUSED): start one with \`everynode up\`\n`,
    });
  });
});
