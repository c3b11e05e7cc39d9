/**
 * Serialising what a pass writes, once: a pass creating 10,000 pods writes
 * each pod to the projection and to the log, and JSON.stringify of the same
 * object twice is time a big pass cannot spare.
 */
import type { Pod } from '@everynode/api';
import type { Decision } from '@everynode/daemonset';
import type { PassEntry } from './entries.ts';

const cache = new WeakMap<Pod, string>();

/** `JSON.stringify(pod)`, computed once per pod object (pods are never mutated in place). */
export function podJson(pod: Pod): string {
  let json = cache.get(pod);
  if (json === undefined) cache.set(pod, (json = JSON.stringify(pod)));
  return json;
}

function decisionJson(d: Decision): string {
  if (d.type !== 'PodCreateRequested') return JSON.stringify(d);
  return `{"type":"PodCreateRequested","commandId":${JSON.stringify(d.commandId)},"node":${JSON.stringify(d.node)},"pod":${podJson(d.pod)}}`;
}

/** A pass entry's JSON, as `JSON.stringify` would give it, with each created pod serialised once. */
export function passEntryJson(entry: Omit<PassEntry, 'seq'>): string {
  const { decisions, ...rest } = entry;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"decisions":[${decisions.map(decisionJson).join(',')}]}`;
}
