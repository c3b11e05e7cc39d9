/**
 * kubectl's human-readable tables: upper-case headers, left-aligned cells,
 * columns separated as cli-runtime's tabwriter separates them (padding 3,
 * minimum cell width 6 including the padding), the last column unpadded.
 * cli-table3 does the layout, borderless.
 */
import Table from 'cli-table3';

/** Spaces between columns (`tabwriterPadding`). */
export const padding = 3;
/** A column is at least this wide, padding included (`tabwriterMinWidth`). */
export const minWidth = 6;

const borderless = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(padding),
};

/**
 * The table as kubectl prints it, ending in a newline. `headers` are
 * upper-cased here (unless `upperCase: false`: custom columns keep theirs);
 * every row must have as many cells as there are headers.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: { upperCase?: boolean } = {}): string {
  // cli-table3 sizes each column to its widest cell; a header padded to
  // tabwriter's minimum gives narrow columns the width kubectl gives them.
  const head = headers.map((h) => (options.upperCase === false ? h : h.toUpperCase()).padEnd(minWidth - padding));
  const table = new Table({
    head,
    chars: borderless,
    wordWrap: false,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const row of rows) table.push([...row]);
  // tabwriter does not pad the last cell of a line; cli-table3 does.
  return `${table.toString().split('\n').map((line) => line.trimEnd()).join('\n')}\n`;
}
