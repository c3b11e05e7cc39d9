/**
 * `everynode replay --verify`: the engine rebuilds the present from the log
 * alone and compares it with the live state; exit 1 when they differ.
 * (`--at` / `--to` come with the replay issue.)
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('Rebuild the cluster from the log')
    .option('--verify', 'rebuild the present and compare it with the live state')
    .addHelpText('after', '\nExample:\n  everynode replay --verify')
    .action(async (options: { verify?: boolean }, command: Command) => {
      if (options.verify !== true) throw new CliError('error: only `everynode replay --verify` is available in this version');
      const result = await ctx.client(command).verify();
      if (result.consistent) {
        ctx.io.stdout(`replay: consistent (${result.seq} entries)\n`);
        return;
      }
      for (const difference of result.differences) ctx.io.stdout(`${difference}\n`);
      throw new CliError(`error: replay: the log implies a different state (${result.differences.length} differences after ${result.seq} entries)`);
    });
}
