import { PodDeletedSchema, PodStatusReportedSchema } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { eventJobId, podDeletedReport, podStartedReport } from './reports.ts';
import { createPodCommand, deletePodCommand } from './testing.ts';

const startedAt = new Date('2025-01-01T00:00:01.000Z');
const now = new Date('2025-01-01T00:00:01.250Z');

describe('podStartedReport', () => {
  it('reports the pod Running and Ready, bound to the command node, with its uid', () => {
    const event = podStartedReport({ command: createPodCommand('node-1', 'fluentd-abcde'), failed: false, startedAt, now, source: 'everynode/agent' });

    expect(PodStatusReportedSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({ id: 'create-fluentd-abcde-uid/status', source: 'everynode/agent', time: now.toISOString() });
    expect(event.data.metadata).toMatchObject({ namespace: 'kube-system', name: 'fluentd-abcde', uid: 'fluentd-abcde-uid' });
    expect(event.data.spec.nodeName).toBe('node-1');
    expect(event.data.spec.containers).toEqual([{ name: 'fluentd', image: 'fluentd:v1' }]);
    expect(event.data.status).toEqual({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now.toISOString() }],
      startTime: startedAt.toISOString(),
    });
  });

  it('reports Failed and not Ready when the node fails its pods', () => {
    const event = podStartedReport({ command: createPodCommand('node-1', 'fluentd-abcde'), failed: true, startedAt, now, source: 'everynode/agent' });

    expect(PodStatusReportedSchema.parse(event)).toEqual(event);
    expect(event.data.status.phase).toBe('Failed');
    expect(event.data.status.conditions).toEqual([{ type: 'Ready', status: 'False', lastTransitionTime: now.toISOString(), reason: 'PodFailed' }]);
  });

  it('gives the same command the same event id, whenever it runs', () => {
    const command = createPodCommand('node-1', 'p');
    const first = podStartedReport({ command, failed: false, startedAt, now, source: 's' });
    const again = podStartedReport({ command, failed: false, startedAt: now, now: new Date(), source: 's' });

    expect(again.id).toBe(first.id);
  });
});

describe('podDeletedReport', () => {
  it('names the deleted pod', () => {
    const event = podDeletedReport(deletePodCommand('node-1', 'fluentd-abcde'), now, 'everynode/agent');

    expect(PodDeletedSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({ id: 'delete-fluentd-abcde-uid/deleted', type: 'io.everynode.pod.deleted' });
    expect(event.data).toEqual({ metadata: { namespace: 'kube-system', name: 'fluentd-abcde' } });
  });
});

describe('eventJobId', () => {
  it('escapes what BullMQ refuses, without making two ids collide', () => {
    expect(eventJobId('create-x/status')).toBe('create-x/status');
    expect(eventJobId('a:b')).toBe('a%3Ab');
    expect(eventJobId('a%3Ab')).not.toBe(eventJobId('a:b'));
  });
});
