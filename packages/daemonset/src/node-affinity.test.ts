import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { replaceDaemonSetPodNodeNameNodeAffinity, requiredNodeAffinityMatches, targetNodeName } from './node-affinity.ts';
import { newNode, newPod } from './testing/fixtures.ts';

const required = (...nodeSelectorTerms: NodeSelectorTerm[]): PodSpec => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } },
});
const expr = (key: string, operator: string, values?: string[]): NodeSelectorTerm => ({ matchExpressions: [{ key, operator, values }] });
const field = (operator: string, values?: string[], key = 'metadata.name'): NodeSelectorTerm => ({ matchFields: [{ key, operator, values }] });
const nameIn = (node: string): NodeSelectorRequirement => ({ key: 'metadata.name', operator: 'In', values: [node] });

// staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go
describe('TestNodeSelectorMatch / TestRequiredNodeAffinityMatch', () => {
  const node = newNode('node-1', { foo: 'bar', zone: 'a', cpus: '8', odd: 'x8' });

  it.each<[string, PodSpec, boolean]>([
    ['no nodeSelector and no affinity', {}, true],
    ['a nodeSelector the labels satisfy', { nodeSelector: { foo: 'bar' } }, true],
    ['a nodeSelector with another value', { nodeSelector: { foo: 'baz' } }, false],
    ['a nodeSelector on an absent label, even for ""', { nodeSelector: { missing: '' } }, false],
    ['In a listed value', required(expr('zone', 'In', ['b', 'a'])), true],
    ['In no listed value', required(expr('zone', 'In', ['b'])), false],
    ['NotIn on an absent label', required(expr('missing', 'NotIn', ['a'])), true],
    ['NotIn a listed value', required(expr('zone', 'NotIn', ['a'])), false],
    ['Exists', required(expr('foo', 'Exists')), true],
    ['DoesNotExist on a present label', required(expr('foo', 'DoesNotExist')), false],
    ['DoesNotExist on an absent label', required(expr('missing', 'DoesNotExist')), true],
    ['Gt a smaller integer', required(expr('cpus', 'Gt', ['4'])), true],
    ['Gt an equal integer', required(expr('cpus', 'Gt', ['8'])), false],
    ['Lt a larger integer', required(expr('cpus', 'Lt', ['16'])), true],
    ['Lt a negative integer', required(expr('cpus', 'Lt', ['-1'])), false],
    ['Gt on a label that is not an integer', required(expr('odd', 'Gt', ['1'])), false],
    ['Gt on an absent label', required(expr('missing', 'Gt', ['1'])), false],
    ['Gt a value that is not an integer', required(expr('cpus', 'Gt', ['1.5'])), false],
    ['Gt with two values', required(expr('cpus', 'Gt', ['1', '2'])), false],
    ['Lt a value beyond int64', required(expr('cpus', 'Lt', ['9223372036854775808'])), false],
    ['In with no values (unparsable)', required(expr('zone', 'In', [])), false],
    ['Exists with values (unparsable)', required(expr('foo', 'Exists', ['bar'])), false],
    ['an unknown operator', required(expr('foo', 'Equals', ['bar'])), false],
    ['matchFields metadata.name In the node', required(field('In', ['node-1'])), true],
    ['matchFields metadata.name In another node', required(field('In', ['node-2'])), false],
    ['matchFields metadata.name NotIn another node', required(field('NotIn', ['node-2'])), true],
    ['matchFields metadata.name NotIn the node', required(field('NotIn', ['node-1'])), false],
    ['matchFields In with two values', required(field('In', ['node-1', 'node-2'])), false],
    ['matchFields with Exists', required(field('Exists')), false],
    ['matchFields on another field', required(field('NotIn', ['x'], 'metadata.uid')), false],
    ['an empty term', required({}), false],
    ['an empty term and a matching one (ORed)', required({}, expr('foo', 'Exists')), true],
    ['an unparsable term and a matching one', required(expr('zone', 'In', []), field('In', ['node-1'])), true],
    ['zero terms', required(), false],
    ['expressions and fields in one term, both hold (ANDed)', required({ ...expr('foo', 'In', ['bar']), matchFields: [nameIn('node-1')] }), true],
    ['expressions and fields in one term, one fails', required({ ...expr('foo', 'In', ['bar']), matchFields: [nameIn('node-2')] }), false],
    ['a matching nodeSelector AND a failing affinity', { nodeSelector: { foo: 'bar' }, ...required(expr('zone', 'In', ['b'])) }, false],
    ['a failing nodeSelector AND a matching affinity', { nodeSelector: { foo: 'baz' }, ...required(expr('zone', 'In', ['a'])) }, false],
  ])('given a pod with %s, when matched against the node, then matches is %s', (_, spec, expected) => {
    expect(requiredNodeAffinityMatches(spec, node)).toBe(expected);
  });

  it('given a pod with only preferred terms the node fails, when matched, then they are ignored', () => {
    const spec: PodSpec = {
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: expr('zone', 'In', ['z']) }] } },
    };
    expect(requiredNodeAffinityMatches(spec, node)).toBe(true);
  });
});

// pkg/controller/daemon/util/daemonset_util_test.go
describe('TestReplaceDaemonSetPodNodeNameNodeAffinity', () => {
  const only = (node: string): Affinity => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [nameIn(node)] }] } },
  });
  const preferred = [{ weight: 1, preference: expr('kubernetes.io/hostname', 'In', ['host_1']) }];

  it.each<[string, Affinity | undefined]>([
    ['no affinity', undefined],
    ['an affinity without nodeAffinity', {}],
    ['a required hostname term', required(expr('kubernetes.io/hostname', 'In', ['host_1'])).affinity],
    ['a metadata.name In with two values', required(field('In', ['host_1', 'host_2'])).affinity],
    ['a label term and a metadata.name term for another node', required(expr('hostname', 'In', ['host_1']), field('In', ['host_2'])).affinity],
    ['a metadata.name NotIn term', required(field('NotIn', ['host_2'])).affinity],
    ['a term on an unknown field', required(field('In', ['bar'], 'metadata.foo')).affinity],
  ])('given %s, when replaced for host_1, then the only required term is metadata.name In [host_1]', (_, affinity) => {
    expect(replaceDaemonSetPodNodeNameNodeAffinity(affinity, 'host_1')).toEqual(only('host_1'));
  });

  it('given user required terms and preferred terms, when replaced, then required terms are dropped, preferred kept, and the input not mutated', () => {
    const affinity: Affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [expr('zone', 'In', ['a']), expr('zone', 'In', ['b'])] },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
      podAntiAffinity: { keep: true },
    };
    const before = JSON.parse(JSON.stringify(affinity)) as Affinity;
    expect(replaceDaemonSetPodNodeNameNodeAffinity(affinity, 'host_1')).toEqual({
      nodeAffinity: { ...only('host_1').nodeAffinity, preferredDuringSchedulingIgnoredDuringExecution: preferred },
      podAntiAffinity: { keep: true },
    });
    expect(affinity).toEqual(before);
  });
});

// pkg/controller/daemon/util/daemonset_util_test.go
describe('TestGetTargetNodeName', () => {
  const withSpec = (spec: PodSpec): Pod => ({ ...newPod('pod', '', {}), spec });

  it('given a bound pod, when its target is read, then it is spec.nodeName', () => {
    expect(targetNodeName(newPod('pod1', 'node-1', {}))).toBe('node-1');
  });

  it('given a pending pod with metadata.name In [node-1], when its target is read, then it is node-1', () => {
    expect(targetNodeName(withSpec(required(expr('zone', 'In', ['a']), field('In', ['node-1']))))).toBe('node-1');
  });

  it('given a pending pod with metadata.name In two nodes, when its target is read, then there is none', () => {
    expect(targetNodeName(withSpec(required(field('In', ['node-1', 'node-2']))))).toBeUndefined();
  });

  it('given a pending pod without affinity, when its target is read, then there is none', () => {
    expect(targetNodeName(withSpec({}))).toBeUndefined();
  });

  it('given a pending pod with only metadata.name NotIn, when its target is read, then there is none', () => {
    expect(targetNodeName(withSpec(required(field('NotIn', ['node-1']))))).toBeUndefined();
  });

  it('given several terms and fields, when its target is read, then it is the first metadata.name In, in term then field order', () => {
    const notIn = { key: 'metadata.name', operator: 'NotIn', values: ['node-0'] };
    const otherKey = { key: 'metadata.uid', operator: 'In', values: ['x'] };
    const terms: NodeSelectorTerm[] = [
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      { matchFields: [notIn, otherKey] },
      { matchFields: [notIn, nameIn('node-2'), nameIn('node-3')] },
      { matchFields: [nameIn('node-4')] },
    ];
    expect(targetNodeName(withSpec(required(...terms)))).toBe('node-2');
    // The first metadata.name In decides, even when it does not name exactly one node.
    const two = { key: 'metadata.name', operator: 'In', values: ['node-5', 'node-6'] };
    expect(targetNodeName(withSpec(required({ matchFields: [two, nameIn('node-7')] }, { matchFields: [nameIn('node-8')] })))).toBeUndefined();
  });
});
