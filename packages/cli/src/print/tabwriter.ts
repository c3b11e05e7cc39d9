/**
 * Go's `text/tabwriter` as kubectl's describers and `rollout history` set it
 * up (`tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)`): text is written with
 * `\t` ending each cell, and on flush every column block — a run of
 * consecutive lines that have a cell in that column — is padded to its
 * widest cell plus the padding. A line without tabs ends every block, which
 * is why `Desired Number of Nodes Scheduled: 6` stands unaligned while the
 * lines around it align. The text after a line's last tab belongs to no
 * column and is never padded; an empty cell before a final tab is (hence the
 * trailing spaces kubectl prints after `HostPathType:`).
 *
 * kubectl's get tables (padding 3, minimum width) are cli-table3's job in
 * `table.ts`; this exists because describe's layout depends on the block
 * rule above, which no table library models.
 */

/** A line's cells: each tab-terminated cell, then the text after the last tab. */
type Line = string[];

/** Width in characters as Go counts runes (a character outside the BMP is one). */
function widthOf(text: string): number {
  return [...text].length;
}

export class TabWriter {
  readonly #padding: number;
  #lines: Line[] = [[]];
  #cell = '';
  #out = '';

  /** @param padding Spaces added to the widest cell of each column. Default 2, kubectl's. */
  constructor(padding = 2) {
    this.#padding = padding;
  }

  /** Buffer `text`; complete lines without a tab flush what came before (as Go does). */
  write(text: string): void {
    for (const char of text) {
      const line = this.#lines[this.#lines.length - 1] as Line;
      if (char === '\t') {
        line.push(this.#cell);
        this.#cell = '';
      } else if (char === '\n') {
        line.push(this.#cell);
        this.#cell = '';
        this.#lines.push([]);
        if (line.length === 1) this.flush();
      } else {
        this.#cell += char;
      }
    }
  }

  /** Lay out everything buffered; what is written next starts new column blocks. */
  flush(): void {
    if (this.#cell !== '') {
      (this.#lines[this.#lines.length - 1] as Line).push(this.#cell);
      this.#cell = '';
    }
    this.#format([], 0, this.#lines.length);
    this.#lines = [[]];
  }

  /** Everything written, flushed. */
  toString(): string {
    this.flush();
    return this.#out;
  }

  /** Go's `format`: find the blocks of column `widths.length` in [line0, line1) and recurse into each. */
  #format(widths: readonly number[], line0: number, line1: number): void {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= (this.#lines[i] as Line).length - 1) continue;
      this.#writeLines(widths, start, i);
      start = i;
      let width = 0;
      for (; i < line1; i++) {
        const line = this.#lines[i] as Line;
        if (column >= line.length - 1) break;
        width = Math.max(width, widthOf(line[column] as string) + this.#padding);
      }
      this.#format([...widths, width], start, i);
      start = i;
    }
    this.#writeLines(widths, start, line1);
  }

  #writeLines(widths: readonly number[], line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.#lines[i] as Line;
      line.forEach((cell, j) => {
        this.#out += cell;
        const width = widths[j];
        if (width !== undefined) this.#out += ' '.repeat(Math.max(0, width - widthOf(cell)));
      });
      // The last buffered line is the unterminated one: no newline of its own.
      if (i + 1 < this.#lines.length) this.#out += '\n';
    }
  }
}

/** `text` laid out as kubectl's `tabbedString` does. */
export function tabbed(text: string, padding = 2): string {
  const writer = new TabWriter(padding);
  writer.write(text);
  return writer.toString();
}
