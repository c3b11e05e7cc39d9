/**
 * The log index: for every entry one line, `<seq> <header>` (`header.ts`) or
 * `<seq>` for an entry without a header, appended by the commit script in
 * the same atomic step as the entry, in string blocks of 1,000 seqs
 * (`{p}:index:<floor(seq / 1000)>`).
 *
 * Why: reading the stream costs three strings and two arrays per entry to
 * decode, and every body crosses the wire; a block is one string for 1,000
 * entries, and the bodies a reader does not need stay in Redis. Replay folds
 * node events and pod status reports from their lines alone (`lazy-fold.ts`),
 * walking the text with a cursor that allocates only the strings asked for.
 *
 * The index is derived, like the projection: import writes it, trimming
 * drops the blocks behind the horizon, and an entry with no line (written
 * before the index existed) is read from the stream as if it had no header.
 */
import { isAscii } from 'node:buffer';
import type { RedisClient } from './redis-client.ts';
import type { Keys } from './keys.ts';

/** What the index is read from: a connection and the log's keys (an `EventStore` is one). */
export interface IndexSource {
  readonly redis: RedisClient;
  readonly keys: Keys;
}

/** Seqs per index block (the commit script divides by the same number). */
export const IndexBlockSize = 1000;

export const indexBlockOf = (seq: number) => Math.floor(seq / IndexBlockSize);

/** The index line of entry `seq` (the commit script writes the same). */
export const indexLine = (seq: number, header: string) => (header === '' ? `${seq}\n` : `${seq} ${header}\n`);

/** An index line with a header, as a filter sees it. */
export interface IndexLine {
  readonly seq: number;
  /** The entry's `at` in ms. */
  readonly at: number;
  /** A CloudEvent type, or `pass`. */
  readonly type: string;
  /** `node/NAME`, `pod/NS/NAME` or `daemonset.apps/NS/NAME` (a pass: its DaemonSet). */
  readonly object: string;
}

/**
 * Which entries of a page are left unread, known by their lines alone: those
 * of these types, or those the function says. An entry without a header (or
 * without a line) is always read.
 */
export type Bodiless = readonly string[] | ((line: IndexLine) => boolean);

/**
 * Read the entries with seq in `[from, to]`: the index lines, and from the
 * stream the JSON of every entry not `bodiless` — in runs of consecutive
 * seqs. Walk them in order with the cursor.
 */
export async function readIndexPage(store: IndexSource, from: number, to: number, bodiless: Bodiless): Promise<IndexCursor> {
  const { texts, runs, bodies } = await readPage(store, from, to, bodiless);
  return new IndexCursor(new LineScanner(texts, from, to, bodiless), runs, bodies);
}

/** The JSON of the entries with seq in `[from, to]` that are not `bodiless`, by seq: `readIndexPage` without the lines. */
export async function readIndexedJson(store: IndexSource, from: number, to: number, bodiless: Bodiless): Promise<[number, string][]> {
  return (await readPage(store, from, to, bodiless)).bodies;
}

async function readPage(store: IndexSource, from: number, to: number, bodiless: Bodiless): Promise<{ texts: string[]; runs: [number, number][]; bodies: [number, string][] }> {
  const blocks: string[] = [];
  for (let b = indexBlockOf(from); b <= indexBlockOf(to); b++) blocks.push(store.keys.indexBlock(b));
  const texts = to < from ? [] : pageText(await store.redis.mgetBuffer(blocks));
  const runs: [number, number][] = [];
  let expected = from;
  for (const line = new LineScanner(texts, from, to, bodiless); line.advance(true); ) {
    if (line.seq > expected) addRun(runs, expected, line.seq - 1);
    if (!line.headerOnly) addRun(runs, line.seq, line.seq);
    expected = line.seq + 1;
  }
  if (expected <= to) addRun(runs, expected, to);
  return { texts, runs, bodies: await readRuns(store, runs) };
}

/**
 * The texts of a page's index blocks, one string per block, decoded here
 * from the bytes: a one-byte copy (`latin1`) when the block is ASCII, what
 * a block almost always is (a header's names and timestamps), UTF-8
 * otherwise. Decoding is 1–3 ms per replay of figure 6c's log either way;
 * MGET as bytes vs as strings (ioredis' decoding) read 102 vs 140 ms of CPU
 * for its 201 blocks (medians of 10 interleaved runs, a loaded machine:
 * within the noise). Not joined into one string per page: a ~1 MB string is
 * a large object for V8, and decoding the pages so took 55–65 ms per replay.
 */
function pageText(blocks: readonly (Buffer | null)[]): string[] {
  const texts: string[] = [];
  for (const block of blocks) if (block && block.length > 0) texts.push(isAscii(block) ? block.toString('latin1') : block.toString('utf8'));
  return texts;
}

/**
 * The entries of an index page in seq order. After `next()` returns true,
 * `seq` is the entry's and `at` its `at` in ms (NaN when it has no header:
 * parse `json`); `json` is its JSON when it was read from the stream, else
 * (`headerOnly`) `typeIs`, `time`, `object` and `extra` give its header.
 * Nothing is allocated but the strings asked for.
 */
export class IndexCursor {
  seq = 0;
  at = Number.NaN;
  json: string | undefined;
  headerOnly = false;
  #hasLine = false;
  #lineUsed = true;
  #body = 0;
  #run = 0;

  constructor(
    private readonly lines: LineScanner,
    /** The seqs whose JSON was asked for: a line outside them is bodiless. */
    private readonly runs: readonly (readonly [number, number])[],
    private readonly bodies: readonly (readonly [number, string])[],
  ) {}

  /** Whether the JSON of `seq` was asked for (`seq` ascending from call to call). */
  #requested(seq: number): boolean {
    while ((this.runs[this.#run]?.[1] ?? Infinity) < seq) this.#run++;
    return (this.runs[this.#run]?.[0] ?? Infinity) <= seq;
  }

  /** Move to the next entry: an index line (with its JSON when read), or an entry only the stream knows of. */
  next(): boolean {
    const line = this.lines;
    for (;;) {
      if (this.#lineUsed) {
        this.#hasLine = line.advance();
        this.#lineUsed = false;
      }
      const body = this.bodies[this.#body];
      if (!this.#hasLine && body === undefined) return false;
      if (body !== undefined && (!this.#hasLine || body[0] < line.seq)) {
        this.#body++;
        this.seq = body[0];
        this.at = Number.NaN;
        this.json = body[1];
        this.headerOnly = false;
        return true;
      }
      this.#lineUsed = true;
      this.seq = line.seq;
      this.at = line.at;
      this.headerOnly = !this.#requested(line.seq);
      if (body !== undefined && body[0] === line.seq) {
        this.#body++;
        this.json = body[1];
        return true;
      }
      this.json = undefined;
      // Otherwise its JSON was asked for and the stream has no such entry: skip the line.
      if (this.headerOnly) return true;
    }
  }

  /** Whether the header's type is `type` (no allocation). */
  typeIs(type: string): boolean {
    return this.lines.fieldIs(1, type);
  }

  /** The event's time in ms (header-only entries). */
  get time(): number {
    return this.lines.numberField(2);
  }

  /** The header's object, e.g. `node/NAME` (header-only entries). */
  get object(): string {
    return this.lines.field(3);
  }

  /** Whether the header's `i`th extra is `value` (no allocation; false when it has none). */
  extraIs(i: number, value: string): boolean {
    return this.lines.fields > 4 + i && this.lines.fieldIs(4 + i, value);
  }

  /** The header's `i`th extra (header-only entries; see `header.ts`), undefined when it has none. */
  extra(i: number): string | undefined {
    return this.lines.fields > 4 + i ? this.lines.field(4 + i) : undefined;
  }
}

/** The lines of index blocks with seq in `[from, to]`, one at a time, with the bounds of the current line's header fields. */
class LineScanner implements IndexLine {
  seq = 0;
  at = Number.NaN;
  /** After `advance(true)`: whether the line's entry is left unread. */
  headerOnly = false;
  /** How many header fields the line has (0: none). */
  fields = 0;
  #text = '';
  #block = -1;
  #next = 0;
  /** Start and end of each header field of the current line: at, type, time, object, extras. */
  readonly #bounds = new Int32Array(2 * MaxFields);

  constructor(
    private readonly texts: readonly string[],
    private readonly from: number,
    private readonly to: number,
    private readonly bodiless: Bodiless,
  ) {}

  /** Whether the line's type (starting at `start`, ending at `end`) is one of the `bodiless` types. */
  #isBodilessType(text: string, start: number, end: number): boolean {
    for (const type of this.bodiless as readonly string[]) if (end - start === type.length && text.startsWith(type, start)) return true;
    return false;
  }

  get type(): string {
    return this.field(1);
  }

  get object(): string {
    return this.field(3);
  }

  /** Move to the next line in range; `judge`: say whether its entry is left unread (`headerOnly`), from the types when they are enough. */
  advance(judge = false): boolean {
    for (;;) {
      if (this.#next >= this.#text.length) {
        const text = this.texts[++this.#block];
        if (text === undefined) return false;
        this.#text = text;
        this.#next = 0;
        continue;
      }
      const text = this.#text;
      const start = this.#next;
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      this.#next = end + 1;
      let word = text.indexOf(' ', start);
      if (word < 0 || word > end) word = end;
      const seq = number(text, start, word);
      if (!(seq >= this.from && seq <= this.to)) continue;
      this.seq = seq;
      if (judge && Array.isArray(this.bodiless)) {
        const type = word < end ? text.indexOf(' ', word + 1) + 1 : 0;
        const typeEnd = type > 0 ? text.indexOf(' ', type) : -1;
        this.headerOnly = typeEnd > 0 && typeEnd < end && this.#isBodilessType(text, type, typeEnd);
        return true;
      }
      // The header's fields: split at spaces, up to MaxFields (the last one takes the rest of the line).
      const bounds = this.#bounds;
      let fields = 0;
      while (word < end && fields < MaxFields) {
        const from = word + 1;
        let to = fields === MaxFields - 1 ? end : text.indexOf(' ', from);
        if (to < 0 || to > end) to = end;
        bounds[2 * fields] = from;
        bounds[2 * fields + 1] = to;
        fields++;
        word = to;
      }
      this.fields = fields;
      this.at = fields > 0 ? number(text, bounds[0] as number, bounds[1] as number) : Number.NaN;
      if (judge) this.headerOnly = fields >= 4 && (this.bodiless as (line: IndexLine) => boolean)(this);
      return true;
    }
  }

  field(i: number): string {
    return this.#text.slice(this.#bounds[2 * i], this.#bounds[2 * i + 1]);
  }

  fieldIs(i: number, value: string): boolean {
    const start = this.#bounds[2 * i] as number;
    return (this.#bounds[2 * i + 1] as number) - start === value.length && this.#text.startsWith(value, start);
  }

  numberField(i: number): number {
    return number(this.#text, this.#bounds[2 * i] as number, this.#bounds[2 * i + 1] as number);
  }
}

/** At most this many header fields are read: at, type, time, object and two extras. */
const MaxFields = 6;

/** The decimal integer in `text[start, end)`, read without a substring; anything else via `Number`. */
function number(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(text.slice(start, end));
    n = n * 10 + digit;
  }
  return end > start ? n : Number.NaN;
}

/** The JSON of the entries in each run `[a, b]` of seqs, in order of seq (entries not in the log are skipped). */
export async function readRuns(store: IndexSource, runs: readonly (readonly [number, number])[]): Promise<[number, string][]> {
  if (runs.length === 0) return [];
  const pipeline = store.redis.pipeline();
  for (const [a, b] of runs) pipeline.xrange(store.keys.log, `${a}-0`, `${b}-0`);
  const replies = (await pipeline.exec()) ?? [];
  const out: [number, string][] = [];
  for (const [error, rows] of replies) {
    if (error) throw error;
    for (const [id, fields] of rows as [string, string[]][]) out.push([Number(id.slice(0, id.indexOf('-'))), fields[fields.indexOf('e') + 1] as string]);
  }
  return out;
}

/** Runs of consecutive seqs covering `seqs` (sorted ascending). */
export function runsOf(seqs: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const seq of seqs) addRun(runs, seq, seq);
  return runs;
}

/** Add `[a, b]` to `runs` (ascending, `a` after every run), joined to the last run when they touch. */
function addRun(runs: [number, number][], a: number, b: number): void {
  const last = runs.at(-1);
  if (last && last[1] + 1 >= a) last[1] = b;
  else runs.push([a, b]);
}
