/**
 * `kubectl get daemonsets` (`printDaemonSet`, `daemonSetColumnDefinitions`):
 * the status counters, the template's node selector, age; `-o wide` adds
 * containers, images and the selector.
 */
import type { DaemonSet } from '@everynode/api';
import { formatLabelSelector, formatLabels } from '@everynode/api';
import { ageOf } from '../age.ts';
import type { TableOptions } from './columns.ts';
import { withNamespaceColumn } from './columns.ts';
import { renderTable } from './table.ts';

const headers = ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'];
const wideHeaders = ['CONTAINERS', 'IMAGES', 'SELECTOR'];

/** One DaemonSet's cells, without NAMESPACE. */
export function daemonSetCells(ds: DaemonSet, options: TableOptions): string[] {
  const status = ds.status;
  const cells = [
    ds.metadata.name ?? '',
    String(status?.desiredNumberScheduled ?? 0),
    String(status?.currentNumberScheduled ?? 0),
    String(status?.numberReady ?? 0),
    String(status?.updatedNumberScheduled ?? 0),
    String(status?.numberAvailable ?? 0),
    formatLabels(ds.spec.template.spec.nodeSelector),
    ageOf(ds.metadata.creationTimestamp, options.now),
  ];
  if (!options.wide) return cells;
  const containers = ds.spec.template.spec.containers ?? [];
  return [
    ...cells,
    containers.map((c) => c.name ?? '').join(','),
    containers.map((c) => c.image ?? '').join(','),
    formatLabelSelector(ds.spec.selector),
  ];
}

/** The table for `items`, as kubectl prints it. */
export function daemonSetTable(items: readonly DaemonSet[], options: TableOptions): string {
  const table = withNamespaceColumn(
    options,
    options.wide ? [...headers, ...wideHeaders] : headers,
    items.map((ds) => ({ namespace: ds.metadata.namespace, cells: daemonSetCells(ds, options) })),
  );
  return renderTable(table.headers, table.rows);
}
