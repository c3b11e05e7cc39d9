/**
 * `everynode delete TYPE NAME… | TYPE/NAME… | -f FILE|DIR|-`: DaemonSets
 * (the engine deletes their pods too) and nodes, by name or as a manifest
 * names them, each reported as kubectl does (`daemonset.apps "x" deleted`).
 * Like kubectl it carries on past an object it cannot delete and reports
 * every failure at the end (exit 1); `--ignore-not-found` makes a missing
 * object no failure.
 */
import type { Command } from 'commander';
import { ApiError } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError, errorLines } from '../errors.ts';
import { parseDocuments, readManifestSources } from '../manifests.ts';
import { daemonSets, nodes, pods, resolveRequested, type ResourceType } from '../resources.ts';

interface DeleteOptions {
  filename?: string;
  ignoreNotFound?: boolean;
}

/** One object to delete, and the file that named it (for `error when deleting "FILE"`). */
interface Target {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
  readonly source?: string;
}

/** A failure: an API error reads `Error from server (…)`; anything else `error: …`, or bare among several. */
interface Failure {
  readonly api: boolean;
  readonly text: string;
}

const noResources = [
  'error: You must provide one or more resources by argument or filename.',
  'Example resource specifications include:',
  "   '-f rsrc.yaml'",
  "   '--filename=rsrc.json'",
  "   '<resource> <name>'",
  "   '<resource>'",
];

export function registerDelete(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('Delete DaemonSets (and their pods) or nodes, by name or as a manifest names them')
    .argument('[resources...]', 'TYPE NAME…, TYPE/NAME…; types: ds|daemonsets, node|no')
    .option('-f, --filename <path>', 'delete what a YAML or JSON file (a directory of them, or - for stdin) names')
    .option('--ignore-not-found', 'treat an object that is not there as deleted: no error, exit 0')
    .addHelpText(
      'after',
      `
Examples:
  everynode delete ds fluentd-elasticsearch -n kube-system
  everynode delete daemonset.apps/fluentd-elasticsearch node/worker03 -n kube-system
  everynode delete -f fluentd-daemonset.yaml
  everynode delete ds old-agent --ignore-not-found`,
    )
    .action(async (args: string[], options: DeleteOptions, command: Command) => {
      const namespace = namespaceOf(command);
      const failures: Failure[] = [];
      let targets: Target[];
      if (options.filename !== undefined) {
        if (args.length > 0) throw new CliError('error: resource/name arguments cannot be provided when a path is specified');
        targets = await manifestTargets(ctx, options.filename, namespace, failures);
        if (namespace.explicit && targets.some((t) => !t.type.namespaced)) {
          ctx.io.stderr('Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n');
        }
      } else {
        if (args.length === 0) throw new CliError(noResources);
        const requested = resolveRequested(args, 'delete');
        if (requested.some((r) => r.names.length === 0)) throw new CliError('error: resource(s) were provided, but no name was specified');
        targets = requested.flatMap(({ type, names }) => names.map((name) => ({ type, namespace: namespace.value, name })));
      }
      const client = ctx.client(command);
      for (const target of targets) {
        try {
          await deleteOne(client, target);
          ctx.io.stdout(`${target.type.singular} "${target.name}" deleted\n`);
        } catch (error) {
          if (options.ignoreNotFound === true && error instanceof ApiError && error.status === 404) continue;
          if (!(error instanceof ApiError)) throw error;
          failures.push({ api: true, text: apiFailure(error, target) });
        }
      }
      if (failures.length === 1 && failures[0]?.api === false) throw new CliError(`error: ${failures[0].text}`);
      if (failures.length > 0) throw new CliError(failures.map((f) => f.text));
    });
}

async function deleteOne(client: ReturnType<CliContext['client']>, target: Target): Promise<void> {
  if (target.type === daemonSets) await client.deleteDaemonSet(target.namespace, target.name);
  else if (target.type === nodes) await client.deleteNode(target.name);
  // Pods belong to their DaemonSet here; there is no pod DELETE to call.
  else throw new ApiError(405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: 'the server does not allow this method on the requested resource' }, '');
}

/** kubectl's line for an API error; a file's objects say which file (`error when deleting "FILE": …`). */
function apiFailure(error: ApiError, target: Target): string {
  // A 404 without a Status still reads as kubectl's NotFound for the object.
  const bare = error.status === 404 && error.reason === undefined;
  const message = bare ? `${target.type.plural} "${target.name}" not found` : errorLines(error)[0]?.replace(/^Error from server( \([^)]*\))?: /, '') ?? error.message;
  const reason = bare ? 'NotFound' : error.reason;
  const detail = target.source === undefined ? message : `error when deleting "${target.source}": ${message}`;
  return reason === undefined ? `Error from server: ${detail}` : `Error from server (${reason}): ${detail}`;
}

/** The kinds a manifest may name for deletion. */
const manifestTypes: Readonly<Record<string, ResourceType>> = {
  'apps/v1 DaemonSet': daemonSets,
  'v1 Node': nodes,
  'v1 Pod': pods,
};

/**
 * The objects the manifests at `path` name. Only what identifies an object
 * is read (apiVersion, kind, name, namespace), as kubectl does for delete;
 * a document that names none, or another kind, or another namespace than
 * an explicit `-n`, is a failure, and the others are still deleted.
 */
async function manifestTargets(ctx: CliContext, path: string, namespace: { value: string; explicit: boolean }, failures: Failure[]): Promise<Target[]> {
  const sources = await readManifestSources(path, ctx.io.cwd, ctx.io.readStdin);
  const targets: Target[] = [];
  for (const source of sources) {
    for (const doc of parseDocuments(source)) {
      const object = (typeof doc === 'object' && doc !== null ? doc : {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
      const own = typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : undefined;
      const type = manifestTypes[`${String(object.apiVersion)} ${String(object.kind)}`];
      if (type === undefined) {
        throw new CliError([
          `error: resource mapping not found for name: ${JSON.stringify(name)} namespace: ${JSON.stringify(own ?? '')} from "${source.name}": no matches for kind ${JSON.stringify(String(object.kind ?? ''))} in version ${JSON.stringify(String(object.apiVersion ?? ''))}`,
          'ensure CRDs are installed first',
        ]);
      }
      if (name === '') {
        failures.push({ api: false, text: `error when deleting "${source.name}": resource name may not be empty` });
        continue;
      }
      if (type.namespaced && own !== undefined && namespace.explicit && own !== namespace.value) {
        failures.push({
          api: false,
          text: `the namespace from the provided object "${own}" does not match the namespace "${namespace.value}". You must pass '--namespace=${own}' to perform this operation.`,
        });
        continue;
      }
      targets.push({ type, namespace: own ?? namespace.value, name, source: source.name });
    }
  }
  return targets;
}
