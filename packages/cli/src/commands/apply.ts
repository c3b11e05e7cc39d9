/**
 * `everynode apply -f FILE|DIR|-`: DaemonSets and Nodes, multi-document
 * YAML or JSON. Every document is validated before any is sent, so a bad
 * file changes nothing; then each is applied in order and reported as
 * kubectl does (`daemonset.apps/NAME created|configured|unchanged`).
 */
import type { Command } from 'commander';
import { parseDaemonSet } from '@everynode/api';
import type { DaemonSet, Node } from '@everynode/api';
import type { EverynodeClient } from '@everynode/client';
import { ApiError } from '@everynode/client';
import type { ApplyOutcome } from '../apply-decision.ts';
import { applyOutcome } from '../apply-decision.ts';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError, errorLines } from '../errors.ts';
import type { Manifest, NamespaceChoice } from '../manifests.ts';
import { parseDocuments, readManifestSources, toManifest } from '../manifests.ts';

interface ApplyOptions {
  filename: string;
}

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('Create or update DaemonSets and Nodes from manifests')
    .requiredOption('-f, --filename <path>', 'a YAML or JSON file, a directory of them, or - for stdin')
    .addHelpText(
      'after',
      `
Examples:
  everynode apply -f cluster-6-nodes.yaml
  everynode apply -f fluentd-daemonset.yaml
  cat ds.json | everynode apply -f -`,
    )
    .action(async (options: ApplyOptions, command: Command) => {
      const namespace: NamespaceChoice = namespaceOf(command);
      const manifests = await readManifests(ctx, options.filename, namespace);
      const client = ctx.client(command);
      const failures: string[] = [];
      for (const manifest of manifests) {
        try {
          ctx.io.stdout(`${await applyOne(client, manifest)}\n`);
        } catch (error) {
          // kubectl carries on with the other objects and reports every failure at the end.
          failures.push(...errorLines(error));
        }
      }
      if (failures.length > 0) throw new CliError(failures);
    });
}

/** Every document of the sources, validated; all problems reported together. */
async function readManifests(ctx: CliContext, path: string, namespace: NamespaceChoice): Promise<Manifest[]> {
  const sources = await readManifestSources(path, ctx.io.cwd, ctx.io.readStdin);
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const source of sources) {
    for (const doc of parseDocuments(source)) {
      try {
        manifests.push(toManifest(doc, source.name, namespace));
      } catch (error) {
        problems.push(...errorLines(error));
      }
    }
  }
  if (problems.length > 0) throw new CliError(problems);
  if (manifests.length === 0) throw new CliError(`error: no objects passed to apply`);
  return manifests;
}

/** Apply one object; the line kubectl would print for it. */
export async function applyOne(client: EverynodeClient, manifest: Manifest): Promise<string> {
  return manifest.kind === 'DaemonSet' ? applyDaemonSet(client, manifest) : applyNode(client, manifest);
}

async function applyDaemonSet(client: EverynodeClient, manifest: Extract<Manifest, { kind: 'DaemonSet' }>): Promise<string> {
  const { namespace = 'default', name = '' } = manifest.value.metadata;
  const live = await orUndefined(() => client.getDaemonSet(namespace, name));
  if (live !== undefined) {
    // Only now is the old object known: the selector must not change (field is immutable).
    const update = parseDaemonSet(manifest.raw, live);
    if (!update.ok) throw new CliError(update.message);
  }
  let outcome = applyOutcome(manifest, live);
  if (outcome !== 'unchanged') {
    const written = await client.applyDaemonSet(manifest.raw as DaemonSet);
    outcome = written.created ? 'created' : 'configured';
  }
  return line('daemonset.apps', name, outcome);
}

async function applyNode(client: EverynodeClient, manifest: Extract<Manifest, { kind: 'Node' }>): Promise<string> {
  const name = manifest.value.metadata.name;
  const live = await orUndefined(() => client.getNode(name));
  const outcome = applyOutcome(manifest, live);
  // A new node joins (POST, node.joined); a known one changes (PUT, node.updated).
  if (outcome === 'created') await client.createNode(manifest.raw as Node);
  else if (outcome === 'configured') await client.updateNode(manifest.raw as Node);
  return line('node', name, outcome);
}

function line(type: string, name: string, outcome: ApplyOutcome): string {
  return `${type}/${name} ${outcome}`;
}

/** The object, or undefined when the server says NotFound. */
async function orUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}
