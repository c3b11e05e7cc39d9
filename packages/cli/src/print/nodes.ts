/**
 * `kubectl get nodes` (`printNode`): STATUS from the Ready condition (plus
 * `SchedulingDisabled` when cordoned), ROLES from the role labels, AGE,
 * VERSION; `-o wide` adds addresses and node info. The columns are
 * `@everynode/api`'s `nodePrinter`.
 */
import { type Node, nodePrinter } from '@everynode/api';
import { printedTable, type TableOptions } from './columns.ts';

/** The table for `items`. Nodes are cluster-scoped: never a NAMESPACE column. */
export function nodeTable(items: readonly Node[], options: TableOptions): string {
  return printedTable(nodePrinter, items, { ...options, withNamespace: false });
}
