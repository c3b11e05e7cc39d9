/**
 * `-o` for `get`: which printer, and printing one object or a collection
 * with it. Tables go through the resource's own printer.
 */
import { CliError } from '../errors.ts';
import type { KubeObject, ResourceType } from '../resources.ts';
import { withTypeMeta } from '../resources.ts';
import { asList, toJson, toYaml } from './objects.ts';

export const OutputFormats = ['json', 'name', 'wide', 'yaml'] as const;
export type OutputFormat = (typeof OutputFormats)[number];

/** The `-o` value checked, or kubectl's error for one it has no printer for. */
export function outputFormatOf(value: string | undefined): OutputFormat | undefined {
  if (value === undefined) return undefined;
  if ((OutputFormats as readonly string[]).includes(value)) return value as OutputFormat;
  throw new CliError(
    `error: unable to match a printer suitable for the output format ${JSON.stringify(value)}, allowed formats are: ${OutputFormats.join(',')}`,
  );
}

export interface PrintRequest {
  readonly type: ResourceType;
  readonly format: OutputFormat | undefined;
  /** `-A`: NAMESPACE column. */
  readonly allNamespaces: boolean;
  readonly now: Date;
}

/** The text for `objects`; `single` prints a lone object rather than a `List` in json and yaml. */
export function formatObjects(request: PrintRequest, objects: readonly KubeObject[], single: boolean): string {
  const typed = objects.map((o) => withTypeMeta(request.type, o));
  switch (request.format) {
    case 'json':
      return toJson(single ? typed[0] : asList(typed));
    case 'yaml':
      return toYaml(single ? typed[0] : asList(typed));
    case 'name':
      return typed.map((o) => `${request.type.singular}/${o.metadata.name ?? ''}\n`).join('');
    case 'wide':
    case undefined:
      return request.type.table(typed, {
        wide: request.format === 'wide',
        withNamespace: request.allNamespaces && request.type.namespaced,
        now: request.now,
      });
    default: {
      const unknown: never = request.format;
      throw new Error(`unhandled output format ${String(unknown)}`);
    }
  }
}

/** kubectl's note for an empty table, printed on stderr. */
export function noResourcesMessage(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced && namespace !== undefined ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n';
}
