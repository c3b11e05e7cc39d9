/**
 * `everynode explain pod NAME [-n NS]`: why a pod exists (or existed) —
 * the chain of events and decisions from the log, each with its sequence
 * number and time. The server searches the log, so a deleted pod is
 * explained too.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError } from '../errors.ts';
import { explainTable } from '../print/explain.ts';
import { toJson } from '../print/objects.ts';
import { pods, resolveTarget } from '../resources.ts';

interface ExplainOptions {
  output?: 'json';
}

export function registerExplain(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('Show the events and decisions that created (and deleted) a pod, from the log')
    .argument('<type>', 'pod|po (or pod/NAME)')
    .argument('[name]', 'the pod, live or gone')
    .addOption(new Option('-o, --output <format>', 'json').choices(['json']))
    .addHelpText(
      'after',
      `
Examples:
  everynode explain pod fluentd-elasticsearch-x7k2p -n kube-system
  everynode explain pod/fluentd-elasticsearch-x7k2p -n kube-system -o json`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: ExplainOptions, command: Command) => {
      const { type, name } = resolveTarget(typeArg, nameArg);
      if (type !== pods) throw new CliError(`error: explain is implemented for pods only, not ${type.plural}`);
      if (name === undefined || name === '') throw new CliError('error: a pod name is required: everynode explain pod NAME');
      const explanation = await ctx.client(command).explainPod(namespaceOf(command).value, name);
      ctx.io.stdout(options.output === 'json' ? toJson(explanation) : explainTable(explanation));
    });
}
