/**
 * `everynode describe ds NAME [-n NS]`: kubectl's `describe` for
 * DaemonSets — the object, the phases of the pods it controls, and the
 * controller's Events (which the server rebuilds from the log).
 */
import type { Command } from 'commander';
import type { DaemonSet } from '@everynode/api';
import { formatLabelSelector } from '@everynode/api';
import type { EverynodeClient, KubeEvent } from '@everynode/client';
import { ApiError } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { namespaceOf } from '../context.ts';
import { CliError } from '../errors.ts';
import { describeDaemonSet } from '../print/describe-daemonset.ts';
import { daemonSets, resolveTarget } from '../resources.ts';

export function registerDescribe(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('Show details of a DaemonSet: status, pod template and events')
    .argument('<type>', 'ds|daemonset (or ds/NAME)')
    .argument('[name]', 'the DaemonSet, or a prefix of the names to describe; all in the namespace when omitted')
    .addHelpText(
      'after',
      `
Examples:
  everynode describe ds fluentd-elasticsearch -n kube-system
  everynode describe daemonset/fluentd-elasticsearch -n kube-system`,
    )
    .action(async (typeArg: string, nameArg: string | undefined, _options: unknown, command: Command) => {
      const { type, name } = resolveTarget(typeArg, nameArg);
      if (type !== daemonSets) throw new CliError(`error: describe is implemented for daemonsets only, not ${type.plural}`);
      const client = ctx.client(command);
      const targets = await daemonSetsToDescribe(client, namespaceOf(command).value, name);
      const texts: string[] = [];
      for (const ds of targets) texts.push(await describeOne(client, ds, ctx.io.now()));
      // kubectl puts a blank line between descriptions.
      ctx.io.stdout(texts.join('\n\n'));
    });
}

/**
 * kubectl's lookup: the exact name, else every DaemonSet whose name starts
 * with it, else the NotFound for the exact name; no name means all.
 */
async function daemonSetsToDescribe(client: EverynodeClient, namespace: string, name: string | undefined): Promise<DaemonSet[]> {
  if (name === undefined) {
    const all = (await client.listDaemonSets({ namespace })).items;
    if (all.length === 0) throw new CliError(`No resources found in ${namespace} namespace.`);
    return all;
  }
  try {
    return [await client.getDaemonSet(namespace, name)];
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    const prefixed = (await client.listDaemonSets({ namespace })).items.filter((ds) => (ds.metadata.name ?? '').startsWith(name));
    if (prefixed.length === 0) throw error;
    return prefixed;
  }
}

async function describeOne(client: EverynodeClient, ds: DaemonSet, now: Date): Promise<string> {
  const namespace = ds.metadata.namespace ?? 'default';
  const selector = formatLabelSelector(ds.spec.selector);
  // The server narrows by selector; ownership is checked when counting, as kubectl does.
  const pods = (await client.listPods({ namespace, ...(selector === '<none>' ? {} : { labelSelector: selector }) })).items;
  return describeDaemonSet(ds, pods, await eventsOf(client, ds), now);
}

/** The DaemonSet's Events, selected as kubectl's `searchEvents` selects them; undefined when they cannot be listed. */
async function eventsOf(client: EverynodeClient, ds: DaemonSet): Promise<KubeEvent[] | undefined> {
  const { namespace = 'default', name = '', uid } = ds.metadata;
  const fields = [`involvedObject.name=${name}`, `involvedObject.namespace=${namespace}`, 'involvedObject.kind=DaemonSet'];
  if (uid) fields.push(`involvedObject.uid=${uid}`);
  try {
    return (await client.listEvents({ namespace, fieldSelector: fields.join(',') })).items;
  } catch {
    // kubectl describes without the section rather than failing (`events, _ = searchEvents(…)`).
    return undefined;
  }
}
