import type { DaemonSet, Node, NodeCondition, PodSpec, Taint, Toleration } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { newDaemonSet, newNode, simpleDaemonSetLabel, simpleDaemonSetLabel2, simpleNodeLabel, simpleNodeLabel2 } from './testing/fixtures.ts';

// Mirrors pkg/controller/daemon/daemon_controller_test.go: where upstream syncs and
// counts creates, we ask the predicate those creates follow from.

const RUN = { shouldRun: true, shouldContinueRunning: true };
const KEEP_ONLY = { shouldRun: false, shouldContinueRunning: true };
const NEITHER = { shouldRun: false, shouldContinueRunning: false };

const noScheduleTolerations: Toleration[] = [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }];
const noScheduleTaints: Taint[] = [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }];
const noExecuteTaints: Taint[] = [{ key: 'dedicated', value: 'user1', effect: 'NoExecute' }];

function dsWith(spec: PodSpec, name = 'foo'): DaemonSet {
  const ds = newDaemonSet(name);
  return { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, ...spec } } } };
}
function tainted(node: Node, taints: Taint[]): Node {
  return { ...node, spec: { ...node.spec, taints } };
}
function withConditions(node: Node, ...conditions: NodeCondition[]): Node {
  return { ...node, status: { conditions } };
}
/** `addNodes(store, start, n, labels)`: node-<start> … node-<start+n-1>. */
function addNodes(start: number, n: number, labels?: Record<string, string>): Node[] {
  return Array.from({ length: n }, (_, i) => newNode(`node-${start + i}`, labels));
}
/** The nodes a DaemonSet would create pods on (upstream counts `expectedCreates`). */
function launchedOn(nodes: Node[], ds: DaemonSet): string[] {
  return nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).map((n) => n.metadata.name);
}

describe('TestSimpleDaemonSetLaunchesPods', () => {
  it('given 5 plain nodes, when a DaemonSet without selectors is checked, then it runs on all 5', () => {
    expect(launchedOn(addNodes(0, 5), newDaemonSet('foo'))).toHaveLength(5);
  });
});

describe('TestNodeShouldRunDaemonPod', () => {
  const node = newNode('test-node', simpleDaemonSetLabel);
  const typeIn = (value: string): PodSpec => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'In', values: [value] }] }] },
      },
    },
  });

  it.each<[string, PodSpec, Node, typeof RUN]>([
    ['ShouldRunDaemonPod', {}, node, RUN],
    ['InsufficientResourceError (resources are the scheduler’s)', { containers: [{ resources: { requests: { memory: '200M', cpu: '0.5' } } }] }, node, RUN],
    ['ErrPodNotMatchHostName', { nodeName: 'other-node' }, node, NEITHER],
    ['ErrPodNotFitsHostPorts (ports are the scheduler’s)', { containers: [{ ports: [{ hostPort: 666 }] }] }, node, RUN],
    ['ErrNodeSelectorNotMatch', { nodeSelector: simpleDaemonSetLabel2 }, node, NEITHER],
    ['ShouldRunDaemonPod with a matching nodeSelector', { nodeSelector: simpleDaemonSetLabel }, node, RUN],
    ['ErrPodAffinityNotMatch', typeIn('test'), node, NEITHER],
    ['ShouldRunDaemonPod with matching affinity', typeIn('production'), node, RUN],
    ['ShouldRunDaemonPodOnUnschedulableNode', {}, { ...node, spec: { unschedulable: true } }, RUN],
  ])('given case %s, when checked, then the verdict matches upstream', (_, spec, n, expected) => {
    expect(nodeShouldRunDaemonPod(n, dsWith(spec))).toEqual(expected);
  });
});

describe('taints', () => {
  it('TestTaintedNodeDaemonDoesNotLaunchIntolerantPod: given a NoSchedule-tainted node and no toleration, when checked, then no pod is launched', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), noScheduleTaints), newDaemonSet('intolerant')).shouldRun).toBe(false);
  });

  it('TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod: given the same node, when checked, then a running pod stays', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), noScheduleTaints), newDaemonSet('intolerant'))).toEqual(KEEP_ONLY);
  });

  it('TestNoExecuteTaintedDoesEvicitRunningIntolerantPod: given an untolerated NoExecute taint, when checked, then neither', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), noExecuteTaints), newDaemonSet('intolerant'))).toEqual(NEITHER);
  });

  it('TestTaintedNodeDaemonLaunchesToleratePod: given a NoSchedule taint the template tolerates, when checked, then it runs', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), noScheduleTaints), dsWith({ tolerations: noScheduleTolerations }))).toEqual(RUN);
  });

  it('TestNodeDaemonLaunchesToleratePod: given an untainted node and a tolerating template, when checked, then it runs', () => {
    expect(nodeShouldRunDaemonPod(newNode('node-0'), dsWith({ tolerations: noScheduleTolerations }))).toEqual(RUN);
  });

  it('given only a PreferNoSchedule taint, when checked, then it is ignored', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('n'), [{ key: 'soft', effect: 'PreferNoSchedule' }]), newDaemonSet('foo'))).toEqual(RUN);
  });

  it('given a NoExecute taint tolerated for only 60s, when checked, then tolerationSeconds is ignored and it runs', () => {
    const ds = dsWith({ tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] });
    expect(nodeShouldRunDaemonPod(tainted(newNode('n'), noExecuteTaints), ds)).toEqual(RUN);
  });

  it('given a template tolerating everything (operator Exists, no key), when checked against any taint, then it runs', () => {
    const node = withConditions(tainted(newNode('n'), [...noExecuteTaints, ...noScheduleTaints]), { type: 'Ready', status: 'False' });
    expect(nodeShouldRunDaemonPod(node, dsWith({ tolerations: [{ operator: 'Exists' }] }))).toEqual(RUN);
  });
});

describe('node conditions (automatic daemon tolerations; docs/contract.md §1)', () => {
  const notReadyNoExecute: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' };
  const unreachableNoExecute: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' };

  it('TestNotReadyNodeDaemonLaunchesPod: given a node tainted not-ready:NoExecute, when checked, then it still gets a pod', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), [notReadyNoExecute]), newDaemonSet('simple'))).toEqual(RUN);
  });

  it('TestUnreachableNodeDaemonLaunchesPod: given a node tainted unreachable:NoExecute, when checked, then it still gets a pod', () => {
    expect(nodeShouldRunDaemonPod(tainted(newNode('tainted'), [unreachableNoExecute]), newDaemonSet('simple'))).toEqual(RUN);
  });

  // Upstream's unit test also sets Ready False and still expects a create, as its
  // controller reads no conditions; docs/contract.md §1 adds not-ready:NoSchedule, which
  // is not auto-tolerated — as on a real cluster, where the lifecycle controller adds it.
  it('given a Ready=False node, when checked, then no new pod, but an existing one continues', () => {
    const node = withConditions(tainted(newNode('tainted'), [notReadyNoExecute]), { type: 'Ready', status: 'False' });
    expect(nodeShouldRunDaemonPod(node, newDaemonSet('simple'))).toEqual(KEEP_ONLY);
  });

  it('given a Ready=Unknown node, when checked, then no new pod, but an existing one continues', () => {
    const node = withConditions(newNode('n'), { type: 'Ready', status: 'Unknown' });
    expect(nodeShouldRunDaemonPod(node, newDaemonSet('simple'))).toEqual(KEEP_ONLY);
  });

  it('TestTaintPressureNodeDaemonLaunchesPod: given memory, disk and PID pressure (as taints and as conditions), when checked, then it runs', () => {
    const pressure: NodeCondition[] = ['DiskPressure', 'MemoryPressure', 'PIDPressure'].map((type) => ({ type, status: 'True' }));
    const byTaints = tainted(newNode('resources-pressure'), [
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
    ]);
    expect(nodeShouldRunDaemonPod(withConditions(byTaints, ...pressure), newDaemonSet('critical'))).toEqual(RUN);
    expect(nodeShouldRunDaemonPod(withConditions(newNode('resources-pressure'), ...pressure), newDaemonSet('critical'))).toEqual(RUN);
  });

  it('given an unschedulable (cordoned) node, when checked, then it still gets a pod', () => {
    expect(nodeShouldRunDaemonPod({ ...newNode('cordoned'), spec: { unschedulable: true } }, newDaemonSet('foo'))).toEqual(RUN);
  });

  it('TestNetworkUnavailableNodeDaemonLaunchesPod: given NetworkUnavailable, when a host-network DaemonSet is checked, then it runs', () => {
    const node = withConditions(newNode('network-unavailable'), { type: 'NetworkUnavailable', status: 'True' });
    expect(nodeShouldRunDaemonPod(node, dsWith({ hostNetwork: true }, 'simple'))).toEqual(RUN);
  });

  // Upstream's unit test expects a create here too (conditions unread); the
  // network-unavailable taint is tolerated only by host-network pods.
  it('given NetworkUnavailable, when a pod-network DaemonSet is checked, then no new pod, but an existing one continues', () => {
    const node = withConditions(newNode('network-unavailable'), { type: 'NetworkUnavailable', status: 'True' });
    expect(nodeShouldRunDaemonPod(node, newDaemonSet('simple'))).toEqual(KEEP_ONLY);
  });
});

describe('selectors, affinity and node name', () => {
  const cluster = [...addNodes(0, 4), ...addNodes(4, 3, simpleNodeLabel)];
  const colorIn = (color: string): PodSpec => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'color', operator: 'In', values: [color] }] }] },
      },
    },
  });

  it('TestSelectorDaemonLaunchesPods: given 4 plain and 3 labelled nodes, when the nodeSelector matches the label, then it runs on the 3', () => {
    expect(launchedOn(cluster, dsWith({ nodeSelector: simpleNodeLabel }))).toEqual(['node-4', 'node-5', 'node-6']);
  });

  it('TestBadSelectorDaemonDoesNothing: given the same nodes, when the nodeSelector matches none, then it runs nowhere', () => {
    expect(launchedOn(cluster, dsWith({ nodeSelector: simpleNodeLabel2 }))).toEqual([]);
  });

  it('TestSelectorDaemonDeletesUnselectedPods: given an unselected node, when checked, then an existing pod does not continue', () => {
    expect(nodeShouldRunDaemonPod(newNode('node-0'), dsWith({ nodeSelector: simpleNodeLabel }))).toEqual(NEITHER);
  });

  it('TestNodeAffinityDaemonLaunchesPods: given the same nodes, when required affinity picks color=blue, then it runs on the 3', () => {
    expect(launchedOn(cluster, dsWith(colorIn('blue')))).toEqual(['node-4', 'node-5', 'node-6']);
  });

  it('given a nodeSelector AND a required affinity, when only some nodes satisfy both, then it runs only there', () => {
    const nodes = [newNode('blue-fast', simpleNodeLabel), newNode('red-fast', simpleNodeLabel2), newNode('blue-slow', { color: 'blue', speed: 'slow' })];
    expect(launchedOn(nodes, dsWith({ nodeSelector: { speed: 'fast' }, ...colorIn('blue') }))).toEqual(['blue-fast']);
  });

  it('TestNameDaemonSetLaunchesPods: given 5 nodes, when the template names node-0, then it runs only there', () => {
    expect(launchedOn(addNodes(0, 5), dsWith({ nodeName: 'node-0' }))).toEqual(['node-0']);
  });

  it('TestBadNameDaemonSetDoesNothing: given 5 nodes, when the template names node-10, then it runs nowhere', () => {
    expect(launchedOn(addNodes(0, 5), dsWith({ nodeName: 'node-10' }))).toEqual([]);
  });

  it('TestNameAndSelectorDaemonSetLaunchesPods: given a name and selector both matching node-6, when checked, then it runs only there', () => {
    expect(launchedOn(cluster, dsWith({ nodeSelector: simpleNodeLabel, nodeName: 'node-6' }))).toEqual(['node-6']);
  });

  it('TestInconsistentNameSelectorDaemonSetDoesNothing: given a name and a selector naming different nodes, when checked, then it runs nowhere', () => {
    expect(launchedOn(cluster, dsWith({ nodeSelector: simpleNodeLabel, nodeName: 'node-0' }))).toEqual([]);
  });

  it('given a required term that is empty, when checked, then it runs nowhere', () => {
    const empty: PodSpec = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } };
    expect(launchedOn(cluster, dsWith(empty))).toEqual([]);
  });

  it('given matchFields metadata.name NotIn [node-0], when checked, then it runs everywhere else', () => {
    const notIn: PodSpec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-0'] }] }] },
        },
      },
    };
    expect(launchedOn(addNodes(0, 3), dsWith(notIn))).toEqual(['node-1', 'node-2']);
  });

  it('given Gt/Lt on a numeric label, when checked, then only nodes within the bounds qualify', () => {
    const nodes = [newNode('small', { cpus: '2' }), newNode('mid', { cpus: '8' }), newNode('big', { cpus: '64' }), newNode('none')];
    const bounds: PodSpec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['4'] }, { key: 'cpus', operator: 'Lt', values: ['32'] }] }],
          },
        },
      },
    };
    expect(launchedOn(nodes, dsWith(bounds))).toEqual(['mid']);
  });
});

// The seed's fixtures (test/fixtures/*.yaml), inlined.
describe('seed fixtures: cluster-6-nodes with fluentd-daemonset and only-master03-daemonset', () => {
  const master = (name: string): Node => ({
    ...newNode(name, { 'kubernetes.io/hostname': name, 'node-role.kubernetes.io/master': '' }),
    spec: { taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] },
  });
  const worker = (name: string): Node => ({ ...newNode(name, { 'kubernetes.io/hostname': name }), spec: {} });
  const cluster = [master('master01'), master('master02'), master('master03'), worker('worker01'), worker('worker02'), worker('worker03')];
  const masterToleration: Toleration = { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' };

  const fluentd: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd-elasticsearch', namespace: 'kube-system', labels: { 'k8s-app': 'fluentd-logging' } },
    spec: {
      selector: { matchLabels: { name: 'fluentd-elasticsearch' } },
      template: {
        metadata: { labels: { name: 'fluentd-elasticsearch' } },
        spec: {
          tolerations: [masterToleration],
          containers: [
            {
              name: 'fluentd-elasticsearch',
              image: 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2',
              resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m', memory: '200Mi' } },
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };

  const onlyMaster03: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-exporter-master03', namespace: 'monitoring' },
    spec: {
      selector: { matchLabels: { app: 'node-exporter-master03' } },
      template: {
        metadata: { labels: { app: 'node-exporter-master03' } },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['master03'] }] }],
              },
            },
          },
          tolerations: [masterToleration],
          containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
        },
      },
    },
  };

  it('given the 6-node cluster, when fluentd (tolerating master:NoSchedule by key and effect, no operator) is checked, then it runs on all 6', () => {
    expect(launchedOn(cluster, fluentd)).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
  });

  it('given the 6-node cluster, when a DaemonSet without the master toleration is checked, then it runs on the workers only', () => {
    const intolerant: DaemonSet = { ...fluentd, spec: { ...fluentd.spec, template: { ...fluentd.spec.template, spec: { containers: [] } } } };
    expect(launchedOn(cluster, intolerant)).toEqual(['worker01', 'worker02', 'worker03']);
  });

  it('given the 6-node cluster, when only-master03 is checked, then only master03 qualifies', () => {
    expect(launchedOn(cluster, onlyMaster03)).toEqual(['master03']);
    expect(nodeShouldRunDaemonPod(cluster[0] as Node, onlyMaster03)).toEqual(NEITHER);
  });
});
