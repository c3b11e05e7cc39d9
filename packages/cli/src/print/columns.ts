/** What every resource table shares: the options kubectl's printers take, and the NAMESPACE column of `-A`. */

export interface TableOptions {
  /** `-o wide`: the extra columns. */
  readonly wide: boolean;
  /** `-A`: a NAMESPACE column first (namespaced resources only). */
  readonly withNamespace: boolean;
  /** The moment AGE is measured to. */
  readonly now: Date;
}

/** Prepend NAMESPACE to the headers and each row's namespace to its cells, when asked. */
export function withNamespaceColumn(
  options: TableOptions,
  headers: string[],
  rows: { namespace: string | undefined; cells: string[] }[],
): { headers: string[]; rows: string[][] } {
  if (!options.withNamespace) return { headers, rows: rows.map((r) => r.cells) };
  return { headers: ['NAMESPACE', ...headers], rows: rows.map((r) => [r.namespace ?? '', ...r.cells]) };
}
