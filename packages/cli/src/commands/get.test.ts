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

describe('everynode get, as kubectl in more ways', () => {
  const fluentdPod = pod('fluentd-x7k2p', { namespace: 'kube-system', nodeName: 'worker01' });
  const labelled = { ...fluentdPod, metadata: { ...fluentdPod.metadata, labels: { name: 'fluentd', 'controller-revision-hash': '5f7d' } } };
  const systemRoutes = {
    'GET /apis/apps/v1/namespaces/kube-system/daemonsets': () => list('DaemonSetList', [fluentd]),
    'GET /api/v1/namespaces/kube-system/pods': () => list('PodList', [labelled]),
    'GET /api/v1/nodes': () => list('NodeList', [node('worker01')]),
  };

  it('takes -n before the verb, and --server too', async () => {
    const url = await serve(systemRoutes);
    const result = await runEverynode(['--server', url, '-n', 'kube-system', 'get', 'pods', '-o', 'name']);
    expect(result).toEqual({ code: 0, stdout: 'pod/fluentd-x7k2p\n', stderr: '' });
  });

  it('prints several kinds: a table each, a blank line between, names prefixed with their kind', async () => {
    const url = await serve(systemRoutes);
    const result = await runEverynode(['-n', 'kube-system', 'get', 'ds,po,ds', '--server', url]);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NAME                     DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n' +
        'daemonset.apps/fluentd   6         6         6       6            6           <none>          5m\n' +
        '\n' +
        'NAME                READY   STATUS    RESTARTS   AGE\n' +
        'pod/fluentd-x7k2p   1/1     Running   0          60s\n',
    });
  });

  it('prefixes names when several kinds were asked for even if one has nothing, and says "No resources found" once when none has anything', async () => {
    const url = await serve({ ...systemRoutes, 'GET /apis/apps/v1/namespaces/kube-system/daemonsets': () => list('DaemonSetList', []) });
    expect((await runEverynode(['get', 'ds,pods', '-n', 'kube-system', '--server', url])).stdout.split('\n')[1]?.startsWith('pod/fluentd-x7k2p ')).toBe(true);
    const empty = await serve({ 'GET /apis/apps/v1/namespaces/default/daemonsets': () => list('DaemonSetList', []), 'GET /api/v1/nodes': () => list('NodeList', []) });
    expect(await runEverynode(['get', 'nodes,ds', '--server', empty])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  });

  it('--show-labels adds LABELS last: k=v in key order, <none> without labels', async () => {
    const url = await serve(systemRoutes);
    const result = await runEverynode(['get', 'ds,pods', '-n', 'kube-system', '--show-labels', '--server', url]);
    expect(result.stdout.split('\n').map((l) => l.split(/\s{2,}/).at(-1))).toEqual(['LABELS', '<none>', '', 'LABELS', 'controller-revision-hash=5f7d,name=fluentd', '']);
  });

  it('passes --field-selector to the server, and words its refusal as kubectl does', async () => {
    const url = await serve({
      'GET /api/v1/pods': () => list('PodList', [labelled]),
      'GET /apis/apps/v1/daemonsets': () => ({
        status: 400,
        body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'field label not supported: spec.nodeName', reason: 'BadRequest', code: 400 },
      }),
    });
    const result = await runEverynode(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=worker01,status.phase!=Failed', '-o', 'name', '--server', url]);
    expect(result).toEqual({ code: 0, stdout: 'pod/fluentd-x7k2p\n', stderr: '' });
    expect(canned.current?.requests[0]?.query.get('fieldSelector')).toBe('spec.nodeName=worker01,status.phase!=Failed');
    expect(await runEverynode(['get', 'ds', '-A', '--field-selector', 'spec.nodeName=worker01', '--server', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): Unable to find "apps/v1, Resource=daemonsets" that match label selector "", field selector "spec.nodeName=worker01": field label not supported: spec.nodeName\n',
    });
  });

  it('-o jsonpath and -o custom-columns print from the list, or from the one object named', async () => {
    const url = await serve({ ...systemRoutes, 'GET /api/v1/namespaces/kube-system/pods/fluentd-x7k2p': () => ({ status: 200, body: labelled }) });
    const template = '{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}';
    expect(await runEverynode(['get', 'pods', '-n', 'kube-system', '-o', `jsonpath=${template}`, '--server', url])).toEqual({ code: 0, stdout: 'fluentd-x7k2p\tworker01\n', stderr: '' });
    expect((await runEverynode(['get', 'pod/fluentd-x7k2p', '-n', 'kube-system', '-o', 'jsonpath={.metadata.labels.name}', '--server', url])).stdout).toBe('fluentd');
    expect((await runEverynode(['get', 'pods', '-n', 'kube-system', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP', '--server', url])).stdout).toBe(
      'NAME            NODE       IP\nfluentd-x7k2p   worker01   <none>\n',
    );
  });

  it('a bad template fails before anything is asked of the server', async () => {
    const url = await serve(systemRoutes);
    expect(await runEverynode(['get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={.items[0]', '--server', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: error parsing jsonpath {.items[0], unclosed action\n',
    });
    expect(canned.current?.requests).toEqual([]);
  });

  it('prints what it found by name and every NotFound after it, exit 1', async () => {
    const url = await serve({
      'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd': () => ({ status: 200, body: fluentd }),
      'GET /apis/apps/v1/namespaces/kube-system/daemonsets/nope': () => notFound('daemonsets.apps', 'nope'),
      'GET /api/v1/nodes/worker09': () => notFound('nodes', 'worker09'),
    });
    const result = await runEverynode(['get', 'ds/fluentd', 'ds/nope', 'node/worker09', '-n', 'kube-system', '-o', 'name', '--server', url]);
    expect(result).toEqual({
      code: 1,
      stdout: 'daemonset.apps/fluentd\n',
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\nError from server (NotFound): nodes "worker09" not found\n',
    });
  });

  it("refuses what kubectl refuses: no type, mixed forms, a name with a selector, -w over several kinds", async () => {
    expect(await runEverynode(['get'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'You must specify the type of resource to get. The types everynode serves: daemonsets (ds), nodes (no), pods (po).\n\nerror: Required resource not specified.\nSee \'everynode get -h\' for help and examples\n',
    });
    expect((await runEverynode(['get', 'ds', 'ds/x'])).stderr).toBe(
      "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'everynode get resource/<resource_name>' instead of 'everynode get resource resource/<resource_name>'\n",
    );
    expect((await runEverynode(['get', 'ds', 'x', '--field-selector', 'a=b'])).stderr).toBe('error: name cannot be provided when a selector is specified\n');
    expect((await runEverynode(['get', 'ds', 'x', '-l', 'a=b'])).stderr).toBe('error: name cannot be provided when a selector is specified\n');
    expect((await runEverynode(['get', 'ds,po', '-w'])).stderr).toBe('error: you may only specify a single resource type\n');
  });
});
