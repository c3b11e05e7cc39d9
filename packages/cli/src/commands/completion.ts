/**
 * `everynode completion bash|zsh`: the shell completion script, made from
 * this program's own commands and flags (`../completion.ts`).
 */
import type { Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';

const shells = ['bash', 'zsh'];

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash or zsh')
    .argument('[shell]', 'bash or zsh')
    .addHelpText(
      'after',
      `
Examples:
  source <(everynode completion bash)      # bash, this shell
  echo 'source <(everynode completion bash)' >> ~/.bashrc
  source <(everynode completion zsh)       # zsh, after compinit`,
    )
    .action((shell: string | undefined) => {
      const see = "See 'everynode completion -h' for help and examples";
      if (shell === undefined) throw new CliError(['Error: Shell not specified.', see]);
      if (!shells.includes(shell)) throw new CliError([`error: Unsupported shell type "${shell}".`, see]);
      ctx.io.stdout(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
