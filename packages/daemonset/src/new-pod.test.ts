import { describe, expect, it } from 'vitest';
import { type DaemonSet, type Pod, TemplateGenerationAnnotation } from '@everynode/api';
import { daemonPodLike, daemonPodName, newDaemonPod } from './new-pod.ts';
import { newDaemonSet } from './testing/fixtures.ts';

describe('daemonPodName', () => {
  it('gives 200,000 pods of a DaemonSet 200,000 distinct <ds>-<5 chars> names without looking any up', () => {
    const ds = newDaemonSet('fluentd');
    const names = new Set<string>();
    for (let seq = 0; seq < 200_000; seq++) names.add(daemonPodName(ds, seq, () => false));
    expect(names.size).toBe(200_000);
    expect([...names].every((n) => /^fluentd-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(n))).toBe(true);
  });

  it('skips a name taken by a pod from elsewhere, deterministically', () => {
    const ds = newDaemonSet('fluentd');
    const first = daemonPodName(ds, 7, () => false);
    const other = daemonPodName(ds, 7, (n) => n === first);
    expect(other).not.toBe(first);
    expect(daemonPodName(ds, 7, (n) => n === first)).toBe(other);
  });

  it('differs between DaemonSets of the same name with different uids', () => {
    const a = newDaemonSet('x');
    const b = { ...newDaemonSet('x'), metadata: { ...newDaemonSet('x').metadata, uid: 'another' } };
    expect(daemonPodName(a, 0, () => false)).not.toBe(daemonPodName(b, 0, () => false));
  });
});

describe('daemonPodLike', () => {
  const input = (ds: DaemonSet, nodeName: string, sequence: number) => ({ ds, nodeName, hash: 'abc123', sequence, now: Date.UTC(2026, 10, 28), nameTaken: () => false });
  const templates: [string, (ds: DaemonSet) => DaemonSet][] = [
    ['a plain template', (ds) => ds],
    [
      'a template with tolerations, node affinity of its own, annotations and a template generation',
      (ds) => ({
        ...ds,
        metadata: { ...ds.metadata, annotations: { [TemplateGenerationAnnotation]: '4' } },
        spec: {
          ...ds.spec,
          template: {
            metadata: { labels: ds.spec.template.metadata?.labels ?? {}, annotations: { note: 'x' } },
            spec: {
              ...ds.spec.template.spec,
              tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
              affinity: {
                podAntiAffinity: {},
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
                  preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
                },
              },
            },
          },
        },
      }),
    ],
  ];

  it.each(templates)('rebuilds, from another pod of the same pass, exactly the pod newDaemonPod gives (%s)', (_, shape) => {
    const ds = shape(newDaemonSet('fluentd'));
    const first = newDaemonPod(input(ds, 'node-1', 0));
    for (const [node, sequence] of [['node-2', 1], ['node 3', 2], ['node-1', 0]] as const) {
      const pod = newDaemonPod(input(ds, node, sequence));
      const like = daemonPodLike(first, node, pod.metadata.name, pod.metadata.uid as string);
      // Key order included: the log's JSON of a rebuilt pod is the projection's.
      expect(JSON.stringify(like)).toBe(JSON.stringify(pod));
      expect(JSON.stringify(daemonPodLike(JSON.parse(JSON.stringify(first)) as Pod, node, pod.metadata.name, pod.metadata.uid as string))).toBe(JSON.stringify(pod));
    }
  });
});
