/**
 * `everynode label node …`, `taint node …`, `cordon NAME`, `uncordon NAME`:
 * kubectl's node edits. Each reads the node, changes it (node-edits.ts),
 * and writes it back whole (PUT, a `node.updated` event) only if it changed.
 */
import type { Command } from 'commander';
import type { Node } from '@everynode/api';
import type { EverynodeClient } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { retryOnConflict } from '../conflict-retry.ts';
import { CliError } from '../errors.ts';
import {
  applyLabelChanges,
  applyTaintChanges,
  isLabelChange,
  isTaintChange,
  parseLabelChanges,
  parseTaintChanges,
  setUnschedulable,
  splitResourcesAndChanges,
} from '../node-edits.ts';
import { nodes, resolveResourceType } from '../resources.ts';

/**
 * The node names `node a b` or `node/a node/b` stand for; any other type is
 * refused with `refusal`.
 */
function nodeNames(resources: readonly string[], refusal: (typed: string) => string): string[] {
  const [first, ...rest] = resources;
  if (first === undefined) throw new CliError('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const slashed = first.includes('/');
  const typed = slashed ? first.slice(0, first.indexOf('/')) : first;
  if (resolveResourceType(typed) !== nodes) throw new CliError(`error: ${refusal(typed)}`);
  if (!slashed) {
    if (rest.length === 0) throw new CliError('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
    return rest;
  }
  return resources.map((r) => {
    const slash = r.indexOf('/');
    if (slash < 0 || resolveResourceType(r.slice(0, slash)) !== nodes) throw new CliError(`error: ${refusal(r)}`);
    return r.slice(slash + 1);
  });
}

/** Read the node, change it, write it back when `changed` (read again and redone if it changed meanwhile). */
async function editNode(client: EverynodeClient, name: string, edit: (node: Node) => { node: Node; changed: boolean }): Promise<void> {
  await retryOnConflict(async () => {
    const { node, changed } = edit(await client.getNode(name));
    if (changed) await client.updateNode(node);
  });
}

function registerLabel(program: Command, ctx: CliContext): void {
  program
    .command('label')
    .description('Add, change or remove labels of nodes')
    .argument('<args...>', 'node NAME... KEY=VALUE... KEY-...')
    .option('--overwrite', 'allow changing the value of a label the node already has')
    .addHelpText(
      'after',
      `
Examples:
  everynode label node worker01 disktype=ssd
  everynode label node worker01 disktype=nvme --overwrite
  everynode label node/worker01 disktype-`,
    )
    .action(async (args: string[], options: { overwrite?: boolean }, command: Command) => {
      const { resources, changes } = splitResourcesAndChanges(args, isLabelChange, 'label');
      const parsed = parseLabelChanges(changes);
      const names = nodeNames(resources, (typed) => `label is supported for nodes only, not ${JSON.stringify(typed)}`);
      const client = ctx.client(command);
      for (const name of names) {
        let outcome: ReturnType<typeof applyLabelChanges> | undefined;
        await editNode(client, name, (node) => {
          outcome = applyLabelChanges(node, parsed, options.overwrite === true);
          return { node: outcome.node, changed: outcome.message !== 'not labeled' };
        });
        for (const key of outcome?.missing ?? []) ctx.io.stdout(`label ${JSON.stringify(key)} not found.\n`);
        ctx.io.stdout(`node/${name} ${outcome?.message ?? 'not labeled'}\n`);
      }
    });
}

function registerTaint(program: Command, ctx: CliContext): void {
  program
    .command('taint')
    .description('Add, change or remove taints of nodes')
    .argument('<args...>', 'node NAME... KEY[=VALUE]:EFFECT... KEY[:EFFECT]-...')
    .option('--overwrite', 'allow replacing a taint with the same key and effect')
    .addHelpText(
      'after',
      `
Examples:
  everynode taint node worker01 dedicated=db:NoSchedule
  everynode taint node worker01 dedicated:NoSchedule-
  everynode taint node worker01 dedicated-`,
    )
    .action(async (args: string[], options: { overwrite?: boolean }, command: Command) => {
      const { resources, changes } = splitResourcesAndChanges(args, isTaintChange, 'taint');
      if (changes.length === 0) throw new CliError('error: at least one taint update is required');
      const parsed = parseTaintChanges(changes);
      const names = nodeNames(resources, (typed) => `invalid resource type ${typed}, only node types are supported`);
      const client = ctx.client(command);
      for (const name of names) {
        let message = '';
        await editNode(client, name, (node) => {
          const outcome = applyTaintChanges(node, parsed, options.overwrite === true);
          message = outcome.message;
          return { node: outcome.node, changed: true };
        });
        ctx.io.stdout(`node/${name} ${message}\n`);
      }
    });
}

function registerCordon(program: Command, ctx: CliContext, desired: boolean): void {
  const verb = desired ? 'cordon' : 'uncordon';
  program
    .command(verb)
    .description(desired ? 'Mark nodes unschedulable: no new daemon pods unless they tolerate it' : 'Mark nodes schedulable again')
    .argument('<names...>', 'the nodes')
    .addHelpText('after', `\nExample:\n  everynode ${verb} worker01`)
    .action(async (names: string[], _options: unknown, command: Command) => {
      const client = ctx.client(command);
      for (const name of names) {
        let changed = false;
        await editNode(client, name, (node) => {
          const outcome = setUnschedulable(node, desired);
          changed = outcome.changed;
          return outcome;
        });
        ctx.io.stdout(`node/${name} ${changed ? '' : 'already '}${verb}ed\n`);
      }
    });
}

export function registerNodeEdits(program: Command, ctx: CliContext): void {
  registerLabel(program, ctx);
  registerTaint(program, ctx);
  registerCordon(program, ctx, true);
  registerCordon(program, ctx, false);
}
