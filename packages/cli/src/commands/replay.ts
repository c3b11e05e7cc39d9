/**
 * `everynode replay --to SEQ | --at TIME [-o json|yaml] [-n NS | -A]`: the
 * engine rebuilds the cluster from the log as it stood then (`GET /state`),
 * printed as `get` tables — DaemonSets with their status then, nodes, pods
 * with their phase then — with AGE measured from that moment, or as one
 * `v1 List`. `replay --verify` rebuilds the present and compares it with the
 * live state; exit 1 when they differ.
 */
import { parseMoment } from '@everynode/api';
import type { ReplayedCluster } from '@everynode/client';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError } from '../errors.ts';
import { asList, toJson, toYaml } from '../print/objects.ts';
import { noResourcesMessage } from '../print/output.ts';
import type { KubeObject, ResourceType } from '../resources.ts';
import { daemonSets, nodes, pods, withTypeMeta } from '../resources.ts';
import { withProgress } from '../wait-progress.ts';
import { integerFlag } from './log.ts';

interface ReplayOptions {
  verify?: boolean;
  to?: number;
  at?: string;
  output?: 'json' | 'yaml';
  allNamespaces?: boolean;
}

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('Rebuild the cluster from the log: as it stood at --to SEQ or --at TIME, or the present with --verify')
    .addOption(new Option('--to <seq>', 'replay the log up to and including this sequence number').argParser(integerFlag('--to')))
    .option('--at <time>', 'replay the entries accepted at or before an RFC 3339 time, or this long ago (1h, 30m)')
    .addOption(new Option('-o, --output <format>', 'json|yaml: one v1 List of every object').choices(['json', 'yaml']))
    .option('-A, --all-namespaces', 'DaemonSets and pods of every namespace')
    .option('--verify', 'rebuild the present and compare it with the live state')
    .addHelpText(
      'after',
      `
Examples:
  everynode replay --to 120 -n kube-system
  everynode replay --at 2026-11-27T18:00:00Z -A
  everynode replay --at 1h -o json
  everynode replay --verify`,
    )
    .action(async (options: ReplayOptions, command: Command) => {
      const pointInTime = options.to !== undefined || options.at !== undefined;
      if (options.verify === true) {
        if (pointInTime) throw new CliError('error: --verify rebuilds the present: it takes neither --to nor --at');
        return verifyReplay(ctx, command);
      }
      if (!pointInTime) throw new CliError('error: say when: --to SEQ, --at TIME, or --verify for the present');
      if (options.to !== undefined && options.at !== undefined) throw new CliError('error: --to and --at cannot be used together');
      const at = options.at === undefined ? undefined : atFlag(options.at, ctx.io.now());
      const cluster = await withProgress(ctx.io, 'replaying the log', ctx.client(command).stateAt({ to: options.to, at }));
      ctx.io.stderr(`Cluster as of seq ${cluster.seq}${cluster.at === null ? '' : ` (${cluster.at})`}\n`);
      printCluster(ctx, cluster, { ...options, namespace: namespaceOf(command).value });
    });
}

/** `--at` as RFC 3339; a duration is measured back from the CLI's clock. */
function atFlag(value: string, now: Date): string {
  try {
    return new Date(parseMoment(value, now.getTime())).toISOString();
  } catch (error) {
    throw new CliError(`error: invalid argument "${value}" for "--at" flag: ${(error as Error).message}`);
  }
}

function printCluster(ctx: CliContext, cluster: ReplayedCluster, options: ReplayOptions & { namespace: string }): void {
  const all = options.allNamespaces === true;
  const inScope = (o: KubeObject) => all || o.metadata.namespace === options.namespace;
  const sections: [ResourceType, KubeObject[]][] = [
    [daemonSets, cluster.daemonSets.items.filter(inScope)],
    [nodes, cluster.nodes.items],
    [pods, cluster.pods.items.filter(inScope)],
  ];
  const typed = sections.flatMap(([type, items]) => items.map((o) => withTypeMeta(type, o)));
  if (options.output === 'json' || options.output === 'yaml') {
    ctx.io.stdout((options.output === 'json' ? toJson : toYaml)(asList(typed)));
    return;
  }
  // AGE is measured from the replayed moment, not from now.
  const now = cluster.at === null ? ctx.io.now() : new Date(cluster.at);
  const tables = sections
    .filter(([, items]) => items.length > 0)
    .map(([type, items]) => type.table(items, { wide: false, withNamespace: all && type.namespaced, now }));
  if (tables.length === 0) {
    ctx.io.stderr(noResourcesMessage(daemonSets, all ? undefined : options.namespace));
    return;
  }
  ctx.io.stdout(tables.join('\n'));
}

async function verifyReplay(ctx: CliContext, command: Command): Promise<void> {
  const result = await ctx.client(command).verify();
  if (result.consistent) {
    ctx.io.stdout(`replay: consistent (${result.seq} entries)\n`);
    return;
  }
  for (const difference of result.differences) ctx.io.stdout(`${difference}\n`);
  throw new CliError(`error: replay: the log implies a different state (${result.differences.length} differences after ${result.seq} entries)`);
}
