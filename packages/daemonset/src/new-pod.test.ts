import { describe, expect, it } from 'vitest';
import { daemonPodName } from './new-pod.ts';
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
