/**
 * `kubectl get pods` (`printPod`): READY containers, STATUS, RESTARTS, AGE;
 * `-o wide` adds IP, NODE, NOMINATED NODE and READINESS GATES. The columns
 * are `@everynode/api`'s `podPrinter`.
 */
import { type Pod, podPrinter } from '@everynode/api';
import { printedTable, type TableOptions } from './columns.ts';

/** The table for `items`. */
export function podTable(items: readonly Pod[], options: TableOptions): string {
  return printedTable(podPrinter, items, options);
}
