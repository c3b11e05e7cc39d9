/**
 * `everynode log [--type T] [--object KIND/NAME] [--since TIME] [--after SEQ]
 * [--limit N] [-o json]`: read the event log, filtered on the server.
 */
import { parseMoment } from '@everynode/api';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { logTable } from '../print/log.ts';
import { toJson } from '../print/objects.ts';

interface LogOptions {
  after: number;
  limit?: number;
  type?: string;
  object?: string;
  since?: string;
  output?: string;
}

/** A non-negative integer flag, or a one-line error naming the flag. */
export function integerFlag(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new CliError(`error: invalid argument "${value}" for "${flag}" flag: must be a non-negative integer`);
    return Number(value);
  };
}

/** `--since` as RFC 3339 (a duration is measured back from `now`, so the server's clock does not matter). */
function sinceFlag(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new Date(parseMoment(value, now.getTime())).toISOString();
  } catch (error) {
    throw new CliError(`error: invalid argument "${value}" for "--since" flag: ${(error as Error).message}`);
  }
}

export function registerLog(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .description('Show the event log: accepted events and reconcile passes')
    .addOption(new Option('--after <seq>', 'entries after this sequence number').argParser(integerFlag('--after')).default(0))
    .addOption(new Option('--limit <n>', 'at most this many entries (server default 100)').argParser(integerFlag('--limit')))
    .option('--type <type>', 'only this CloudEvent type (io.everynode.node.joined, or node.joined) or pass; comma-separated for several')
    .option('--object <object>', 'only entries about node/NAME, pod/[NS/]NAME or ds/[NS/]NAME (namespace default when left out)')
    .option('--since <time>', 'only entries at or after an RFC 3339 time, or this long ago (1h, 30m)')
    .addOption(new Option('-o, --output <format>', 'json').choices(['json']))
    .addHelpText(
      'after',
      `
Examples:
  everynode log
  everynode log --after 120 --limit 20
  everynode log --type node.removed --since 1h
  everynode log --object pod/kube-system/fluentd-elasticsearch-x7k2p
  everynode log -o json | jq '.items[] | select(.kind == "pass")'`,
    )
    .action(async (options: LogOptions, command: Command) => {
      const { type, object } = options;
      const since = sinceFlag(options.since, ctx.io.now());
      const filtered = type !== undefined || object !== undefined || since !== undefined;
      const page = await ctx.client(command).readLogPage({ after: options.after, limit: options.limit, type, object, since });
      if (page.horizon > (options.after ?? 0)) {
        ctx.io.stderr(`(the log starts after seq ${page.horizon}: older entries were trimmed behind a snapshot)\n`);
      }
      if (options.output === 'json') {
        ctx.io.stdout(toJson(page));
        return;
      }
      if (page.items.length === 0) {
        ctx.io.stderr(`No ${filtered ? 'matching ' : ''}log entries after seq ${options.after}\n`);
        return;
      }
      ctx.io.stdout(logTable(page.items));
      // A full page may not be the end: say where the next one starts (the scan may have passed later non-matches).
      if (page.items.length === (options.limit ?? 100)) ctx.io.stderr(`(more may follow: --after ${page.next})\n`);
    });
}
