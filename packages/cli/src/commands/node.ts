/**
 * `everynode node join NAME …` builds a `v1 Node` from flags and joins it
 * (`node.joined`); `node remove NAME` removes it (its daemon pods go with it).
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Node, Taint } from '@everynode/api';
import { parseNode } from '@everynode/api';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { parseTaintSpec } from '../node-edits.ts';

interface JoinOptions {
  label?: string[];
  taint?: string[];
  notReady?: boolean;
  unschedulable?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `k=v` as kubectl's label commands read it. */
export function parseLabelArg(spec: string): [string, string] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new CliError(`error: invalid label spec: ${spec}`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

/** `key[=value]:Effect` as `kubectl taint` reads a taint to add (`parseTaint`); the effect is required. */
export function parseTaintArg(spec: string): Taint {
  const taint = parseTaintSpec(spec);
  if (taint.effect === undefined) throw new CliError(`error: invalid taint spec: ${spec}`);
  return taint as Taint;
}

/**
 * The Node `node join` sends: the hostname label kubelet sets (unless
 * overridden), the given labels and taints, a Ready condition.
 */
export function nodeFromFlags(name: string, options: JoinOptions, now: Date): Node {
  const labels = Object.fromEntries([['kubernetes.io/hostname', name], ...(options.label ?? []).map(parseLabelArg)]);
  const taints = (options.taint ?? []).map(parseTaintArg);
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: { ...(taints.length > 0 ? { taints } : {}), ...(options.unschedulable ? { unschedulable: true } : {}) },
    status: {
      conditions: [{ type: 'Ready', status: options.notReady ? 'False' : 'True', lastTransitionTime: now.toISOString() }],
    },
  };
  const checked = parseNode(node);
  if (!checked.ok) throw new CliError(checked.message);
  return node;
}

export function registerNode(program: Command, ctx: CliContext): void {
  const node = program
    .command('node')
    .description('Join and remove nodes')
    .addHelpText('after', '\nExamples:\n  everynode node join worker04 --label disktype=ssd\n  everynode node remove worker04');
  node
    .command('join')
    .description('Join a node to the cluster')
    .argument('<name>', 'the node name')
    .addOption(new Option('--label <k=v>', 'a label (repeatable)').argParser(collect))
    .addOption(new Option('--taint <k[=v]:Effect>', 'a taint (repeatable)').argParser(collect))
    .option('--not-ready', 'join with Ready=False')
    .option('--unschedulable', 'join cordoned (spec.unschedulable)')
    .addHelpText(
      'after',
      `
Examples:
  everynode node join worker04 --label disktype=ssd
  everynode node join master04 --label node-role.kubernetes.io/master= --taint node-role.kubernetes.io/master:NoSchedule`,
    )
    .action(async (name: string, options: JoinOptions, command: Command) => {
      const created = nodeFromFlags(name, options, ctx.io.now());
      await ctx.client(command).createNode(created);
      ctx.io.stdout(`node/${name} created\n`);
    });
  node
    .command('remove')
    .description('Remove a node; its daemon pods are deleted')
    .argument('<name>', 'the node name')
    .addHelpText('after', '\nExample:\n  everynode node remove worker03')
    .action(async (name: string, _options: unknown, command: Command) => {
      await ctx.client(command).deleteNode(name);
      ctx.io.stdout(`node "${name}" deleted\n`);
    });
}
