import { describe, expect, it } from 'vitest';
import type { DaemonSet, Node } from '@everynode/api';
import { TemplateGenerationAnnotation } from '@everynode/api';
import { applyOutcome } from './apply-decision.ts';
import { toManifest } from './manifests.ts';

const ns = { value: 'default', explicit: false };

function dsDoc(image: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
    },
  };
}

/** What the server stores and answers: defaulted, with server-owned metadata and status. */
function stored(doc: ReturnType<typeof dsDoc>): DaemonSet {
  const manifest = toManifest(doc, 'f', ns);
  return {
    ...(manifest.value as DaemonSet),
    metadata: { ...manifest.value.metadata, uid: 'u1', generation: 1, resourceVersion: '9', annotations: { [TemplateGenerationAnnotation]: '1' } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberMisscheduled: 0 },
  };
}

describe('applyOutcome for a DaemonSet', () => {
  it('is created when nothing is live', () => {
    expect(applyOutcome(toManifest(dsDoc('a:1'), 'f', ns), undefined)).toBe('created');
  });

  it('is unchanged when the live object is what the manifest says (server fields aside)', () => {
    expect(applyOutcome(toManifest(dsDoc('a:1'), 'f', ns), stored(dsDoc('a:1')))).toBe('unchanged');
  });

  it('is unchanged when the server stored the spec without defaults', () => {
    const raw = { ...stored(dsDoc('a:1')), spec: dsDoc('a:1').spec } as DaemonSet;
    expect(applyOutcome(toManifest(dsDoc('a:1'), 'f', ns), raw)).toBe('unchanged');
  });

  it('is configured when the template changed', () => {
    expect(applyOutcome(toManifest(dsDoc('a:2'), 'f', ns), stored(dsDoc('a:1')))).toBe('configured');
  });

  it('is configured when a label was removed', () => {
    expect(applyOutcome(toManifest(dsDoc('a:1'), 'f', ns), stored(dsDoc('a:1', { team: 'x' })))).toBe('configured');
  });
});

describe('applyOutcome for a Node', () => {
  const doc = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  const live: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', labels: { zone: 'a' }, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };

  it('is unchanged when labels, spec and the stated conditions hold', () => {
    expect(applyOutcome(toManifest(doc, 'f', ns), live)).toBe('unchanged');
  });

  it('is configured when the node should now be NotReady', () => {
    const notReady = { ...doc, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
    expect(applyOutcome(toManifest(notReady, 'f', ns), live)).toBe('configured');
  });

  it('is configured when a taint is added', () => {
    const tainted = { ...doc, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } };
    expect(applyOutcome(toManifest(tainted, 'f', ns), live)).toBe('configured');
  });
});
