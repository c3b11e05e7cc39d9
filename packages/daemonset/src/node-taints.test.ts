import type { Node, NodeCondition } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { effectiveTaints } from './node-taints.ts';
import { newNode } from './testing/fixtures.ts';

// docs/contract.md §1: conditions and spec.unschedulable act as the node lifecycle controller's taints.
describe('effectiveTaints', () => {
  const withConditions = (...conditions: NodeCondition[]): Node => ({ ...newNode('n'), status: { conditions } });

  it('given a Ready, schedulable node without taints, when its taints are derived, then there are none', () => {
    expect(effectiveTaints(newNode('n'))).toEqual([]);
  });

  it.each<[string, NodeCondition, string]>([
    ['Ready False', { type: 'Ready', status: 'False' }, 'node.kubernetes.io/not-ready'],
    ['Ready Unknown', { type: 'Ready', status: 'Unknown' }, 'node.kubernetes.io/unreachable'],
    ['MemoryPressure True', { type: 'MemoryPressure', status: 'True' }, 'node.kubernetes.io/memory-pressure'],
    ['DiskPressure True', { type: 'DiskPressure', status: 'True' }, 'node.kubernetes.io/disk-pressure'],
    ['PIDPressure True', { type: 'PIDPressure', status: 'True' }, 'node.kubernetes.io/pid-pressure'],
    ['NetworkUnavailable True', { type: 'NetworkUnavailable', status: 'True' }, 'node.kubernetes.io/network-unavailable'],
  ])('given a node with %s, when its taints are derived, then it carries %s:NoSchedule', (_, condition, key) => {
    expect(effectiveTaints(withConditions(condition))).toEqual([{ key, effect: 'NoSchedule' }]);
  });

  it.each<[string, NodeCondition]>([
    ['MemoryPressure False', { type: 'MemoryPressure', status: 'False' }],
    ['NetworkUnavailable Unknown', { type: 'NetworkUnavailable', status: 'Unknown' }],
    ['an unknown condition', { type: 'KernelDeadlock', status: 'True' }],
  ])('given a node with %s, when its taints are derived, then it carries none', (_, condition) => {
    expect(effectiveTaints(withConditions(condition))).toEqual([]);
  });

  it('given a node without a Ready condition, when its taints are derived, then it counts as Ready', () => {
    expect(effectiveTaints(withConditions())).toEqual([]);
  });

  it('given an unschedulable (cordoned) node, when its taints are derived, then it carries unschedulable:NoSchedule', () => {
    const node: Node = { ...newNode('n'), spec: { unschedulable: true } };
    expect(effectiveTaints(node)).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  });

  it('given a node that already carries the taint a condition implies, when its taints are derived, then it is not repeated', () => {
    const node: Node = {
      ...withConditions({ type: 'Ready', status: 'False' }),
      spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }] },
    };
    expect(effectiveTaints(node)).toEqual(node.spec?.taints);
  });

  it('given a node carrying the same key with another effect, when its taints are derived, then the NoSchedule one is still added', () => {
    const node: Node = {
      ...withConditions({ type: 'Ready', status: 'False' }),
      spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] },
    };
    expect(effectiveTaints(node)).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
  });

  it('given a node with taints and conditions, when its taints are derived, then spec taints come first and the node is not mutated', () => {
    const node: Node = {
      ...withConditions({ type: 'DiskPressure', status: 'True' }),
      spec: { taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], unschedulable: true },
    };
    const before = JSON.parse(JSON.stringify(node)) as Node;
    expect(effectiveTaints(node).map((t) => t.key)).toEqual(['dedicated', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/unschedulable']);
    expect(node).toEqual(before);
  });
});
