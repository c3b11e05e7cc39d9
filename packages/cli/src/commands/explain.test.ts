import { describe, expect, it } from 'vitest';
import type { PodExplanation } from '@everynode/client';
import type { Handler } from '../testing/canned-server.ts';
import { cannedServerPerTest, notFound } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';

const canned = cannedServerPerTest();
const serve = async (routes: Record<string, Handler>) => (await canned.serve(routes)).url;

const explanation: PodExplanation = {
  pod: { namespace: 'kube-system', name: 'fluentd-x7k2p' },
  entries: [
    { seq: 7, at: '2026-11-28T11:00:00.100Z', kind: 'event', type: 'io.everynode.daemonset.applied', object: 'daemonset.apps/kube-system/fluentd', causeOf: [8], summary: 'cause of #8: io.everynode.daemonset.applied daemonset.apps/kube-system/fluentd' },
    { seq: 8, at: '2026-11-28T11:00:00.200Z', kind: 'pass', causes: [7], summary: 'reconcile daemonset.apps/kube-system/fluentd: create on node worker01 (revision 58cbf7c785); caused by #7' },
    { seq: 12, at: '2026-11-28T11:00:01.000Z', kind: 'event', type: 'io.everynode.pod.status', summary: 'status reported by agent/worker01: Running, ready on node worker01' },
  ],
};

const path = 'GET /api/v1/namespaces/kube-system/pods/fluentd-x7k2p/explain';

describe('everynode explain pod', () => {
  it('prints one line per log entry: SEQ, TIME, WHAT', async () => {
    const url = await serve({ [path]: () => ({ status: 200, body: explanation }) });
    expect(await runEverynode(['explain', 'pod', 'fluentd-x7k2p', '-n', 'kube-system', '--server', url])).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'SEQ   TIME                       WHAT\n' +
        '7     2026-11-28T11:00:00.100Z   cause of #8: io.everynode.daemonset.applied daemonset.apps/kube-system/fluentd\n' +
        '8     2026-11-28T11:00:00.200Z   reconcile daemonset.apps/kube-system/fluentd: create on node worker01 (revision 58cbf7c785); caused by #7\n' +
        '12    2026-11-28T11:00:01.000Z   status reported by agent/worker01: Running, ready on node worker01\n',
    });
  });

  it('prints the explanation as JSON with -o json, and takes pod/NAME', async () => {
    const url = await serve({ [path]: () => ({ status: 200, body: explanation }) });
    const result = await runEverynode(['explain', 'po/fluentd-x7k2p', '-n', 'kube-system', '-o', 'json', '--server', url]);
    expect(JSON.parse(result.stdout)).toEqual(explanation);
  });

  it('prints kubectl NotFound for a pod with no history, and refuses other types', async () => {
    const url = await serve({ 'GET /api/v1/namespaces/default/pods/nope/explain': () => notFound('pods', 'nope') });
    expect(await runEverynode(['explain', 'pod', 'nope', '--server', url])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    expect((await runEverynode(['explain', 'ds', 'x'])).stderr).toBe('error: explain is implemented for pods only, not daemonsets.apps\n');
  });
});

describe('help', () => {
  it.each([
    ['describe'],
    ['rollout'],
    ['rollout', 'status'],
    ['rollout', 'history'],
    ['rollout', 'undo'],
    ['rollout', 'restart'],
    ['label'],
    ['taint'],
    ['cordon'],
    ['uncordon'],
    ['explain'],
  ])('everynode %s --help shows an example', async (...command) => {
    const result = await runEverynode([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples?:\n {2}everynode /);
  });
});
