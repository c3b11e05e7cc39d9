/**
 * `everynode rollout status|history|undo|restart ds/NAME`: kubectl's
 * `rollout` for DaemonSets. The target is written as kubectl takes it:
 * `ds/NAME`, `daemonset/NAME`, `daemonsets.apps/NAME` or `ds NAME`.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { parseGoDuration } from '../duration.ts';
import { retryOnConflict } from '../conflict-retry.ts';
import { CliError } from '../errors.ts';
import { daemonSets, resolveTarget } from '../resources.ts';
import { integerFlag } from './log.ts';
import { historyText, planUndo, readHistory } from './rollout-history.ts';
import { waitForRollout } from './rollout-status.ts';

/** The template annotation `rollout restart` sets; a new value is a new template, so a rolling update. */
export const RestartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

const defaultPollMs = 200;

/** What kubectl says when a verb meets a type it has no helper for. */
type Refusal = (kind: string, name: string) => string;

/** The DaemonSet a rollout command names, or kubectl's error for any other target. */
function daemonSetName(typeArg: string, nameArg: string | undefined, refuse: Refusal): string {
  const { type, name } = resolveTarget(typeArg, nameArg);
  if (name === undefined || name === '') throw new CliError('error: required resource not specified');
  if (type !== daemonSets) throw new CliError(`error: ${refuse(type.kind, name)}`);
  return name;
}

/** `--timeout` as kubectl reads it: a Go duration, 0 for no limit. */
function timeoutFlag(value: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (error) {
    throw new CliError(`error: invalid argument "${value}" for "--timeout" flag: ${(error as Error).message}`);
  }
  if (ms < 0) throw new CliError(`error: invalid argument "${value}" for "--timeout" flag: must not be negative`);
  return ms;
}

/** `--watch=true|false`, a boolean flag that takes its value after `=`, as pflag's do. */
function booleanFlag(flag: string): (value: string) => boolean {
  return (value) => {
    if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(value)) return true;
    if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(value)) return false;
    throw new CliError(`error: invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
  };
}

/** `2026-11-28T12:00:00Z`: Go's `time.RFC3339`, whole seconds. */
function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function registerStatus(rollout: Command, ctx: CliContext): void {
  rollout
    .command('status')
    .description('Wait for a DaemonSet rollout to finish, printing its progress')
    .argument('<type>', 'ds/NAME (or ds NAME)')
    .argument('[name]', 'the DaemonSet')
    .addOption(new Option('--timeout <duration>', 'give up after this long (30s, 2m, 1m30s); 0 waits for ever').argParser(timeoutFlag).default(0, '0s'))
    .addOption(new Option('-w, --watch [bool]', 'watch until the rollout is done; --watch=false prints the status once').argParser(booleanFlag('--watch')).default(true))
    .addHelpText(
      'after',
      `
Examples:
  everynode rollout status ds/fluentd-elasticsearch -n kube-system
  everynode rollout status daemonset/fluentd-elasticsearch -n kube-system --timeout 2m
  everynode rollout status ds fluentd-elasticsearch -n kube-system --watch=false`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: { timeout: number; watch: boolean | string }, command: Command) => {
      const name = daemonSetName(typeArg, nameArg, (kind) => `no status viewer has been implemented for ${kind}`);
      await waitForRollout(ctx.client(command), namespaceOf(command).value, name, {
        timeoutMs: options.timeout,
        // A bare `--watch` arrives as `true` from commander's optional value.
        watch: options.watch !== false,
        pollMs: ctx.io.pollIntervalMs ?? defaultPollMs,
        write: ctx.io.stdout,
      });
    });
}

function registerHistory(rollout: Command, ctx: CliContext): void {
  rollout
    .command('history')
    .description("List a DaemonSet's revisions, or show one revision's pod template")
    .argument('<type>', 'ds/NAME (or ds NAME)')
    .argument('[name]', 'the DaemonSet')
    .addOption(new Option('--revision <n>', 'show the pod template of this revision').argParser(integerFlag('--revision')).default(0))
    .addHelpText(
      'after',
      `
Examples:
  everynode rollout history ds/fluentd-elasticsearch -n kube-system
  everynode rollout history ds/fluentd-elasticsearch -n kube-system --revision 2`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: { revision: number }, command: Command) => {
      const name = daemonSetName(typeArg, nameArg, (kind) => `no history viewer has been implemented for "${kind}"`);
      const text = historyText(await readHistory(ctx.client(command), namespaceOf(command).value, name), options.revision);
      // kubectl prints the object's name with the revision (or nothing, hence the space) as the header.
      const header = options.revision > 0 ? ` with revision #${options.revision}` : ' ';
      ctx.io.stdout(`daemonset.apps/${name}${header}\n${text}\n`);
    });
}

function registerUndo(rollout: Command, ctx: CliContext): void {
  rollout
    .command('undo')
    .description('Roll a DaemonSet back to an earlier revision (by default the previous one)')
    .argument('<type>', 'ds/NAME (or ds NAME)')
    .argument('[name]', 'the DaemonSet')
    .addOption(new Option('--to-revision <n>', 'the revision to go back to; 0 means the previous one').argParser(integerFlag('--to-revision')).default(0))
    .addHelpText(
      'after',
      `
Examples:
  everynode rollout undo ds/fluentd-elasticsearch -n kube-system
  everynode rollout undo ds/fluentd-elasticsearch -n kube-system --to-revision 1`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, options: { toRevision: number }, command: Command) => {
      const name = daemonSetName(typeArg, nameArg, (kind) => `no rollbacker has been implemented for "${kind}"`);
      const client = ctx.client(command);
      const skipped = await retryOnConflict(async () => {
        const outcome = planUndo(await readHistory(client, namespaceOf(command).value, name), options.toRevision);
        if ('skipped' in outcome) return outcome.skipped;
        await client.applyDaemonSet(outcome.rolledBack);
        return undefined;
      });
      ctx.io.stdout(`daemonset.apps/${name} ${skipped ?? 'rolled back'}\n`);
    });
}

function registerRestart(rollout: Command, ctx: CliContext): void {
  rollout
    .command('restart')
    .description("Restart a DaemonSet's pods with a rolling update (sets the restartedAt template annotation)")
    .argument('<type>', 'ds/NAME (or ds NAME)')
    .argument('[name]', 'the DaemonSet')
    .addHelpText('after', '\nExample:\n  everynode rollout restart ds/fluentd-elasticsearch -n kube-system')
    .action(async (typeArg: string, nameArg: string | undefined, _options: unknown, command: Command) => {
      const name = daemonSetName(typeArg, nameArg, (kind, target) => `${kind.toLowerCase()}s "${target}" restarting is not supported`);
      const client = ctx.client(command);
      const restartedAt = rfc3339(ctx.io.now());
      await retryOnConflict(async () => {
        const { status: _status, ...ds } = await client.getDaemonSet(namespaceOf(command).value, name);
        const template = ds.spec.template;
        if (template.metadata?.annotations?.[RestartedAtAnnotation] === restartedAt) {
          // The same second twice is no change at all; kubectl refuses rather than report a restart that is not one.
          throw new CliError(`error: failed to create patch for ${name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`);
        }
        const metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [RestartedAtAnnotation]: restartedAt } };
        await client.applyDaemonSet({ ...ds, spec: { ...ds.spec, template: { ...template, metadata } } });
      });
      ctx.io.stdout(`daemonset.apps/${name} restarted\n`);
    });
}

export function registerRollout(program: Command, ctx: CliContext): void {
  const rollout = program
    .command('rollout')
    .description('Manage the rollout of a DaemonSet: status, history, undo, restart')
    .addHelpText(
      'after',
      `
Examples:
  everynode rollout status ds/fluentd-elasticsearch -n kube-system --timeout 60s
  everynode rollout history ds/fluentd-elasticsearch -n kube-system
  everynode rollout undo ds/fluentd-elasticsearch -n kube-system --to-revision 1
  everynode rollout restart ds/fluentd-elasticsearch -n kube-system`,
    );
  registerStatus(rollout, ctx);
  registerHistory(rollout, ctx);
  registerUndo(rollout, ctx);
  registerRestart(rollout, ctx);
}
