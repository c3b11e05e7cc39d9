/**
 * `everynode kubeconfig`: print a kubeconfig for the `--server` this
 * invocation names, with the token (and CA) it would use itself
 * (`--token`, `EVERYNODE_TOKEN`, `up`'s), so that kubectl talks to everynode:
 * `everynode kubeconfig > kc && KUBECONFIG=kc kubectl get ds -A`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { serverOf } from '../context.ts';
import { credentialsOf } from '../credentials.ts';
import { kubeconfigFor } from '../kubeconfig.ts';

export function registerKubeconfig(program: Command, ctx: CliContext): void {
  program
    .command('kubeconfig')
    .description("Print a kubeconfig that points kubectl at this everynode's API (--server), with its token (--token, EVERYNODE_TOKEN or up's)")
    .addHelpText(
      'after',
      `
Examples:
  everynode kubeconfig > /tmp/everynode.kubeconfig
  KUBECONFIG=/tmp/everynode.kubeconfig kubectl get ds -A
  everynode kubeconfig --server https://everynode.example:7700 --token "$TOKEN" --certificate-authority ca.crt`,
    )
    .action((_options: object, command: Command) => {
      const server = serverOf(command, ctx.io);
      ctx.io.stdout(kubeconfigFor(server, credentialsOf(command, ctx.io.env, server)));
    });
}
