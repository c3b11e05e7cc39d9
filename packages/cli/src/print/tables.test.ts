import { describe, expect, it } from 'vitest';
import { daemonSet, node, pod } from '../testing/objects.ts';
import { testNow } from '../testing/run.ts';
import { daemonSetTable } from './daemonsets.ts';
import { nodeTable } from './nodes.ts';
import { podTable } from './pods.ts';
import { renderTable } from './table.ts';

const plain = { wide: false, withNamespace: false, now: testNow };

/** Lines joined as kubectl prints them: no trailing blanks, a final newline. */
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

describe('renderTable (kubectl tabwriter: padding 3, min width 6)', () => {
  it('pads columns to the widest cell plus three spaces and leaves the last column unpadded', () => {
    expect(renderTable(['name', 'value'], [['a', 'x'], ['longer', 'yy']])).toBe(lines('NAME     VALUE', 'a        x', 'longer   yy'));
  });
  it('gives a narrow column the minimum width', () => {
    expect(renderTable(['ip', 'x'], [['1', '2']])).toBe(lines('IP    X', '1     2'));
  });
});

describe('daemonSetTable', () => {
  const ds = daemonSet('ds', {
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 },
  });

  it('prints kubectl columns', () => {
    expect(daemonSetTable([ds], plain)).toBe(
      lines(
        'NAME   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE',
        'ds     3         3         2       3            2           kubernetes.io/os=linux   5m',
      ),
    );
  });

  it('puts NAMESPACE first with -A, zeros and <none> for a new DaemonSet', () => {
    const fresh = daemonSet('fluentd', { namespace: 'kube-system', created: '2026-11-28T11:59:30Z' });
    expect(daemonSetTable([fresh], { ...plain, withNamespace: true })).toBe(
      lines(
        'NAMESPACE     NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE',
        'kube-system   fluentd   0         0         0       0            0           <none>          30s',
      ),
    );
  });

  it('adds CONTAINERS IMAGES SELECTOR with -o wide', () => {
    expect(daemonSetTable([ds], { ...plain, wide: true })).toBe(
      lines(
        'NAME   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE   CONTAINERS   IMAGES                    SELECTOR',
        'ds     3         3         2       3            2           kubernetes.io/os=linux   5m    ds           registry.example/ds:1.0   app=ds',
      ),
    );
  });
});

describe('nodeTable', () => {
  it('prints STATUS from Ready and cordoning, ROLES from role labels, VERSION or <none>', () => {
    const nodes = [
      node('master01', { roles: ['master', 'control-plane'], version: 'v1.32.5' }),
      node('worker01', { unschedulable: true }),
      node('worker02', { ready: 'False', created: '2026-11-28T09:00:00Z' }),
      node('worker03', { ready: 'Unknown' }),
      node('worker04', { ready: 'none' }),
    ];
    expect(nodeTable(nodes, plain)).toBe(
      lines(
        'NAME       STATUS                     ROLES                  AGE   VERSION',
        'master01   Ready                      control-plane,master   2d    v1.32.5',
        'worker01   Ready,SchedulingDisabled   <none>                 2d    <none>',
        'worker02   NotReady                   <none>                 3h    <none>',
        'worker03   NotReady                   <none>                 2d    <none>',
        'worker04   Unknown                    <none>                 2d    <none>',
      ),
    );
  });
});

describe('podTable', () => {
  const pods = [
    pod('fluentd-abcde', { nodeName: 'worker01', podIP: '10.0.0.7' }),
    pod('fluentd-fghij', { phase: 'Pending', ready: false }),
    pod('fluentd-klmno', { nodeName: 'worker02', deleting: true }),
  ];

  it('prints READY, STATUS (Terminating when deleting), RESTARTS, AGE', () => {
    expect(podTable(pods, plain)).toBe(
      lines(
        'NAME            READY   STATUS        RESTARTS   AGE',
        'fluentd-abcde   1/1     Running       0          60s',
        'fluentd-fghij   0/1     Pending       0          60s',
        'fluentd-klmno   1/1     Terminating   0          60s',
      ),
    );
  });

  it('adds IP NODE NOMINATED NODE READINESS GATES with -o wide', () => {
    expect(podTable(pods.slice(0, 2), { ...plain, wide: true })).toBe(
      lines(
        'NAME            READY   STATUS    RESTARTS   AGE   IP         NODE       NOMINATED NODE   READINESS GATES',
        'fluentd-abcde   1/1     Running   0          60s   10.0.0.7   worker01   <none>           <none>',
        'fluentd-fghij   0/1     Pending   0          60s   <none>     <none>     <none>           <none>',
      ),
    );
  });
});
