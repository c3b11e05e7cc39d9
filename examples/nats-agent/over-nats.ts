/**
 * The seed's cluster over NATS, shared by the demo and its test: the subjects
 * and streams of one run, the bridges' configuration for them, and the
 * seed's six nodes and fluentd DaemonSet published as CloudEvents.
 *
 * Everything enters on `everynode.<tag>.in.>` (one stream, read by one
 * inbound bridge): nodes on `….in.nodes`, DaemonSets on `….in.daemonsets`,
 * the agent's pod events on `….in.pods`. Pod commands leave on
 * `everynode.<tag>.commands` (their own stream, written by the outbound
 * bridge, read by the agent).
 */
import { readFileSync } from 'node:fs';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { parseAllDocuments } from 'yaml';
import { EventType } from '@everynode/api';

export interface OverNats {
  readonly inStream: string;
  readonly inSubjects: string;
  readonly nodesSubject: string;
  readonly daemonSetsSubject: string;
  readonly podsSubject: string;
  readonly commandsStream: string;
  readonly commandsSubject: string;
}

/** Names for run `tag` (letters, digits, `-`, `_`). */
export function overNats(tag: string): OverNats {
  const id = tag.toUpperCase().replace(/-/g, '_');
  return {
    inStream: `EVERYNODE_${id}_IN`,
    inSubjects: `everynode.${tag}.in.>`,
    nodesSubject: `everynode.${tag}.in.nodes`,
    daemonSetsSubject: `everynode.${tag}.in.daemonsets`,
    podsSubject: `everynode.${tag}.in.pods`,
    commandsStream: `EVERYNODE_${id}_COMMANDS`,
    commandsSubject: `everynode.${tag}.commands`,
  };
}

/** The bridges' YAML (`parseConfig`): everything in from the `in` stream, every pod command out. */
export function bridgesYaml(url: string, names: OverNats): string {
  return `bridges:
  - name: cluster-in
    kind: nats
    url: ${url}
    stream: ${names.inStream}
    subject: "${names.inSubjects}"
  - name: commands-out
    kind: nats
    direction: out
    url: ${url}
    stream: ${names.commandsStream}
    subject: ${names.commandsSubject}
`;
}

/** The objects of one of the repository's fixtures. */
export function fixture(name: string): Record<string, unknown>[] {
  const text = readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>);
}

/** Publish `data` as a binary-mode CloudEvent of `type` (its id also the `Nats-Msg-Id`). */
export async function publishEvent(nc: NatsConnection, subject: string, type: string, id: string, data: unknown): Promise<void> {
  const h = natsHeaders();
  for (const [key, value] of Object.entries({ specversion: '1.0', id, source: 'everynode/nats-demo', type, time: new Date().toISOString() })) h.set(`ce-${key}`, value);
  h.set('content-type', 'application/json');
  await jetstream(nc).publish(subject, JSON.stringify(data), { headers: h, msgID: id });
}

/** The seed's six nodes join, then its fluentd DaemonSet is applied, all over NATS. */
export async function publishSeed(nc: NatsConnection, names: OverNats, tag: string): Promise<void> {
  for (const node of fixture('cluster-6-nodes.yaml')) {
    const { name } = node.metadata as { name: string };
    await publishEvent(nc, names.nodesSubject, EventType.NodeJoined, `${tag}/node/${name}`, node);
  }
  const [daemonSet] = fixture('fluentd-daemonset.yaml');
  await publishEvent(nc, names.daemonSetsSubject, EventType.DaemonSetApplied, `${tag}/daemonset/fluentd-elasticsearch`, daemonSet);
}
