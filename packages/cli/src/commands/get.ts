/** `everynode get TYPE [NAME] [-w]`: kubectl's `get` for DaemonSets, nodes and pods, watching with `-w` (`get-watch.ts`). */
import type { Command } from 'commander';
import { ApiError } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { getAndWatch } from './get-watch.ts';
import type { PrintRequest } from '../print/output.ts';
import { formatObjects, noResourcesMessage, outputFormatOf } from '../print/output.ts';
import type { KubeObject, ResourceType } from '../resources.ts';
import { resolveTarget } from '../resources.ts';

interface GetOptions {
  namespace: string;
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  watch?: boolean;
  watchOnly?: boolean;
}

export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('Display DaemonSets, nodes or pods')
    .argument('<type>', 'ds|daemonsets, nodes|no, pods|po (or TYPE/NAME)')
    .argument('[name]', 'one object by name')
    .option('-n, --namespace <ns>', 'the namespace', 'default')
    .option('-A, --all-namespaces', 'list across every namespace')
    .option('-l, --selector <selector>', 'label selector, e.g. app=fluentd,tier in (a,b)')
    .option('-o, --output <format>', 'wide|json|yaml|name')
    .option('-w, --watch', 'after listing, watch for changes and print each')
    .option('--watch-only', 'print only the changes, not what is there now')
    .addHelpText(
      'after',
      `
Examples:
  everynode get ds -n kube-system
  everynode get pods -A -o wide
  everynode get ds fluentd-elasticsearch -n kube-system -o yaml
  everynode get nodes -l node-role.kubernetes.io/master
  everynode get pods -n kube-system -w`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: GetOptions, command: Command) => {
      const { type, name } = resolveTarget(typeArg, nameArg);
      const request: PrintRequest = { type, format: outputFormatOf(options.output), allNamespaces: options.allNamespaces === true, now: ctx.io.now() };
      const client = ctx.client(command);
      if (name !== undefined) {
        if (request.allNamespaces) throw new CliError('error: a resource cannot be retrieved by name across all namespaces');
        if (options.selector !== undefined) throw new CliError('error: selectors and the all flag cannot be used when passing resource/name arguments');
      }
      const namespace = type.namespaced && !request.allNamespaces ? options.namespace : undefined;
      if (options.watch === true || options.watchOnly === true) {
        const watched = { request, name, namespace, labelSelector: options.selector, watchOnly: options.watchOnly === true };
        // One object is watched from its own resourceVersion, as kubectl does; a list from the list's.
        const present = async () => {
          if (name === undefined) return listSorted(type, client, namespace, options.selector);
          const object = await getOne(type, () => type.get(client, options.namespace, name), name);
          return { items: [object], resourceVersion: object.metadata.resourceVersion ?? '' };
        };
        await getAndWatch(ctx, client, watched, present);
        return;
      }
      if (name !== undefined) {
        const object = await getOne(type, () => type.get(client, options.namespace, name), name);
        ctx.io.stdout(formatObjects(request, [object], true));
        return;
      }
      const { items } = await listSorted(type, client, namespace, options.selector);
      if (items.length === 0 && (request.format === undefined || request.format === 'wide')) {
        ctx.io.stderr(noResourcesMessage(type, namespace));
        return;
      }
      ctx.io.stdout(formatObjects(request, items, false));
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

/** The objects, sorted, and the list's resourceVersion; the server applies `-l` (`labelSelector`), as Kubernetes' does. */
async function listSorted(
  type: ResourceType,
  client: ReturnType<CliContext['client']>,
  namespace: string | undefined,
  labelSelector: string | undefined,
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const { items, resourceVersion } = await type.list(client, { namespace, labelSelector });
  return { items: items.sort(byNamespaceAndName), resourceVersion };
}

/** The order the API server lists in (by key, byte-wise), whatever order the answer came in. */
function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
