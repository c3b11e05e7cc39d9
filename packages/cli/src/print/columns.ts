/**
 * What every resource table shares: the options kubectl's printers take, and
 * the table a resource's printer (`@everynode/api` `printers.ts`, the same
 * columns the server's `as=Table` answers carry) gives for a list — wide
 * columns only with `-o wide`, NAMESPACE first with `-A`.
 */
import { formatLabels, type ResourcePrinter } from '@everynode/api';
import { renderTable } from './table.ts';

export interface TableOptions {
  /** `-o wide`: the extra columns. */
  readonly wide: boolean;
  /** `-A`: a NAMESPACE column first (namespaced resources only). */
  readonly withNamespace: boolean;
  /** The moment AGE is measured to. */
  readonly now: Date;
  /** `--show-labels`: a LABELS column last (`k=v,k2=v2`, `<none>`). */
  readonly showLabels?: boolean;
  /** Names as `daemonset.apps/NAME` when `get` lists several kinds: the prefix, `daemonset.apps`. */
  readonly kindPrefix?: string;
}

/** A table's header and rows as text, before layout. */
export interface TableText {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The header and rows kubectl prints of `printer`'s columns for `items`. */
export function tableText<T extends Labelled>(printer: ResourcePrinter<T>, items: readonly T[], options: TableOptions): TableText {
  const shown = printer.columns.flatMap((column, i) => (options.wide || column.priority === 0 ? [i] : []));
  const nameColumn = shown.findIndex((i) => printer.columns[i]?.format === 'name');
  const headers = shown.map((i) => (printer.columns[i] as { name: string }).name);
  const rows = items.map((item) => {
    const cells = printer.cells(item, options.now);
    const row = shown.map((i, at) => (at === nameColumn && options.kindPrefix !== undefined ? `${options.kindPrefix}/${String(cells[i])}` : String(cells[i])));
    if (options.showLabels === true) row.push(formatLabels(item.metadata.labels));
    return options.withNamespace ? [item.metadata.namespace ?? '', ...row] : row;
  });
  return { headers: [...(options.withNamespace ? ['NAMESPACE'] : []), ...headers, ...(options.showLabels === true ? ['LABELS'] : [])], rows };
}

/** What the generic columns read of an object: its namespace (NAMESPACE) and labels (LABELS). */
interface Labelled {
  metadata: { namespace?: string | undefined; labels?: Readonly<Record<string, string>> | undefined };
}

/** The table of `items` as kubectl prints `printer`'s columns for them. */
export function printedTable<T extends Labelled>(
  printer: ResourcePrinter<T>,
  items: readonly T[],
  options: TableOptions,
): string {
  const { headers, rows } = tableText(printer, items, options);
  return renderTable(headers, rows);
}
