import { describe, expect, it } from 'vitest';
import type { ControllerRevision } from './daemonset.ts';
import { controllerRevisionPrinter, eventPrinter, namespacePrinter } from './printers.ts';
import type { KubeEvent } from './replies.ts';

const now = new Date('2026-11-28T12:00:00Z');

describe('printers', () => {
  it("prints a revision's controller as kubectl does (lower-cased group kind / name), or <none>", () => {
    const revision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: 'fluentd-58cbf7c785',
        namespace: 'kube-system',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u', controller: true }],
      },
      data: {},
      revision: 3,
    } as ControllerRevision;
    expect(controllerRevisionPrinter.cells(revision, now)).toEqual(['fluentd-58cbf7c785', 'daemonset.apps/fluentd', 3, '<unknown>']);
    expect(controllerRevisionPrinter.cells({ ...revision, metadata: { ...revision.metadata, ownerReferences: [] } }, now)[1]).toBe('<none>');
  });

  it('prints a repeated Event as `last (xN over first)`, with its source and count in the wide columns', () => {
    const event: KubeEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'fluentd.1', namespace: 'kube-system' },
      involvedObject: { kind: 'DaemonSet', name: 'fluentd' },
      reason: 'FailedDaemonPod',
      message: 'Found failed daemon pod ',
      type: 'Warning',
      source: { component: 'daemonset-controller' },
      firstTimestamp: '2026-11-28T11:50:00Z',
      lastTimestamp: '2026-11-28T11:59:00Z',
      count: 4,
    };
    expect(eventPrinter.columns.map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    expect(eventPrinter.cells(event, now)).toEqual([
      '60s (x4 over 10m)', 'Warning', 'FailedDaemonPod', 'daemonset/fluentd', '', 'daemonset-controller', 'Found failed daemon pod', '10m', '4', 'fluentd.1',
    ]);
  });

  it('prints a Namespace with its phase', () => {
    expect(namespacePrinter.cells({ metadata: { name: 'default', creationTimestamp: '2026-11-28T11:00:00Z' }, status: { phase: 'Active' } }, now)).toEqual(['default', 'Active', '60m']);
  });
});
