/** `everynode log [--after SEQ] [--limit N] [-o json]`: read the event log. */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { logTable } from '../print/log.ts';
import { toJson } from '../print/objects.ts';

interface LogOptions {
  after: number;
  limit?: number;
  output?: string;
}

/** A non-negative integer flag, or a one-line error naming the flag. */
export function integerFlag(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new CliError(`error: invalid argument "${value}" for "${flag}" flag: must be a non-negative integer`);
    return Number(value);
  };
}

export function registerLog(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .description('Show the event log: accepted events and reconcile passes')
    .addOption(new Option('--after <seq>', 'entries after this sequence number').argParser(integerFlag('--after')).default(0))
    .addOption(new Option('--limit <n>', 'at most this many entries (server default 100)').argParser(integerFlag('--limit')))
    .addOption(new Option('-o, --output <format>', 'json').choices(['json']))
    .addHelpText(
      'after',
      `
Examples:
  everynode log
  everynode log --after 120 --limit 20
  everynode log -o json | jq '.items[] | select(.kind == "pass")'`,
    )
    .action(async (options: LogOptions, command: Command) => {
      const entries = await ctx.client(command).readLog({ after: options.after, limit: options.limit });
      if (options.output === 'json') {
        ctx.io.stdout(toJson({ items: entries }));
        return;
      }
      if (entries.length === 0) {
        ctx.io.stderr(`No log entries after seq ${options.after}\n`);
        return;
      }
      ctx.io.stdout(logTable(entries));
    });
}
