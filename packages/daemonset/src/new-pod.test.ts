import { describe, expect, it } from 'vitest';
import {
  ControllerRevisionHashLabel,
  type DaemonSet,
  type Pod,
  PodTemplateGenerationLabel,
  TemplateGenerationAnnotation,
} from '@everynode/api';
import { deterministicUid } from './hash.ts';
import { replaceDaemonSetPodNodeNameNodeAffinity } from './node-affinity.ts';
import { controllerRef, daemonPodLike, daemonPodMaker, daemonPodName, newDaemonPod } from './new-pod.ts';
import { daemonTolerationsOf } from './tolerations.ts';
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

describe('daemonPodMaker', () => {
  /** `newDaemonPod` as it was written before `daemonPodMaker` shared what a pass's pods have alike: everything made per pod. */
  function newDaemonPodAsBefore(ds: DaemonSet, nodeName: string, hash: string, sequence: number, now: number, nameTaken: (name: string) => boolean): Pod {
    const template = ds.spec.template;
    const labels: Record<string, string> = { ...template.metadata?.labels, [ControllerRevisionHashLabel]: hash };
    const templateGeneration = ds.metadata.annotations?.[TemplateGenerationAnnotation];
    if (templateGeneration !== undefined) labels[PodTemplateGenerationLabel] = templateGeneration;
    const name = daemonPodName(ds, sequence, nameTaken);
    const spec = { ...template.spec, tolerations: daemonTolerationsOf(template.spec), affinity: replaceDaemonSetPodNodeNameNodeAffinity(template.spec.affinity, nodeName) };
    const annotations = template.metadata?.annotations;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace ?? 'default',
        uid: deterministicUid([ds.metadata.uid ?? '', 'pod', String(sequence)]),
        creationTimestamp: new Date(now).toISOString(),
        labels,
        ...(annotations ? { annotations: { ...annotations } } : {}),
        ownerReferences: [controllerRef(ds)],
      },
      spec,
      status: { phase: 'Pending' },
    };
  }

  const plain = newDaemonSet('fluentd');
  const shapes: [string, DaemonSet][] = [
    ['a plain template', plain],
    ['no namespace', { ...plain, metadata: { ...plain.metadata, namespace: undefined } } as DaemonSet],
    [
      'annotations, a template generation, tolerations and node affinity of its own',
      {
        ...plain,
        metadata: { ...plain.metadata, annotations: { [TemplateGenerationAnnotation]: '7' } },
        spec: {
          ...plain.spec,
          template: {
            metadata: { labels: { app: 'x', [ControllerRevisionHashLabel]: 'stale' }, annotations: { note: 'y' } },
            spec: {
              ...plain.spec.template.spec,
              hostNetwork: true,
              tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
              affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
            },
          },
        },
      },
    ],
  ];

  it.each(shapes)('makes, pod after pod, exactly the JSON newDaemonPod made before (%s)', (_, ds) => {
    const now = Date.UTC(2026, 11, 3, 10, 0, 0, 123);
    const taken = new Set([daemonPodName(ds, 3, () => false)]);
    const nameTaken = (name: string) => taken.has(name);
    const make = daemonPodMaker(ds, 'h4sh', now);
    for (let sequence = 0; sequence < 50; sequence++) {
      const node = `node-${sequence % 7}`;
      const expected = JSON.stringify(newDaemonPodAsBefore(ds, node, 'h4sh', sequence, now, nameTaken));
      expect(JSON.stringify(make(node, sequence, nameTaken))).toBe(expected);
      expect(JSON.stringify(newDaemonPod({ ds, nodeName: node, hash: 'h4sh', sequence, now, nameTaken }))).toBe(expected);
    }
  });

  it('shares what the pods have alike, and nothing that names the node', () => {
    const make = daemonPodMaker(shapes[2]?.[1] as DaemonSet, 'h4sh', 0);
    const [a, b] = [make('n1', 0, () => false), make('n2', 1, () => false)];
    expect(a.metadata.labels).toBe(b.metadata.labels);
    expect(a.metadata.ownerReferences).toBe(b.metadata.ownerReferences);
    expect(a.spec.tolerations).toBe(b.spec.tolerations);
    expect(a.spec).not.toBe(b.spec);
    expect(a.spec.affinity).not.toBe(b.spec.affinity);
    expect(a.status).not.toBe(b.status);
  });
});
