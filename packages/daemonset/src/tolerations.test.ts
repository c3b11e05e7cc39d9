import type { Taint, Toleration } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import {
  addOrUpdateToleration,
  daemonPodTolerations,
  findUntoleratedTaint,
  toleratesTaint,
  withDaemonPodTolerations,
} from './tolerations.ts';

// staging/src/k8s.io/api/core/v1/toleration_test.go
describe('TestTolerationToleratesTaint', () => {
  const taint: Taint = { key: 'foo', value: 'bar', effect: 'NoSchedule' };
  it.each<[string, Toleration, Taint, boolean]>([
    ['same key, value and effect, operator Equal', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, taint, true],
    ['no operator means Equal', { key: 'foo', value: 'bar', effect: 'NoSchedule' }, taint, true],
    ['Equal with another value', { key: 'foo', operator: 'Equal', value: 'baz', effect: 'NoSchedule' }, taint, false],
    ['Exists ignores the value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, taint, true],
    ['another key', { key: 'other', operator: 'Exists', effect: 'NoSchedule' }, taint, false],
    ['another effect', { key: 'foo', operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['an empty effect matches every effect', { key: 'foo', operator: 'Exists' }, taint, true],
    ['an empty key with Exists matches every taint', { operator: 'Exists' }, taint, true],
    ['a missing value equals a missing value', { key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, true],
    ['a missing value equals an empty one', { key: 'k', value: '', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, true],
    ['a missing value does not equal "v"', { key: 'k', effect: 'NoSchedule' }, { key: 'k', value: 'v', effect: 'NoSchedule' }, false],
    ['an unsupported operator tolerates nothing', { key: 'foo', operator: 'Gt', value: '1', effect: 'NoSchedule' }, taint, false],
  ])('given a toleration and a taint with %s, when matched, then tolerated is %s', (_, toleration, t, expected) => {
    expect(toleratesTaint(toleration, t)).toBe(expected);
  });
});

// staging/src/k8s.io/component-helpers/scheduling/corev1/helpers_test.go
describe('TestFindMatchingUntoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'a', effect: 'NoSchedule' },
    { key: 'b', effect: 'NoExecute' },
  ];

  it('given no tolerations, when filtered to NoSchedule and NoExecute, then the first such taint is returned', () => {
    expect(findUntoleratedTaint(taints, [], ['NoSchedule', 'NoExecute'])).toEqual({ key: 'a', effect: 'NoSchedule' });
  });

  it('given the NoSchedule taint tolerated, when filtered to NoExecute only, then the NoExecute taint is returned', () => {
    expect(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], ['NoExecute'])).toEqual({ key: 'b', effect: 'NoExecute' });
  });

  it('given only a PreferNoSchedule taint untolerated, when filtered to NoSchedule and NoExecute, then none is returned', () => {
    const tolerations: Toleration[] = [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }];
    expect(findUntoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])).toBeUndefined();
  });
});

// pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations
describe('daemonPodTolerations', () => {
  const keys = (ts: Toleration[]) => ts.map((t) => `${t.key}:${t.effect}`);

  it('given a pod without host network, when listed, then the six automatic tolerations come in upstream order', () => {
    expect(keys(daemonPodTolerations(false))).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });

  it('given a host-network pod, when listed, then network-unavailable:NoSchedule comes last', () => {
    expect(keys(daemonPodTolerations(true)).at(-1)).toBe('node.kubernetes.io/network-unavailable:NoSchedule');
    expect(daemonPodTolerations(true)).toHaveLength(7);
  });

  it('given any pod, when listed, then every toleration is Exists and never expires', () => {
    for (const t of daemonPodTolerations(true)) {
      expect(t.operator).toBe('Exists');
      expect(t.tolerationSeconds).toBeUndefined();
    }
  });
});

// pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec
describe('AddOrUpdateTolerationInPodSpec', () => {
  const notReady: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' };

  it('given a user toleration with the same key, effect, operator and value but tolerationSeconds 300, when added, then it is replaced in place', () => {
    const user: Toleration[] = [{ key: 'a', operator: 'Exists' }, { ...notReady, tolerationSeconds: 300 }, { key: 'b', operator: 'Exists' }];
    expect(addOrUpdateToleration(user, notReady)).toEqual([{ key: 'a', operator: 'Exists' }, notReady, { key: 'b', operator: 'Exists' }]);
  });

  it('given an identical toleration, when added, then nothing changes', () => {
    const user: Toleration[] = [{ key: 'a', operator: 'Exists' }, { ...notReady }];
    expect(addOrUpdateToleration(user, notReady)).toEqual(user);
  });

  it('given a toleration with another operator, when added, then the new one is appended', () => {
    const user: Toleration[] = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }];
    expect(addOrUpdateToleration(user, notReady)).toEqual([...user, notReady]);
  });

  it('given any tolerations, when added to, then the input is not mutated', () => {
    const user: Toleration[] = [{ ...notReady, tolerationSeconds: 300 }];
    addOrUpdateToleration(user, notReady);
    expect(user).toEqual([{ ...notReady, tolerationSeconds: 300 }]);
  });
});

describe('withDaemonPodTolerations', () => {
  it('given a spec with a user not-ready:NoExecute toleration for 300s, when the daemon tolerations are added, then it becomes infinite, keeps its place, and the rest are appended', () => {
    const spec = {
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'user1', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    };
    const result = withDaemonPodTolerations(spec);
    expect(result.tolerations?.map((t) => [t.key, t.tolerationSeconds])).toEqual([
      ['dedicated', undefined],
      ['node.kubernetes.io/not-ready', undefined],
      ['node.kubernetes.io/unreachable', undefined],
      ['node.kubernetes.io/disk-pressure', undefined],
      ['node.kubernetes.io/memory-pressure', undefined],
      ['node.kubernetes.io/pid-pressure', undefined],
      ['node.kubernetes.io/unschedulable', undefined],
    ]);
    expect(spec.tolerations[1]?.tolerationSeconds).toBe(300);
  });

  it('given a host-network spec, when the daemon tolerations are added, then network-unavailable is tolerated', () => {
    const keys = withDaemonPodTolerations({ hostNetwork: true }).tolerations?.map((t) => t.key);
    expect(keys).toContain('node.kubernetes.io/network-unavailable');
  });

  it('given a spec that already has them, when they are added again, then nothing changes', () => {
    const once = withDaemonPodTolerations({});
    expect(withDaemonPodTolerations(once)).toEqual(once);
  });
});
