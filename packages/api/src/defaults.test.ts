import { describe, expect, it } from 'vitest';
import type { DaemonSet } from './daemonset.ts';
import { withDaemonSetDefaults } from './defaults.ts';
import { jsonCopy } from './text.ts';

/** A minimal DaemonSet with nothing that has a default. */
function bare(): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
    },
  };
}

describe('withDaemonSetDefaults', () => {
  it('given nothing set, then fills in Kubernetes defaults', () => {
    const ds = withDaemonSetDefaults(bare());

    expect(ds.metadata.namespace).toBe('default');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.minReadySeconds).toBe(0);
    expect(ds.spec.template.spec.restartPolicy).toBe('Always');
  });

  it('given values already set, then keeps them', () => {
    const input = bare();
    input.metadata.namespace = 'kube-system';
    input.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%', maxSurge: 0 } };
    input.spec.revisionHistoryLimit = 0;
    input.spec.minReadySeconds = 5;
    input.spec.template.spec.restartPolicy = 'OnFailure';

    const ds = withDaemonSetDefaults(input);

    expect(ds.metadata.namespace).toBe('kube-system');
    expect(ds.spec.updateStrategy?.rollingUpdate).toEqual({ maxUnavailable: '30%', maxSurge: 0 });
    expect(ds.spec.revisionHistoryLimit).toBe(0);
    expect(ds.spec.minReadySeconds).toBe(5);
    // Defaulting never "fixes" a value; validation refuses it instead.
    expect(ds.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('given a RollingUpdate with only maxSurge, then defaults maxUnavailable to 1 (which validation then refuses)', () => {
    const input = bare();
    input.spec.updateStrategy = { rollingUpdate: { maxSurge: 1 } };

    expect(withDaemonSetDefaults(input).spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 1 },
    });
  });

  it('given OnDelete, then adds no rollingUpdate', () => {
    const input = bare();
    input.spec.updateStrategy = { type: 'OnDelete' };

    expect(withDaemonSetDefaults(input).spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('given no selector, then leaves it unset (apps/v1 does not default it)', () => {
    const input = bare();
    delete input.spec.selector;

    expect(withDaemonSetDefaults(input).spec.selector).toBeUndefined();
  });

  it('never mutates its input, and shares nothing with it', () => {
    const input = bare();
    const before = jsonCopy(input);

    const ds = withDaemonSetDefaults(input);
    ds.spec.template.spec.containers?.push({ name: 'sidecar', image: 'x' });

    expect(input).toEqual(before);
  });
});
