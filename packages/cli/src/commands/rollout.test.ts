import { describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet } from '@everynode/api';
import { revisionPatch } from '@everynode/daemonset';
import type { Handler } from '../testing/canned-server.ts';
import { cannedServerPerTest, list, notFound } from '../testing/canned-server.ts';
import { daemonSet } from '../testing/objects.ts';
import { runEverynode } from '../testing/run.ts';

const canned = cannedServerPerTest();
const serve = (routes: Record<string, Handler>) => canned.serve(routes);

const dsPath = 'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd';
const run = (args: string[]) => runEverynode([...args, '-n', 'kube-system', '--server', canned.current?.url ?? ''], { pollIntervalMs: 5 });

/** fluentd at `generation`, as the controller last observed it. */
function fluentd(generation: number, status: Partial<NonNullable<DaemonSet['status']>> & { observedGeneration: number }, strategy = 'RollingUpdate'): DaemonSet {
  const ds = daemonSet('fluentd', { namespace: 'kube-system' });
  return {
    ...ds,
    metadata: { ...ds.metadata, uid: 'u1', generation },
    spec: { ...ds.spec, updateStrategy: { type: strategy } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 0, numberMisscheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0, ...status },
  };
}

/** Answers `states` in turn, then the last one for ever. */
function sequence(states: DaemonSet[]): Handler {
  let i = 0;
  return () => ({ status: 200, body: states[Math.min(i++, states.length - 1)] });
}

describe('everynode rollout status', () => {
  const unobserved = fluentd(2, { observedGeneration: 1 });
  const updating = fluentd(2, { observedGeneration: 2, updatedNumberScheduled: 1 });
  const unavailable = fluentd(2, { observedGeneration: 2, updatedNumberScheduled: 3, numberAvailable: 1 });
  const done = fluentd(2, { observedGeneration: 2, updatedNumberScheduled: 3, numberAvailable: 3 });

  it("prints kubectl's messages in order, each once, and exits 0 when rolled out", async () => {
    await serve({ [dsPath]: sequence([unobserved, updating, updating, unavailable, unavailable, done]) });
    expect(await run(['rollout', 'status', 'ds/fluentd'])).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'Waiting for daemon set spec update to be observed...\n' +
        'Waiting for daemon set "fluentd" rollout to finish: 1 out of 3 new pods have been updated...\n' +
        'Waiting for daemon set "fluentd" rollout to finish: 1 of 3 updated pods are available...\n' +
        'daemon set "fluentd" successfully rolled out\n',
    });
  });

  it.each([['daemonset/fluentd'], ['daemonsets/fluentd'], ['daemonsets.apps/fluentd'], ['ds', 'fluentd']])('accepts the target as %s', async (...target) => {
    await serve({ [dsPath]: () => ({ status: 200, body: done }) });
    expect((await run(['rollout', 'status', ...target])).stdout).toBe('daemon set "fluentd" successfully rolled out\n');
  });

  it('exits 1 with kubectl\'s timeout error when --timeout passes first', async () => {
    await serve({ [dsPath]: () => ({ status: 200, body: updating }) });
    const started = Date.now();
    expect(await run(['rollout', 'status', 'ds/fluentd', '--timeout', '150ms'])).toEqual({
      code: 1,
      stdout: 'Waiting for daemon set "fluentd" rollout to finish: 1 out of 3 new pods have been updated...\n',
      stderr: 'error: timed out waiting for the condition\n',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses an OnDelete DaemonSet', async () => {
    await serve({ [dsPath]: () => ({ status: 200, body: fluentd(1, { observedGeneration: 1 }, 'OnDelete') }) });
    expect(await run(['rollout', 'status', 'ds/fluentd', '--timeout', '1s'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: rollout status is only available for RollingUpdate strategy type\n',
    });
  });

  it('prints the status once with --watch=false', async () => {
    await serve({ [dsPath]: () => ({ status: 200, body: unavailable }) });
    expect(await run(['rollout', 'status', 'ds/fluentd', '--watch=false'])).toEqual({
      code: 0,
      stdout: 'Waiting for daemon set "fluentd" rollout to finish: 1 of 3 updated pods are available...\n',
      stderr: '',
    });
  });

  it('reports a missing DaemonSet as NotFound, and one deleted while waited on', async () => {
    await serve({ [dsPath]: () => notFound('daemonsets.apps', 'fluentd') });
    expect((await run(['rollout', 'status', 'ds/fluentd'])).stderr).toBe('Error from server (NotFound): daemonsets.apps "fluentd" not found\n');
    await canned.current?.close();
    let calls = 0;
    await serve({ [dsPath]: () => (calls++ === 0 ? { status: 200, body: updating } : notFound('daemonsets.apps', 'fluentd')) });
    expect((await run(['rollout', 'status', 'ds/fluentd'])).stderr).toBe('error: object has been deleted\n');
  });

  it('refuses a --timeout that is not a Go duration, and a target that is not a DaemonSet', async () => {
    expect((await runEverynode(['rollout', 'status', 'ds/x', '--timeout', '60'])).stderr).toBe(
      'error: invalid argument "60" for "--timeout" flag: time: missing unit in duration "60"\n',
    );
    expect((await runEverynode(['rollout', 'status', 'node/x'])).stderr).toBe('error: no status viewer has been implemented for Node\n');
    expect((await runEverynode(['rollout', 'status', 'foo/x'])).stderr).toBe('error: the server doesn\'t have a resource type "foo"\n');
  });
});

/** A revision of fluentd storing `image`, as the controller records it. */
function revision(n: number, image: string, extra: { uid?: string; changeCause?: string } = {}): ControllerRevision {
  const ds = withImage(image);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `fluentd-${n}`,
      namespace: 'kube-system',
      labels: { app: 'fluentd', 'controller-revision-hash': `h${n}` },
      ...(extra.changeCause ? { annotations: { 'kubernetes.io/change-cause': extra.changeCause } } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: extra.uid ?? 'u1', controller: true }],
    },
    data: revisionPatch(ds),
    revision: n,
  };
}

function withImage(image: string): DaemonSet {
  const ds = fluentd(3, { observedGeneration: 3 });
  const template = ds.spec.template;
  return { ...ds, spec: { ...ds.spec, template: { ...template, spec: { ...template.spec, containers: [{ name: 'fluentd', image }] } } } };
}

const revisionsPath = 'GET /apis/apps/v1/namespaces/kube-system/controllerrevisions';
const history = [revision(1, 'fluentd:v1', { changeCause: 'kubectl apply --filename=fluentd.yaml' }), revision(2, 'fluentd:v2'), revision(3, 'fluentd:v3'), revision(4, 'other', { uid: 'u2' })];

describe('everynode rollout history', () => {
  it('lists the revisions the DaemonSet controls, with their change causes', async () => {
    const { requests } = await serve({ [dsPath]: () => ({ status: 200, body: withImage('fluentd:v3') }), [revisionsPath]: () => list('ControllerRevisionList', history) });
    expect(await run(['rollout', 'history', 'ds/fluentd'])).toEqual({
      code: 0,
      stderr: '',
      stdout: 'daemonset.apps/fluentd \nREVISION  CHANGE-CAUSE\n1         kubectl apply --filename=fluentd.yaml\n2         <none>\n3         <none>\n\n',
    });
    expect(requests[1]?.query.get('labelSelector')).toBe('app=fluentd');
  });

  it("prints one revision's pod template with --revision, tabs as kubectl leaves them", async () => {
    await serve({ [dsPath]: () => ({ status: 200, body: withImage('fluentd:v3') }), [revisionsPath]: () => list('ControllerRevisionList', history) });
    const result = await run(['rollout', 'history', 'ds/fluentd', '--revision', '2']);
    expect(result.stdout).toBe(
      'daemonset.apps/fluentd with revision #2\nPod Template:\n  Labels:\tapp=fluentd\n  Containers:\n   fluentd:\n    Image:\tfluentd:v2\n' +
        '    Port:\t<none>\n    Host Port:\t<none>\n    Environment:\t<none>\n    Mounts:\t<none>\n  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n\n',
    );
  });

  it('says so when a revision or any history is missing', async () => {
    await serve({ [dsPath]: () => ({ status: 200, body: withImage('fluentd:v3') }), [revisionsPath]: () => list('ControllerRevisionList', history) });
    expect(await run(['rollout', 'history', 'ds/fluentd', '--revision', '7'])).toEqual({ code: 1, stdout: '', stderr: 'error: unable to find the specified revision\n' });
    await canned.current?.close();
    await serve({ [dsPath]: () => ({ status: 200, body: withImage('fluentd:v3') }), [revisionsPath]: () => list('ControllerRevisionList', []) });
    expect((await run(['rollout', 'history', 'ds/fluentd'])).stdout).toBe('daemonset.apps/fluentd \nNo rollout history found.\n');
  });
});

describe('everynode rollout undo', () => {
  const routes = (): Record<string, Handler> => ({
    [dsPath]: () => ({ status: 200, body: withImage('fluentd:v3') }),
    [revisionsPath]: () => list('ControllerRevisionList', history),
    'PUT /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd': (r) => ({ status: 200, body: r.body }),
  });
  const put = () => canned.current?.requests.find((r) => r.method === 'PUT')?.body as DaemonSet | undefined;

  it("puts the previous revision's template back, without $patch or status", async () => {
    await serve(routes());
    expect(await run(['rollout', 'undo', 'ds/fluentd'])).toEqual({ code: 0, stdout: 'daemonset.apps/fluentd rolled back\n', stderr: '' });
    const body = put();
    expect(body?.spec.template).toEqual(withImage('fluentd:v2').spec.template);
    expect(body?.status).toBeUndefined();
    expect(body?.metadata).toMatchObject({ name: 'fluentd', namespace: 'kube-system' });
  });

  it('goes back to --to-revision, and skips a revision the template already matches', async () => {
    await serve(routes());
    expect((await run(['rollout', 'undo', 'ds/fluentd', '--to-revision', '1'])).stdout).toBe('daemonset.apps/fluentd rolled back\n');
    expect(put()?.spec.template.spec.containers?.[0]?.image).toBe('fluentd:v1');
    await canned.current?.close();
    await serve(routes());
    expect(await run(['rollout', 'undo', 'ds/fluentd', '--to-revision', '3'])).toEqual({
      code: 0,
      stdout: 'daemonset.apps/fluentd skipped rollback (current template already matches revision 3)\n',
      stderr: '',
    });
    expect(put()).toBeUndefined();
  });

  it('refuses a revision not in the history, and a default undo with nothing before', async () => {
    await serve(routes());
    expect(await run(['rollout', 'undo', 'ds/fluentd', '--to-revision', '4'])).toEqual({ code: 1, stdout: '', stderr: 'error: unable to find specified revision 4 in history\n' });
    await canned.current?.close();
    await serve({ ...routes(), [revisionsPath]: () => list('ControllerRevisionList', history.slice(2, 3)) });
    expect((await run(['rollout', 'undo', 'ds/fluentd'])).stderr).toBe('error: no last revision to roll back to\n');
  });
});

describe('everynode rollout restart', () => {
  const put = 'PUT /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd';

  it('sets the restartedAt template annotation to now and writes the DaemonSet back', async () => {
    const { requests } = await serve({ [dsPath]: () => ({ status: 200, body: fluentd(1, { observedGeneration: 1 }) }), [put]: (r) => ({ status: 200, body: r.body }) });
    expect(await run(['rollout', 'restart', 'ds/fluentd'])).toEqual({ code: 0, stdout: 'daemonset.apps/fluentd restarted\n', stderr: '' });
    const body = requests[1]?.body as DaemonSet;
    expect(body.spec.template.metadata?.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-11-28T12:00:00Z' });
    expect(body.spec.template.metadata?.labels).toEqual({ app: 'fluentd' });
    expect(body.status).toBeUndefined();
  });

  it('refuses a second restart within the same second, as kubectl does', async () => {
    const restarted = fluentd(1, { observedGeneration: 1 });
    restarted.spec.template.metadata = { ...restarted.spec.template.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-28T12:00:00Z' } };
    await serve({ [dsPath]: () => ({ status: 200, body: restarted }) });
    const result = await run(['rollout', 'restart', 'ds/fluentd']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: failed to create patch for fluentd: if restart has already been triggered within the past second, please wait before attempting to trigger another\n',
    );
  });

  it('passes the 422 the server gives for an invalid result', async () => {
    const invalid = { kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, message: 'The DaemonSet "fluentd" is invalid: spec.template.spec.containers[0].image: Required value' };
    await serve({ [dsPath]: () => ({ status: 200, body: fluentd(1, { observedGeneration: 1 }) }), [put]: () => ({ status: 422, body: invalid }) });
    expect((await run(['rollout', 'restart', 'ds/fluentd'])).stderr).toBe(`${invalid.message}\n`);
  });
});
