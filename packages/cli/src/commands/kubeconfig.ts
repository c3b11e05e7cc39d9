/**
 * `everynode kubeconfig`: print a kubeconfig for the `--server` this
 * invocation names, so that kubectl talks to everynode:
 * `everynode kubeconfig > kc && KUBECONFIG=kc kubectl get ds -A`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { serverOf } from '../context.ts';
import { kubeconfigFor } from '../kubeconfig.ts';

export function registerKubeconfig(program: Command, ctx: CliContext): void {
  program
    .command('kubeconfig')
    .description("Print a kubeconfig that points kubectl at this everynode's API (--server)")
    .addHelpText(
      'after',
      `
Examples:
  everynode kubeconfig > /tmp/everynode.kubeconfig
  KUBECONFIG=/tmp/everynode.kubeconfig kubectl get ds -A`,
    )
    .action((_options: object, command: Command) => {
      ctx.io.stdout(kubeconfigFor(serverOf(command, ctx.io)));
    });
}
