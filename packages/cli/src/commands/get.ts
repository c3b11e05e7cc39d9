/**
 * `everynode get TYPE[,TYPE…] [NAME…] | TYPE/NAME…`: kubectl's `get` for
 * DaemonSets, nodes and pods — several kinds at once (a table each, names
 * prefixed with their kind), `-l` and `--field-selector` applied by the
 * server, `--show-labels`, every `-o` printer of `print/output.ts`, and
 * `-w` / `--watch-only` for one kind (`get-watch.ts`).
 */
import type { Command } from 'commander';
import { ApiError } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError, errorLines } from '../errors.ts';
import { getAndWatch } from './get-watch.ts';
import type { Group, PrintOptions } from '../print/output.ts';
import { goQuote } from '../print/go-values.ts';
import { isTable, noResourcesMessage, outputFormatOf, printGroups } from '../print/output.ts';
import type { KubeObject, ListFilter, ResourceType } from '../resources.ts';
import { resolveRequested } from '../resources.ts';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

interface GetOptions {
  allNamespaces?: boolean;
  selector?: string;
  fieldSelector?: string;
  output?: string;
  showLabels?: boolean;
  watch?: boolean;
  watchOnly?: boolean;
}

const noType = 'You must specify the type of resource to get. The types everynode serves: daemonsets (ds), nodes (no), pods (po).';

export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('Display DaemonSets, nodes or pods')
    .argument('[resources...]', 'TYPE[,TYPE…] [NAME…] or TYPE/NAME…; types: ds|daemonsets, nodes|no, pods|po')
    .option('-A, --all-namespaces', 'list across every namespace')
    .option('-l, --selector <selector>', 'label selector, e.g. app=fluentd,tier in (a,b)')
    .option('--field-selector <selector>', 'field selector, e.g. spec.nodeName=worker01,status.phase!=Running (the server says which fields it supports)')
    .option('-o, --output <format>', 'wide|json|yaml|name|jsonpath=TEMPLATE|jsonpath-file=FILE|custom-columns=SPEC|custom-columns-file=FILE')
    .option('--show-labels', "show each object's labels as the last column")
    .option('-w, --watch', 'after listing, watch for changes and print each')
    .option('--watch-only', 'print only the changes, not what is there now')
    .addHelpText(
      'after',
      `
Examples:
  everynode get ds -n kube-system
  everynode -n kube-system get ds,pods
  everynode get pods -A -o wide --show-labels
  everynode get ds fluentd-elasticsearch -n kube-system -o yaml
  everynode get nodes -l node-role.kubernetes.io/master
  everynode get pods -A --field-selector spec.nodeName=worker01
  everynode get pods -n kube-system -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}'
  everynode get pods -n kube-system -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName
  everynode get pods -n kube-system -w`,
    )
    .action(async (args: string[], options: GetOptions, command: Command) => {
      if (args.length === 0) {
        throw new CliError([noType, '', 'error: Required resource not specified.', "See 'everynode get -h' for help and examples"]);
      }
      const requested = resolveRequested(args, 'get');
      const named = requested.some((r) => r.names.length > 0);
      const allNamespaces = options.allNamespaces === true;
      if (named) {
        if (allNamespaces) throw new CliError('error: a resource cannot be retrieved by name across all namespaces');
        if (options.selector !== undefined || options.fieldSelector !== undefined) throw new CliError('error: name cannot be provided when a selector is specified');
      }
      const format = await outputFormatOf(options.output, (path) => readFile(resolve(ctx.io.cwd, path), 'utf8'));
      const print: PrintOptions = { format, allNamespaces, showLabels: options.showLabels === true, now: ctx.io.now() };
      const namespace = namespaceOf(command).value;
      const client = ctx.client(command);
      const filter = (type: ResourceType): ListFilter => ({
        namespace: type.namespaced && !allNamespaces ? namespace : undefined,
        labelSelector: options.selector,
        fieldSelector: options.fieldSelector,
      });

      if (options.watch === true || options.watchOnly === true) {
        const [only] = requested;
        if (only === undefined || requested.length > 1) throw new CliError('error: you may only specify a single resource type');
        if (only.names.length > 1) throw new CliError(`error: watch is only supported on individual resources and resource collections, but ${only.names.length} resources were found`);
        const { type } = only;
        const name = only.names[0];
        const { namespace: listed, labelSelector, fieldSelector } = filter(type);
        const watched = { request: { ...print, type }, name, namespace: listed, labelSelector, fieldSelector, watchOnly: options.watchOnly === true };
        // One object is watched from its own resourceVersion, as kubectl does; a list from the list's.
        const present = async () => {
          if (name === undefined) return listSorted(type, client, filter(type), options);
          const object = await getOne(type, () => type.get(client, namespace, name), name);
          return { items: [object], resourceVersion: object.metadata.resourceVersion ?? '' };
        };
        await getAndWatch(ctx, client, watched, present);
        return;
      }

      const groups: Group[] = [];
      const failures: string[] = [];
      for (const { type, names } of requested) {
        if (names.length === 0) {
          groups.push({ type, items: (await listSorted(type, client, filter(type), options)).items });
          continue;
        }
        const items: KubeObject[] = [];
        for (const name of names) {
          try {
            items.push(await getOne(type, () => type.get(client, namespace, name), name));
          } catch (error) {
            // kubectl prints what it found, and every failure after it.
            if (!(error instanceof ApiError)) throw error;
            failures.push(...errorLines(error));
          }
        }
        groups.push({ type, items });
      }
      const found = groups.some((g) => g.items.length > 0);
      const single = requested.length === 1 && requested[0]?.names.length === 1;
      if (found || !isTable(format)) {
        if (found || failures.length === 0) printGroups(ctx.io.stdout, print, groups, { single: single && found, withKind: requested.length > 1 });
      } else if (failures.length === 0) {
        const namespaced = requested.find((r) => r.type.namespaced)?.type ?? requested[0]?.type;
        if (namespaced) ctx.io.stderr(noResourcesMessage(namespaced, allNamespaces ? undefined : namespace));
      }
      if (failures.length > 0) throw new CliError(failures);
    });
}

/** The object, or kubectl's NotFound line even when the server's 404 carried no Status. */
async function getOne(type: ResourceType, read: () => Promise<KubeObject>, name: string): Promise<KubeObject> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.reason === undefined) {
      throw new CliError(`Error from server (NotFound): ${type.plural} "${name}" not found`);
    }
    throw error;
  }
}

/**
 * The objects, sorted, and the list's resourceVersion; the server applies
 * `-l` and `--field-selector`, as Kubernetes' does. A refused list reads as
 * kubectl words it (`Unable to find "apps/v1, Resource=daemonsets" that
 * match label selector "", field selector "spec.nodeName=x": field label not
 * supported: spec.nodeName`).
 */
async function listSorted(
  type: ResourceType,
  client: ReturnType<CliContext['client']>,
  filter: ListFilter,
  selectors: { selector?: string | undefined; fieldSelector?: string | undefined },
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  try {
    const { items, resourceVersion } = await type.list(client, filter);
    return { items: items.sort(byNamespaceAndName), resourceVersion };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 404) || error.body === undefined) throw error;
    const label = selectors.selector ?? '';
    const field = selectors.fieldSelector ?? '';
    const message =
      label === '' && field === ''
        ? `Unable to list ${goQuote(type.resource)}: ${error.message}`
        : `Unable to find ${goQuote(type.resource)} that match label selector ${goQuote(label)}, field selector ${goQuote(field)}: ${error.message}`;
    throw new ApiError(error.status, { ...error.body, message }, message);
  }
}

/** The order the API server lists in (by key, byte-wise), whatever order the answer came in. */
function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
