/**
 * `-o` for `get`: which printer, and printing objects with it — one kind or
 * several (`get ds,po`: a table per kind, a blank line between them, names
 * prefixed `daemonset.apps/…`; one `List` for json, yaml and jsonpath).
 * Tables go through the resource's own printer (with `--show-labels`'s
 * LABELS column); `jsonpath` and `custom-columns` through `jsonpath.ts` and
 * `custom-columns.ts`, with kubectl's errors.
 */
import { CliError } from '../errors.ts';
import type { KubeObject, ResourceType } from '../resources.ts';
import { withTypeMeta } from '../resources.ts';
import { type CustomColumn, customColumnsTable, parseCustomColumns, parseCustomColumnsFile } from './custom-columns.ts';
import { goQuote, goSyntax } from './go-values.ts';
import { JsonPathError, type JsonPathTemplate, parseJsonPath } from './jsonpath.ts';
import { asList, sortKeys, toJson, toYaml } from './objects.ts';

/** The printers `-o` names, as kubectl lists them in its error. */
export const OutputFormats = ['custom-columns', 'custom-columns-file', 'json', 'jsonpath', 'jsonpath-file', 'name', 'wide', 'yaml'] as const;

export type OutputFormat =
  | { readonly kind: 'table'; readonly wide: boolean }
  | { readonly kind: 'json' | 'yaml' | 'name' }
  | { readonly kind: 'jsonpath'; readonly template: JsonPathTemplate }
  | { readonly kind: 'custom-columns'; readonly columns: readonly CustomColumn[] };

/** The default printer: the resource's table. */
export const tableFormat: OutputFormat = { kind: 'table', wide: false };

/** Reads a file named on the command line (relative to the working directory). */
export type ReadFile = (path: string) => Promise<string>;

/** Go's `open NAME: no such file or directory` for a file that cannot be read. */
export function openError(path: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return `open ${path}: ${reason}`;
}

function jsonPathTemplate(text: string): JsonPathTemplate {
  if (text === '') throw new CliError('error: template format specified but no template given');
  try {
    return parseJsonPath(text, { allowMissingKeys: true });
  } catch (error) {
    if (error instanceof JsonPathError) throw new CliError(`error: error parsing jsonpath ${text}, ${error.message}`);
    throw error;
  }
}

/**
 * The `-o` value as a printer (reading `jsonpath-file=` and
 * `custom-columns-file=` files), or kubectl's error for one it has no
 * printer for.
 */
export async function outputFormatOf(value: string | undefined, readFile: ReadFile): Promise<OutputFormat> {
  if (value === undefined || value === '') return tableFormat;
  if (value === 'wide') return { kind: 'table', wide: true };
  if (value === 'json' || value === 'yaml' || value === 'name') return { kind: value };
  const equals = value.indexOf('=');
  const name = equals < 0 ? value : value.slice(0, equals);
  const argument = equals < 0 ? '' : value.slice(equals + 1);
  switch (name) {
    case 'jsonpath':
      return { kind: 'jsonpath', template: jsonPathTemplate(argument) };
    case 'jsonpath-file': {
      if (argument === '') throw new CliError('error: template format specified but no template given');
      const text = await readFile(argument).catch((error: unknown) => {
        throw new CliError(`error: error reading --template ${argument}, ${openError(argument, error)}`);
      });
      return { kind: 'jsonpath', template: jsonPathTemplate(text) };
    }
    case 'custom-columns':
      return { kind: 'custom-columns', columns: parseCustomColumns(argument) };
    case 'custom-columns-file': {
      if (argument === '') throw new CliError('error: custom-columns format specified but no custom columns given');
      const text = await readFile(argument).catch((error: unknown) => {
        throw new CliError(`error: error reading template ${argument}, ${openError(argument, error)}`);
      });
      return { kind: 'custom-columns', columns: parseCustomColumnsFile(text) };
    }
    default:
      throw new CliError(
        `error: unable to match a printer suitable for the output format ${JSON.stringify(value)}, allowed formats are: ${OutputFormats.join(',')}`,
      );
  }
}

/** How `get` prints. */
export interface PrintOptions {
  readonly format: OutputFormat;
  /** `-A`: NAMESPACE column. */
  readonly allNamespaces: boolean;
  /** `--show-labels`: LABELS column. */
  readonly showLabels: boolean;
  readonly now: Date;
}

/** The objects of one kind. */
export interface Group {
  readonly type: ResourceType;
  readonly items: readonly KubeObject[];
}

/** Whether the printer is a table (kubectl's human-readable printer): the one that says "No resources found". */
export const isTable = (format: OutputFormat): boolean => format.kind === 'table';

/**
 * Print `groups` to `write`. `single`: one object asked for by name, printed
 * as itself rather than in a `List`; `withKind`: names prefixed with their
 * kind, as when several kinds were asked for.
 */
export function printGroups(write: (text: string) => void, options: PrintOptions, groups: readonly Group[], how: { single: boolean; withKind: boolean }): void {
  // As JSON would carry them: absent fields absent (not undefined), so templates see what kubectl sees.
  const typed = groups.flatMap(({ type, items }) => items.map((o) => sortKeys(withTypeMeta(type, o))));
  const data = how.single ? typed[0] : asList(typed);
  const { format } = options;
  switch (format.kind) {
    case 'json':
      write(toJson(data));
      return;
    case 'yaml':
      write(toYaml(data));
      return;
    case 'name':
      write(groups.flatMap(({ type, items }) => items.map((o) => `${type.singular}/${o.metadata.name ?? ''}\n`)).join(''));
      return;
    case 'jsonpath':
      write(executeJsonPath(format.template, data));
      return;
    case 'custom-columns':
      customColumnsTable(format.columns, typed, write);
      return;
    case 'table':
      write(
        groups
          .filter(({ items }) => items.length > 0)
          .map(({ type, items }) =>
            type.table(items, {
              wide: format.wide,
              withNamespace: options.allNamespaces && type.namespaced,
              now: options.now,
              showLabels: options.showLabels,
              ...(how.withKind ? { kindPrefix: type.singular } : {}),
            }),
          )
          .join('\n'),
      );
      return;
    default: {
      const unknown: never = format;
      throw new Error(`unhandled output format ${JSON.stringify(unknown)}`);
    }
  }
}

/** One kind's objects, as `printGroups` prints them; for `get -w`'s objects one by one. */
export function formatObjects(options: PrintOptions & { readonly type: ResourceType }, objects: readonly KubeObject[], single: boolean): string {
  let text = '';
  printGroups((t) => (text += t), options, [{ type: options.type, items: objects }], { single, withKind: false });
  return text;
}

/**
 * The template's text for `data`; on failure, kubectl's error: the message,
 * the template and the object it was given (Go's `%#v`), then two blank lines.
 */
export function executeJsonPath(template: JsonPathTemplate, data: unknown): string {
  try {
    return template.execute(data);
  } catch (error) {
    if (!(error instanceof JsonPathError)) throw error;
    throw new CliError([
      `error: error executing jsonpath ${goQuote(template.source)}: Error executing template: ${error.message}. Printing more information for debugging the template:`,
      '\ttemplate was:',
      `\t\t${template.source}`,
      '\tobject given to jsonpath engine was:',
      `\t\t${goSyntax(data)}`,
      '',
      '',
    ]);
  }
}

/** kubectl's note for an empty table, printed on stderr. */
export function noResourcesMessage(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced && namespace !== undefined ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n';
}
