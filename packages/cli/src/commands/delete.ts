/** `everynode delete ds NAME [-n NS]` (the engine deletes its pods too), and `delete node NAME`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { daemonSets, nodes, resolveTarget } from '../resources.ts';

interface DeleteOptions {
  namespace: string;
}

export function registerDelete(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('Delete a DaemonSet (and its pods) or a node')
    .argument('<type>', 'ds|daemonset or node (or TYPE/NAME)')
    .argument('[name]', 'the object to delete')
    .option('-n, --namespace <ns>', 'the namespace', 'default')
    .addHelpText(
      'after',
      `
Examples:
  everynode delete ds fluentd-elasticsearch -n kube-system
  everynode delete daemonset.apps/fluentd-elasticsearch -n kube-system`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: DeleteOptions, command: Command) => {
      const { type, name } = resolveTarget(typeArg, nameArg);
      if (name === undefined || name === '') throw new CliError('error: resource(s) were provided, but no name was specified');
      const client = ctx.client(command);
      if (type === daemonSets) await client.deleteDaemonSet(options.namespace, name);
      else if (type === nodes) await client.deleteNode(name);
      // Pods belong to their DaemonSet here; there is no pod DELETE to call.
      else throw new CliError('Error from server (MethodNotAllowed): the server does not allow this method on the requested resource');
      ctx.io.stdout(`${type.singular} "${name}" deleted\n`);
    });
}
