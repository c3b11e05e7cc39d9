/** kubectl's `rollout status` messages, in kubectl's order (rollout_status.go). */
import { describe, expect, it } from 'vitest';
import type { DaemonSet, DaemonSetStatus } from '@everynode/api';
import { rolloutStatus } from './rollout-status.ts';
import { newDaemonSet } from './testing/fixtures.ts';

function withStatus(status: Partial<DaemonSetStatus> | undefined, generation = 2): DaemonSet {
  const ds = newDaemonSet('fluentd');
  ds.metadata.generation = generation;
  if (status) ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, ...status };
  return ds;
}

describe('rolloutStatus', () => {
  it('refuses OnDelete DaemonSets with kubectl\'s error', () => {
    const ds = withStatus({ observedGeneration: 2 });
    ds.spec.updateStrategy = { type: 'OnDelete' };
    expect(rolloutStatus(ds)).toEqual({ done: false, error: 'rollout status is only available for RollingUpdate strategy type' });
  });

  it('waits for the spec update to be observed', () => {
    expect(rolloutStatus(withStatus({ observedGeneration: 1 })).message).toBe('Waiting for daemon set spec update to be observed...');
    expect(rolloutStatus(withStatus(undefined)).message).toBe('Waiting for daemon set spec update to be observed...');
  });

  it('waits for pods to be updated, then to be available, then reports success', () => {
    const base = { observedGeneration: 2, desiredNumberScheduled: 6 };
    expect(rolloutStatus(withStatus({ ...base, updatedNumberScheduled: 2, numberAvailable: 6 }))).toEqual({
      done: false,
      message: 'Waiting for daemon set "fluentd" rollout to finish: 2 out of 6 new pods have been updated...',
    });
    expect(rolloutStatus(withStatus({ ...base, updatedNumberScheduled: 6, numberAvailable: 5 }))).toEqual({
      done: false,
      message: 'Waiting for daemon set "fluentd" rollout to finish: 5 of 6 updated pods are available...',
    });
    expect(rolloutStatus(withStatus({ ...base, updatedNumberScheduled: 6, numberAvailable: 6 }))).toEqual({
      done: true,
      message: 'daemon set "fluentd" successfully rolled out',
    });
  });
});
