/**
 * `everynode explain pod`: one row per log entry about the pod — its
 * sequence number, its time, and what it was (a pass's decision, a status
 * report, or an entry that caused a pass).
 */
import type { PodExplanation } from '@everynode/client';
import { renderTable } from './table.ts';

/** The table for `explanation`, in log order. */
export function explainTable(explanation: PodExplanation): string {
  return renderTable(['SEQ', 'TIME', 'WHAT'], explanation.entries.map((e) => [String(e.seq), e.at, e.summary]));
}
