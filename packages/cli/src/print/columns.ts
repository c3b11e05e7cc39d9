/**
 * What every resource table shares: the options kubectl's printers take, and
 * the table a resource's printer (`@everynode/api` `printers.ts`, the same
 * columns the server's `as=Table` answers carry) gives for a list — wide
 * columns only with `-o wide`, NAMESPACE first with `-A`.
 */
import type { ResourcePrinter } from '@everynode/api';
import { renderTable } from './table.ts';

export interface TableOptions {
  /** `-o wide`: the extra columns. */
  readonly wide: boolean;
  /** `-A`: a NAMESPACE column first (namespaced resources only). */
  readonly withNamespace: boolean;
  /** The moment AGE is measured to. */
  readonly now: Date;
}

/** A table's header and rows as text, before layout. */
export interface TableText {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The header and rows kubectl prints of `printer`'s columns for `items`. */
export function tableText<T extends { metadata: { namespace?: string | undefined } }>(printer: ResourcePrinter<T>, items: readonly T[], options: TableOptions): TableText {
  const shown = printer.columns.flatMap((column, i) => (options.wide || column.priority === 0 ? [i] : []));
  const headers = shown.map((i) => (printer.columns[i] as { name: string }).name);
  const rows = items.map((item) => {
    const cells = printer.cells(item, options.now);
    return shown.map((i) => String(cells[i]));
  });
  if (!options.withNamespace) return { headers, rows };
  return { headers: ['NAMESPACE', ...headers], rows: rows.map((cells, i) => [(items[i] as T).metadata.namespace ?? '', ...cells]) };
}

/** The table of `items` as kubectl prints `printer`'s columns for them. */
export function printedTable<T extends { metadata: { namespace?: string | undefined } }>(
  printer: ResourcePrinter<T>,
  items: readonly T[],
  options: TableOptions,
): string {
  const { headers, rows } = tableText(printer, items, options);
  return renderTable(headers, rows);
}
