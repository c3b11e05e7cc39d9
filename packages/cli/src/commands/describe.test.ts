import { describe, expect, it } from 'vitest';
import type { DaemonSet, Pod } from '@everynode/api';
import type { KubeEvent } from '@everynode/client';
import type { Handler } from '../testing/canned-server.ts';
import { cannedServerPerTest, list, notFound } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';

const { serve } = cannedServerPerTest();

const owner = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u1', controller: true }];

const fluentd = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: {
    name: 'fluentd',
    namespace: 'kube-system',
    uid: 'u1',
    creationTimestamp: '2026-11-28T11:00:00Z',
    labels: { 'k8s-app': 'fluentd-logging', tier: 'logging' },
    annotations: { 'deprecated.daemonset.template.generation': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: {
    selector: { matchLabels: { name: 'fluentd' } },
    template: {
      metadata: { labels: { name: 'fluentd' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-28T11:00:00Z' } },
      spec: {
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }, { operator: 'Exists' }, { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        containers: [
          {
            name: 'fluentd',
            image: 'fluentd:v2',
            ports: [{ containerPort: 24224 }],
            args: ['--verbose'],
            env: [{ name: 'FLUENT_UID', value: '0' }, { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { memory: '200Mi' }, requests: { memory: '200Mi', cpu: '100m' } },
            volumeMounts: [{ name: 'varlog', mountPath: '/var/log' }, { name: 'docker', mountPath: '/var/lib/docker', readOnly: true }],
          },
        ],
        volumes: [{ name: 'varlog', hostPath: { path: '/var/log' } }, { name: 'cache', emptyDir: {} }],
      },
    },
  },
  status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberMisscheduled: 0 },
} as unknown as DaemonSet;

const pod = (name: string, phase: string, owned = true) =>
  ({ metadata: { name, namespace: 'kube-system', ...(owned ? { ownerReferences: owner } : {}) }, spec: {}, status: { phase } }) as unknown as Pod;

const pods = [pod('fluentd-a', 'Running'), pod('fluentd-b', 'Pending'), pod('fluentd-c', 'Failed'), pod('stray', 'Running', false)];

const event = (type: string, reason: string, message: string, first: string, last: string, count: number): KubeEvent => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `fluentd.${reason}`, namespace: 'kube-system' },
  involvedObject: { kind: 'DaemonSet', name: 'fluentd', namespace: 'kube-system', uid: 'u1' },
  type,
  reason,
  message,
  firstTimestamp: first,
  lastTimestamp: last,
  count,
  source: { component: 'daemonset-controller' },
});

const events = [
  event('Warning', 'FailedDaemonPod', 'Found failed daemon pod kube-system/fluentd-c on node w1, will try to kill it', '2026-11-28T11:50:00Z', '2026-11-28T11:59:30Z', 3),
  event('Normal', 'SuccessfulCreate', 'Created pod: fluentd-a', '2026-11-28T11:55:00Z', '2026-11-28T11:55:00Z', 1),
];

const routes = (eventItems: KubeEvent[]): Record<string, Handler> => ({
  'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd': () => ({ status: 200, body: fluentd }),
  'GET /api/v1/namespaces/kube-system/pods': () => list('PodList', pods),
  'GET /api/v1/namespaces/kube-system/events': () => list('EventList', eventItems),
});

const header = `Name:           fluentd
Namespace:      kube-system
Selector:       name=fluentd
Node-Selector:  kubernetes.io/os=linux
Labels:         k8s-app=fluentd-logging
                tier=logging
Annotations:    deprecated.daemonset.template.generation: 2
Desired Number of Nodes Scheduled: 3
Current Number of Nodes Scheduled: 3
Number of Nodes Scheduled with Up-to-date Pods: 2
Number of Nodes Scheduled with Available Pods: 2
Number of Nodes Misscheduled: 0
Pods Status:  1 Running / 1 Waiting / 0 Succeeded / 1 Failed
Pod Template:
  Labels:       name=fluentd
  Annotations:  kubectl.kubernetes.io/restartedAt: 2026-11-28T11:00:00Z
  Containers:
   fluentd:
    Image:      fluentd:v2
    Port:       24224/TCP
    Host Port:  0/TCP
    Args:
      --verbose
    Limits:
      memory:  200Mi
    Requests:
      cpu:     100m
      memory:  200Mi
    Environment:
      FLUENT_UID:  0
      NODE:         (v1:spec.nodeName)
    Mounts:
      /var/lib/docker from docker (ro)
      /var/log from varlog (rw)
  Volumes:
   varlog:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  \n   cache:
    Type:          EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:        \n    SizeLimit:     <unset>
  Node-Selectors:  kubernetes.io/os=linux
  Tolerations:     op=Exists
                   a:NoExecute op=Exists for 300s
                   node-role.kubernetes.io/master:NoSchedule
`;

describe('everynode describe ds', () => {
  it("prints kubectl's layout: aligned header, counters, pod phases, pod template, Events by last time", async () => {
    const { url, requests } = await serve(routes(events));
    const result = await runEverynode(['describe', 'ds', 'fluentd', '-n', 'kube-system', '--server', url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${header}Events:
  Type     Reason            Age                From                  Message
  ----     ------            ----               ----                  -------
  Normal   SuccessfulCreate  5m                 daemonset-controller  Created pod: fluentd-a
  Warning  FailedDaemonPod   30s (x3 over 10m)  daemonset-controller  Found failed daemon pod kube-system/fluentd-c on node w1, will try to kill it
`,
    );
    const byPath = (path: string) => requests.find((r) => r.path === path);
    expect(byPath('/api/v1/namespaces/kube-system/pods')?.query.get('labelSelector')).toBe('name=fluentd');
    expect(byPath('/api/v1/namespaces/kube-system/events')?.query.get('fieldSelector')).toBe(
      'involvedObject.name=fluentd,involvedObject.namespace=kube-system,involvedObject.kind=DaemonSet,involvedObject.uid=u1',
    );
  });

  it('says `Events:  <none>` aligned with the block above it, as kubectl does', async () => {
    const { url } = await serve(routes([]));
    const result = await runEverynode(['describe', 'daemonset/fluentd', '-n', 'kube-system', '--server', url]);
    expect(result.stdout).toBe(`${header.replace(/\n$/, '')}\nEvents:            <none>\n`);
  });

  it('leaves the Events section out when the server cannot list Events', async () => {
    const { url } = await serve({ ...routes([]), 'GET /api/v1/namespaces/kube-system/events': () => ({ status: 500 }) });
    const result = await runEverynode(['describe', 'ds', 'fluentd', '-n', 'kube-system', '--server', url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(header);
  });

  it('describes every DaemonSet whose name starts with NAME when none is called NAME', async () => {
    const { url } = await serve({
      ...routes([]),
      'GET /apis/apps/v1/namespaces/kube-system/daemonsets/fluent': () => notFound('daemonsets.apps', 'fluent'),
      'GET /apis/apps/v1/namespaces/kube-system/daemonsets': () => list('DaemonSetList', [fluentd]),
    });
    const result = await runEverynode(['describe', 'ds', 'fluent', '-n', 'kube-system', '--server', url]);
    expect(result.stdout.startsWith('Name:           fluentd\n')).toBe(true);
  });

  it('prints kubectl NotFound and exits 1', async () => {
    const { url } = await serve({
      'GET /apis/apps/v1/namespaces/default/daemonsets/nope': () => notFound('daemonsets.apps', 'nope'),
      'GET /apis/apps/v1/namespaces/default/daemonsets': () => list('DaemonSetList', []),
    });
    expect(await runEverynode(['describe', 'ds', 'nope', '--server', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\n',
    });
  });

  it('refuses an unknown resource type, and names the server when nothing listens', async () => {
    expect(await runEverynode(['describe', 'foo', 'x'])).toEqual({ code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n' });
    const { url, close } = await serve({});
    await close();
    expect((await runEverynode(['describe', 'ds', 'x', '--server', url])).stderr).toBe(
      `error: cannot reach everynode at ${url} (connect ECONNREFUSED): start one with \`everynode up\`\n`,
    );
  });
});
