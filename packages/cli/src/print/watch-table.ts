/**
 * kubectl's `get --watch` output: the header once, then the rows of each
 * change as it comes, laid out as cli-runtime's tabwriter lays them out
 * with `RememberWidths` — every column as wide as the widest cell printed
 * in it so far (padding 3, at least 6), so that later rows line up with the
 * header and one wider cell widens its column from then on. Header and
 * first rows printed together come out exactly as `renderTable` prints
 * them; the last column is never padded.
 */
import { padding, minWidth } from './table.ts';

/** Width in characters as Go counts runes. */
const widthOf = (text: string) => [...text].length;

export class WatchTable {
  readonly #headers: readonly string[];
  #widths: number[] = [];
  #headerPrinted = false;

  /** `upperCase: false` keeps the headers as given (custom columns). */
  constructor(headers: readonly string[], options: { upperCase?: boolean } = {}) {
    this.#headers = options.upperCase === false ? [...headers] : headers.map((h) => h.toUpperCase());
  }

  /** The lines for `rows`, the header first when it has not been printed yet; each ends in a newline. */
  lines(rows: readonly (readonly string[])[]): string {
    if (rows.length === 0) return '';
    const block = this.#headerPrinted ? rows : [this.#headers, ...rows];
    this.#headerPrinted = true;
    for (const row of block) {
      row.forEach((cell, i) => {
        this.#widths[i] = Math.max(this.#widths[i] ?? minWidth, widthOf(cell) + padding);
      });
    }
    return block.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((this.#widths[i] as number) - widthOf(cell)))).join('').trimEnd()}\n`).join('');
  }
}
