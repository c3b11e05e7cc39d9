/**
 * `-o custom-columns=HEADER:PATH,…` and `-o custom-columns-file=FILE`, as
 * cli-runtime's `CustomColumnsPrinter` reads and prints them: each PATH a
 * relaxed JSONPath (`.metadata.name`, `metadata.name`, `{.metadata.name}`),
 * headers as written (not upper-cased), a cell `<none>` when the path finds
 * nothing and its results joined by `,` otherwise, each as Go's `%v` prints
 * it (`map[k:v]`, `[a b]`), laid out as kubectl's tables are.
 */
import { CliError } from '../errors.ts';
import { goValue } from './go-values.ts';
import { JsonPathError, type JsonPathTemplate, parseJsonPath } from './jsonpath.ts';
import { renderTable } from './table.ts';

export interface CustomColumn {
  readonly header: string;
  /** The path as a JSONPath template: `{.metadata.name}`. */
  readonly fieldSpec: string;
  readonly template: JsonPathTemplate;
}

const relaxed = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** cli-runtime's `RelaxedJSONPathExpression`: the path as a one-action template. */
export function relaxedJsonPath(path: string): string {
  if (path === '') return path;
  const match = relaxed.exec(path);
  if (!match) throw new CliError("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${match[1] ?? match[2] ?? ''}}`;
}

function column(header: string, path: string): CustomColumn {
  const fieldSpec = relaxedJsonPath(path);
  try {
    return { header, fieldSpec, template: parseJsonPath(fieldSpec, { allowMissingKeys: true }) };
  } catch (error) {
    if (error instanceof JsonPathError) throw new CliError(`error: ${error.message}`);
    throw error;
  }
}

/** The columns of `-o custom-columns=SPEC`, or kubectl's error for a bad one. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new CliError('error: custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new CliError(`error: unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return column(part.slice(0, colon), part.slice(colon + 1));
  });
}

const missingLine = 'Expected format is one line of space separated headers, one line of space separated column specs.';

/** The columns of a custom-columns file: a line of headers, then a line of paths, split on whitespace. */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  // Lines as bufio.Scanner gives them: a final newline ends the last line, it does not start another.
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (text === '') throw new CliError(`error: invalid template, missing header line. ${missingLine}`);
  if (lines.length < 2) throw new CliError(`error: invalid template, missing spec line. ${missingLine}`);
  const words = (line: string) => line.split(/\s+/).filter((w) => w !== '');
  const headers = words(lines[0] as string);
  const specs = words(lines[1] as string);
  if (headers.length !== specs.length) throw new CliError(`error: number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((header, i) => column(header, specs[i] as string));
}

/** One object's cells (`JsonPathError` when a path fails on it). */
export function cellsOf(columns: readonly CustomColumn[], object: unknown): string[] {
  return columns.map((c) => {
    const results = c.template.findResults(object);
    const values: string[] = results.length === 0 || (results[0] as unknown[]).length === 0 ? ['<none>'] : [];
    for (const group of results) for (const value of group) values.push(goValue(value));
    return values.join(',');
  });
}

/**
 * The table of `objects`. A path that fails on an object (`[0]` of a
 * string) ends the table there: what came before is printed, as kubectl's
 * tabwriter flushes it, and the error follows.
 */
export function customColumnsTable(columns: readonly CustomColumn[], objects: readonly unknown[], write: (text: string) => void): void {
  const headers = columns.map((c) => c.header);
  const rows: string[][] = [];
  try {
    for (const object of objects) rows.push(cellsOf(columns, object));
  } catch (error) {
    if (!(error instanceof JsonPathError)) throw error;
    write(renderTable(headers, rows, { upperCase: false }));
    throw new CliError(`error: ${error.message}`);
  }
  write(renderTable(headers, rows, { upperCase: false }));
}
