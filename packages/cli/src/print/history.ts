/**
 * `kubectl rollout history` (polymorphichelpers/history.go `printHistory`):
 * `REVISION  CHANGE-CAUSE`, laid out by `tabbedString` (tab writer,
 * padding 2 — not the get tables' 3), one row per revision, the cause from
 * the revision's `kubernetes.io/change-cause` annotation.
 */
import type { ControllerRevision } from '@everynode/api';
import { tabbed } from './tabwriter.ts';

/** The annotation kubectl's `--record` wrote and `rollout history` reads. */
export const ChangeCauseAnnotation = 'kubernetes.io/change-cause';

/** The table for `revisions` (by ascending revision), ending in a newline. */
export function historyTable(revisions: readonly ControllerRevision[]): string {
  const rows = revisions.map((rev) => `${rev.revision}\t${rev.metadata.annotations?.[ChangeCauseAnnotation] || '<none>'}\n`);
  return tabbed(`REVISION\tCHANGE-CAUSE\n${rows.join('')}`);
}
