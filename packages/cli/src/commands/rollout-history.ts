/**
 * `rollout history` and `rollout undo` for DaemonSets, as kubectl's
 * `DaemonSetHistoryViewer` and `DaemonSetRollbacker` do them: a DaemonSet's
 * history is the ControllerRevisions it controls; undoing puts a revision's
 * template back, and the controller, finding that template already stored,
 * reuses the revision and its hash — so pods already running it stay.
 */
import type { ControllerRevision, DaemonSet, PodTemplateSpec } from '@everynode/api';
import { controllerOf, formatLabelSelector, PodTemplateSpecSchema } from '@everynode/api';
import type { EverynodeClient } from '@everynode/client';
import { revisionMatches } from '@everynode/daemonset';
import { CliError } from '../errors.ts';
import { historyTable } from '../print/history.ts';
import { describePodTemplate } from '../print/pod-template.ts';

/** A DaemonSet and the revisions it controls, by ascending revision. */
export interface DaemonSetHistory {
  readonly ds: DaemonSet;
  readonly revisions: readonly ControllerRevision[];
}

/** kubectl's `daemonSetHistory`: revisions the selector matches and the DaemonSet controls. */
export async function readHistory(client: EverynodeClient, namespace: string, name: string): Promise<DaemonSetHistory> {
  const ds = await client.getDaemonSet(namespace, name);
  const selector = formatLabelSelector(ds.spec.selector);
  const listed = (await client.listControllerRevisions(namespace, selector === '<none>' ? {} : { labelSelector: selector })).items;
  const revisions = listed.filter((rev) => controllerOf(rev.metadata)?.uid === ds.metadata.uid).sort((a, b) => a.revision - b.revision);
  return { ds, revisions };
}

/**
 * The template a revision stores: its patch (`data`, as the server sent it)
 * without the `$patch: replace` directive, checked to be a pod template.
 */
export function templateOf(revision: ControllerRevision): PodTemplateSpec {
  const stored = fieldOf(fieldOf(revision.data, 'spec'), 'template');
  const { $patch: _directive, ...template } = isObject(stored) ? stored : {};
  const parsed = PodTemplateSpecSchema.safeParse(template);
  if (!parsed.success) throw new CliError(`error: revision ${revision.revision} does not store a valid pod template`);
  return parsed.data;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const fieldOf = (value: unknown, field: string): unknown => (isObject(value) ? value[field] : undefined);

/**
 * What `rollout history` prints after the object's name: the revision
 * table, or with `revision` that revision's pod template (raw tabs, as
 * kubectl prints it), or kubectl's note when there is no history.
 */
export function historyText({ revisions }: DaemonSetHistory, revision: number): string {
  if (revisions.length === 0) return 'No rollout history found.';
  if (revision === 0) return historyTable(revisions);
  const found = revisions.find((rev) => rev.revision === revision);
  if (found === undefined) throw new CliError('error: unable to find the specified revision');
  return describePodTemplate(templateOf(found));
}

/** The outcome of `rollout undo`, as kubectl words it after `daemonset.apps/NAME`. */
export type UndoOutcome = { readonly rolledBack: DaemonSet } | { readonly skipped: string };

/**
 * kubectl's `DaemonSetRollbacker.Rollback`: `toRevision` 0 means the one
 * before the newest. The write replaces the template only; everything else
 * the DaemonSet holds is sent back as read.
 */
export function planUndo({ ds, revisions }: DaemonSetHistory, toRevision: number): UndoOutcome {
  if (toRevision === 0 && revisions.length <= 1) throw new CliError('error: no last revision to roll back to');
  const target = toRevision === 0 ? revisions[revisions.length - 2] : revisions.find((rev) => rev.revision === toRevision);
  if (target === undefined) throw new CliError(`error: unable to find specified revision ${toRevision} in history`);
  if (revisionMatches(ds, target)) return { skipped: `skipped rollback (current template already matches revision ${target.revision})` };
  const { status: _status, ...rest } = ds;
  return { rolledBack: { ...rest, spec: { ...ds.spec, template: templateOf(target) } } };
}
