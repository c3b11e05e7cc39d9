import { describe, expect, it } from 'vitest';
import {
  ControllerRevisionHashLabel,
  PodTemplateGenerationLabel,
  TemplateGenerationAnnotation,
} from '@everynode/api';
import type { ControllerRevision, DaemonSet, Pod } from '@everynode/api';
import { computeHash } from './hash.ts';
import {
  cleanupHistory,
  constructHistory,
  isPodUpdated,
  revisionMatches,
  revisionPatch,
  templateGenerationOf,
} from './history.ts';
import { emptyControllerRecord } from './state.ts';
import { epoch } from './testing/sim.ts';
import type { DaemonSetView, Decision } from './state.ts';

// --- builders -------------------------------------------------------------

const DS_UID = 'uid-fluentd';

function newDaemonSet(image = 'fluentd:v1', patch: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'logging', uid: DS_UID, annotations: { [TemplateGenerationAnnotation]: '1' } },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: { metadata: { labels: { app: 'fluentd' } }, spec: { containers: [{ name: 'fluentd', image }] } },
      ...patch,
    },
  };
}

/** A revision of `ds`'s template, named and labelled as the caller says. */
function newRevision(ds: DaemonSet, name: string, revision: number, hash: string | undefined = name): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: 'logging',
      labels: hash === undefined ? { app: 'fluentd' } : { app: 'fluentd', [ControllerRevisionHashLabel]: hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: DS_UID, controller: true }],
    },
    data: revisionPatch(ds),
    revision,
  };
}

function newPod(name: string, hash: string, ownerUid = DS_UID, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'logging',
      labels: { app: 'fluentd', [ControllerRevisionHashLabel]: hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: ownerUid, controller: true }],
      ...extra,
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'fluentd', image: 'fluentd:v1' }] },
  };
}

function viewOf(ds: DaemonSet, revisions: readonly ControllerRevision[] = [], pods: readonly Pod[] = []): DaemonSetView {
  return {
    daemonSet: ds,
    nodes: new Map(),
    pods: new Map(pods.map((pod) => [`${pod.metadata.namespace}/${pod.metadata.name}`, pod])),
    revisions: new Map(revisions.map((rev) => [rev.metadata.name, rev])),
    controller: emptyControllerRecord,
  };
}

/** Applies the revision decisions of a pass, as the projection would. */
function evolveRevisions(revisions: readonly ControllerRevision[], decisions: readonly Decision[]): ControllerRevision[] {
  const byName = new Map(revisions.map((rev) => [rev.metadata.name, rev]));
  for (const decision of decisions) {
    if (decision.type === 'RevisionCreated') byName.set(decision.revision.metadata.name, decision.revision);
    if (decision.type === 'RevisionDeleted') byName.delete(decision.name);
    if (decision.type === 'RevisionRenumbered') {
      const rev = byName.get(decision.name) as ControllerRevision;
      byName.set(decision.name, { ...rev, revision: decision.revision });
    }
  }
  return [...byName.values()];
}

/** Runs constructHistory on `ds` over `revisions` and returns the evolved revisions too. */
function apply(ds: DaemonSet, revisions: readonly ControllerRevision[] = []) {
  const history = constructHistory(viewOf(ds, revisions), epoch);
  return { ...history, revisions: evolveRevisions(revisions, history.decisions) };
}

// --- constructHistory -------------------------------------------------------

describe('constructHistory', () => {
  it('TestConstructHistory: a first apply creates revision 1 with the hash label and owner ref, created now', () => {
    const ds = newDaemonSet();

    const { current, hash, collisionCount, decisions } = constructHistory(viewOf(ds), epoch);

    expect(hash).toBe(computeHash(ds.spec.template));
    expect(collisionCount).toBe(0);
    expect(decisions).toEqual([{ type: 'RevisionCreated', revision: current }]);
    expect(current).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `fluentd-${hash}`,
        namespace: 'logging',
        creationTimestamp: new Date(epoch).toISOString(),
        labels: { app: 'fluentd', [ControllerRevisionHashLabel]: hash },
        annotations: { [TemplateGenerationAnnotation]: '1' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: DS_UID, controller: true, blockOwnerDeletion: true },
        ],
      },
      data: revisionPatch(ds),
      revision: 1,
    });
  });

  it('TestDaemonSetUpdatesNoTemplateChanged: an unchanged template decides nothing', () => {
    const ds = newDaemonSet();
    const first = apply(ds);

    const again = constructHistory(viewOf(ds, first.revisions), epoch);

    expect(again.decisions).toEqual([]);
    expect(again.current).toEqual(first.current);
    expect(again.hash).toBe(first.hash);
  });

  it('TestDaemonSetUpdatesPods: a changed template creates revision 2 with another hash', () => {
    const first = apply(newDaemonSet('fluentd:v1'));

    const second = apply(newDaemonSet('fluentd:v2'), first.revisions);

    expect(second.hash).not.toBe(first.hash);
    expect(second.current.revision).toBe(2);
    expect(second.current.metadata.name).toBe(`fluentd-${second.hash}`);
    expect(second.decisions).toEqual([{ type: 'RevisionCreated', revision: second.current }]);
  });

  it('TestRollback: returning to the first template reuses revision 1 (name, hash) as revision 3', () => {
    const first = apply(newDaemonSet('fluentd:v1'));
    const second = apply(newDaemonSet('fluentd:v2'), first.revisions);

    const rollback = apply(newDaemonSet('fluentd:v1'), second.revisions);

    expect(rollback.hash).toBe(first.hash);
    expect(rollback.current.metadata.name).toBe(first.current.metadata.name);
    expect(rollback.current.revision).toBe(3);
    expect(rollback.decisions).toEqual([{ type: 'RevisionRenumbered', name: first.current.metadata.name, revision: 3 }]);
  });

  it('TestLaunchWithHashCollision: a name taken by other data bumps collisionCount and yields another name', () => {
    const ds = newDaemonSet('fluentd:v2');
    const squatter = newRevision(newDaemonSet('fluentd:v1'), `fluentd-${computeHash(ds.spec.template)}`, 4);

    const { current, hash, collisionCount, decisions } = constructHistory(viewOf(ds, [squatter]), epoch);

    expect(collisionCount).toBe(1);
    expect(hash).toBe(computeHash(ds.spec.template, 1));
    expect(current.metadata.name).not.toBe(squatter.metadata.name);
    expect(current.revision).toBe(5);
    expect(decisions).toEqual([{ type: 'RevisionCreated', revision: current }]);
  });

  it('retries past several collisions, counting from status.collisionCount', () => {
    const ds = { ...newDaemonSet('fluentd:v2'), status: { ...emptyStatus(), collisionCount: 2 } };
    const other = newDaemonSet('fluentd:v1');
    const squatters = [2, 3].map((count, i) => newRevision(other, `fluentd-${computeHash(ds.spec.template, count)}`, i + 1));

    const { hash, collisionCount } = constructHistory(viewOf(ds, squatters), epoch);

    expect(collisionCount).toBe(4);
    expect(hash).toBe(computeHash(ds.spec.template, 4));
  });

  it('TestDSCUpdatesPodLabelAfterDedupCurHistories: keeps the newest duplicate, relabels pods, deletes the rest', () => {
    const ds = newDaemonSet('fluentd:v1');
    const dupOld = newRevision(ds, 'fluentd-aaaaa', 1);
    const dupNew = newRevision(ds, 'fluentd-bbbbb', 2);
    const older = newRevision(newDaemonSet('fluentd:v0'), 'fluentd-ccccc', 3);
    const pods = [
      newPod('fluentd-p1', 'fluentd-aaaaa'),
      newPod('fluentd-p2', 'fluentd-bbbbb'),
      newPod('fluentd-p3', 'fluentd-ccccc'),
      newPod('other-p4', 'fluentd-aaaaa', 'uid-other'),
    ];

    const { current, hash, decisions } = constructHistory(viewOf(ds, [dupNew, older, dupOld], pods), epoch);

    expect(hash).toBe('fluentd-bbbbb');
    expect(current.metadata.name).toBe('fluentd-bbbbb');
    expect(current.revision).toBe(4);
    expect(decisions).toEqual([
      { type: 'PodRelabeled', namespace: 'logging', name: 'fluentd-p1', hash: 'fluentd-bbbbb' },
      { type: 'RevisionDeleted', name: 'fluentd-aaaaa' },
      { type: 'RevisionRenumbered', name: 'fluentd-bbbbb', revision: 4 },
    ]);
  });

  it('reads a revision without a hash label as labelled with its name', () => {
    const ds = newDaemonSet();
    const unlabelled = newRevision(ds, 'fluentd-legacy', 1, undefined);

    const { current, hash, decisions } = constructHistory(viewOf(ds, [unlabelled]), epoch);

    expect(decisions).toEqual([]);
    expect(hash).toBe('fluentd-legacy');
    expect(current.metadata.labels?.[ControllerRevisionHashLabel]).toBe('fluentd-legacy');
  });

  it('matches stored data whatever its key order', () => {
    const ds = newDaemonSet();
    const stored = newRevision(ds, 'fluentd-x', 1);
    const { spec } = revisionPatch(ds);
    const reordered = { ...stored, data: { spec: { template: { $patch: 'replace', spec: spec.template.spec, metadata: spec.template.metadata } } } };

    expect(revisionMatches(ds, reordered)).toBe(true);
    expect(revisionMatches(newDaemonSet('fluentd:v2'), reordered)).toBe(false);
  });
});

describe('revisionPatch (getPatch)', () => {
  it('replaces the whole template and is a deep copy', () => {
    const ds = newDaemonSet();
    const patch = revisionPatch(ds);

    expect(patch.spec.template.$patch).toBe('replace');
    (patch.spec.template.metadata as { labels: Record<string, string> }).labels.app = 'changed';
    expect(ds.spec.template.metadata?.labels?.app).toBe('fluentd');
  });
});

// --- cleanupHistory ---------------------------------------------------------

describe('cleanupHistory', () => {
  /** `count` old revisions numbered 1..count (other templates) and the current one after them. */
  function history(count: number, limit?: number) {
    const ds = newDaemonSet('fluentd:current', limit === undefined ? {} : { revisionHistoryLimit: limit });
    const old = Array.from({ length: count }, (_, i) => newRevision(newDaemonSet(`fluentd:v${i + 1}`), `rev-${i + 1}`, i + 1));
    const current = newRevision(ds, 'rev-current', count + 1);
    return { ds, old, current, revisions: [...old, current] };
  }
  const deleted = (decisions: readonly Decision[]) =>
    decisions.map((d) => (d.type === 'RevisionDeleted' ? d.name : `unexpected ${d.type}`));

  it('revisionHistoryLimit 2 with 5 old revisions deletes the 3 oldest a live pod does not carry', () => {
    const { ds, current, revisions } = history(5, 2);
    const pods = [newPod('fluentd-a', 'rev-1'), newPod('fluentd-b', 'rev-current')];

    expect(deleted(cleanupHistory(viewOf(ds, revisions, pods), current))).toEqual(['rev-2', 'rev-3', 'rev-4']);
  });

  it('revisionHistoryLimit 0 keeps only the current revision and those pods carry, terminating ones included', () => {
    const { ds, current, revisions } = history(3, 0);
    const terminating = newPod('fluentd-a', 'rev-2', DS_UID, { deletionTimestamp: '2024-01-01T00:00:00Z' });

    expect(deleted(cleanupHistory(viewOf(ds, revisions, [terminating]), current))).toEqual(['rev-1', 'rev-3']);
  });

  it('never deletes the current revision, even when it is numbered oldest', () => {
    const { ds, old } = history(2, 0);
    const current = newRevision(ds, 'rev-current', 0);

    expect(deleted(cleanupHistory(viewOf(ds, [current, ...old]), current))).toEqual(['rev-1', 'rev-2']);
  });

  it('keeps 10 old revisions by default and deletes the 11th oldest', () => {
    const ten = history(10);
    expect(cleanupHistory(viewOf(ten.ds, ten.revisions), ten.current)).toEqual([]);

    const eleven = history(11);
    expect(deleted(cleanupHistory(viewOf(eleven.ds, eleven.revisions), eleven.current))).toEqual(['rev-1']);
  });

  it('is not protected by pods of another DaemonSet', () => {
    const { ds, current, revisions } = history(2, 0);
    const foreign = newPod('other-a', 'rev-1', 'uid-other');

    expect(deleted(cleanupHistory(viewOf(ds, revisions, [foreign]), current))).toEqual(['rev-1', 'rev-2']);
  });

  it('does not count a duplicate of the current template as old (dedup deletes it)', () => {
    const { ds, current, revisions } = history(1, 0);
    const duplicate = newRevision(ds, 'rev-dup', 0);

    expect(deleted(cleanupHistory(viewOf(ds, [...revisions, duplicate]), current))).toEqual(['rev-1']);
  });
});

// --- isPodUpdated -----------------------------------------------------------

describe('isPodUpdated (util.IsPodUpdated)', () => {
  it('is true when the hash label is the current hash', () => {
    expect(isPodUpdated(newPod('p', 'h1'), 'h1')).toBe(true);
    expect(isPodUpdated(newPod('p', 'h0'), 'h1')).toBe(false);
  });

  it('is true for a legacy pod whose pod-template-generation is the template generation', () => {
    const legacy = newPod('p', 'h0', DS_UID, { labels: { [PodTemplateGenerationLabel]: '2' } });
    expect(isPodUpdated(legacy, 'h1', 2)).toBe(true);
    expect(isPodUpdated(legacy, 'h1', 3)).toBe(false);
    expect(isPodUpdated(legacy, 'h1')).toBe(false);
    const ds = newDaemonSet();
    ds.metadata.annotations = { [TemplateGenerationAnnotation]: '2' };
    expect(isPodUpdated(legacy, 'h1', ds)).toBe(true);
  });

  it('never matches an empty hash', () => {
    const unlabelled = newPod('p', 'x', DS_UID, { labels: { [ControllerRevisionHashLabel]: '' } });
    expect(isPodUpdated(unlabelled, '')).toBe(false);
  });

  it('reads the template generation from the DaemonSet annotation', () => {
    expect(templateGenerationOf(newDaemonSet())).toBe(1);
    const bad = newDaemonSet();
    bad.metadata.annotations = { [TemplateGenerationAnnotation]: 'one' };
    expect(templateGenerationOf(bad)).toBeUndefined();
  });
});

function emptyStatus() {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}
