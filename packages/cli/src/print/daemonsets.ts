/**
 * `kubectl get daemonsets` (`printDaemonSet`): the status counters, the
 * template's node selector, age; `-o wide` adds containers, images and the
 * selector. The columns are `@everynode/api`'s `daemonSetPrinter`.
 */
import { type DaemonSet, daemonSetPrinter } from '@everynode/api';
import { printedTable, type TableOptions } from './columns.ts';

/** The table for `items`, as kubectl prints it. */
export function daemonSetTable(items: readonly DaemonSet[], options: TableOptions): string {
  return printedTable(daemonSetPrinter, items, options);
}
