import { describe, expect, it } from 'vitest';
import type { Decision } from '@everynode/daemonset';
import type { LogEntry } from '@everynode/engine';
import { ControllerEventLog, eventName } from './controller-events.ts';

const owner = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid, controller: true }];

function create(pod: string, uid: string): Decision {
  const metadata = { name: pod, namespace: 'ns', ownerReferences: owner(uid) };
  return { type: 'PodCreateRequested', commandId: `c-${pod}`, node: 'n1', pod: { apiVersion: 'v1', kind: 'Pod', metadata, spec: {} } };
}

function remove(pod: string, reason: 'Failed' | 'RollingUpdate'): Decision {
  return { type: 'PodDeleteRequested', commandId: `d-${pod}`, namespace: 'ns', name: pod, node: 'n1', reason, force: false };
}

const pass = (seq: number, at: string, decisions: Decision[], daemonSet = 'ns/ds'): LogEntry => ({ seq, kind: 'pass', at, daemonSet, decisions, causes: [] });

const deleted = (seq: number): LogEntry => ({
  seq,
  kind: 'event',
  at: '2026-11-28T12:00:00.000Z',
  applied: true,
  event: { specversion: '1.0', id: `e${seq}`, source: 't', type: 'io.everynode.daemonset.deleted', time: '2026-11-28T12:00:00Z', data: { metadata: { namespace: 'ns', name: 'ds' } } },
});

describe('ControllerEventLog', () => {
  it('gives each decision the Events kubectl describe shows, timed by the pass, in whole seconds', () => {
    const log = new ControllerEventLog('ns');
    log.observe(pass(3, '2026-11-28T11:00:00.750Z', [create('ds-a', 'u1'), remove('ds-b', 'Failed')]));
    expect(log.list().map((e) => [e.type, e.reason, e.message, e.firstTimestamp, e.involvedObject.uid])).toEqual([
      ['Normal', 'SuccessfulCreate', 'Created pod: ds-a', '2026-11-28T11:00:00Z', 'u1'],
      ['Warning', 'FailedDaemonPod', 'Found failed daemon pod ns/ds-b on node n1, will try to kill it', '2026-11-28T11:00:00Z', 'u1'],
      ['Normal', 'SuccessfulDelete', 'Deleted pod: ds-b', '2026-11-28T11:00:00Z', 'u1'],
    ]);
    expect(log.list().map((e) => e.metadata.name)).toEqual([eventName('ds', 3, 0), eventName('ds', 3, 1), eventName('ds', 3, 2)]);
  });

  it('folds a repeated Event into one with a count, as the event correlator does', () => {
    const log = new ControllerEventLog();
    log.observe(pass(1, '2026-11-28T11:00:00Z', [create('ds-a', 'u1')]));
    log.observe(pass(2, '2026-11-28T11:05:00Z', [remove('ds-a', 'RollingUpdate')]));
    log.observe(pass(3, '2026-11-28T11:09:00Z', [remove('ds-a', 'RollingUpdate')]));
    const deletes = log.list().filter((e) => e.reason === 'SuccessfulDelete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ count: 2, firstTimestamp: '2026-11-28T11:05:00Z', lastTimestamp: '2026-11-28T11:09:00Z', involvedObject: { uid: 'u1' } });
  });

  it('attributes Events to the DaemonSet of the time: the cascade to the deleted one, a recreated one its own uid', () => {
    const log = new ControllerEventLog('ns');
    log.observe(pass(1, '2026-11-28T11:00:00Z', [create('ds-a', 'u1')]));
    log.observe(deleted(2));
    log.observe(pass(3, '2026-11-28T11:01:00Z', [remove('ds-a', 'RollingUpdate')]));
    log.observe(pass(4, '2026-11-28T11:02:00Z', [create('ds-b', 'u2')]));
    log.observe(pass(5, '2026-11-28T11:03:00Z', [remove('ds-b', 'RollingUpdate')]));
    expect(log.list().map((e) => e.involvedObject.uid)).toEqual(['u1', 'u1', 'u2', 'u2']);
  });

  it('keeps only the namespace asked for', () => {
    const log = new ControllerEventLog('other');
    log.observe(pass(1, '2026-11-28T11:00:00Z', [create('ds-a', 'u1')]));
    expect(log.list()).toEqual([]);
  });

  it('names Events uniquely whatever the seq and index', () => {
    expect(eventName('ds', 0x81, 0)).not.toBe(eventName('ds', 0x8, 0x100));
    expect(eventName('ds', 1, 0x10000)).toBe('ds.00000000000110000');
  });
});
