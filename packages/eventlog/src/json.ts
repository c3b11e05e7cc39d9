/**
 * Serialising what a pass writes, once: a pass creating 10,000 pods writes
 * each pod to the projection and to the log, and JSON.stringify of the same
 * object twice is time a big pass cannot spare. In the log, a pass's pods
 * are written once and the rest named by what differs (see `upcast.ts`, v3).
 */
import type { Pod } from '@everynode/api';
import { daemonPodLike, type Decision } from '@everynode/daemonset';
import type { PassEntry } from './entries.ts';

const cache = new WeakMap<Pod, string>();

/** `JSON.stringify(pod)`, computed once per pod object (pods are never mutated in place). */
export function podJson(pod: Pod): string {
  let json = cache.get(pod);
  if (json === undefined) cache.set(pod, (json = JSON.stringify(pod)));
  return json;
}

type Create = Extract<Decision, { type: 'PodCreateRequested' }>;

/**
 * A pass entry's stored JSON (schema v3): as `JSON.stringify` would give it,
 * except that a created pod `daemonPodLike` rebuilds exactly from the pass's
 * first created pod (`podBase`) is written as its `name` and `uid` only.
 */
export function passEntryJson(entry: Omit<PassEntry, 'seq'>): string {
  const { decisions, ...rest } = entry;
  const base = decisions.find((d): d is Create => d.type === 'PodCreateRequested')?.pod;
  let compact = 0;
  const parts = decisions.map((d) => {
    if (d.type !== 'PodCreateRequested') return JSON.stringify(d);
    const head = `{"type":"PodCreateRequested","commandId":${JSON.stringify(d.commandId)},"node":${JSON.stringify(d.node)}`;
    const { name, uid } = d.pod.metadata;
    if (base !== undefined && typeof uid === 'string' && sameJson(daemonPodLike(base, d.node, name, uid), d.pod)) {
      compact++;
      return `${head},"name":${JSON.stringify(name)},"uid":${JSON.stringify(uid)}}`;
    }
    return `${head},"pod":${podJson(d.pod)}}`;
  });
  const head = JSON.stringify(rest).slice(0, -1);
  const podBase = compact > 0 && base !== undefined ? `,"podBase":${podJson(base)}` : '';
  return `${head}${podBase},"decisions":[${parts.join(',')}]}`;
}

/**
 * Whether `a` and `b` have the same JSON (key order included), without
 * writing it: shared objects are compared by identity, and pods of one pass
 * share their template's. Walks keys in place: a 10,000-pod pass compares
 * ~100 values per pod.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || 'toJSON' in a || 'toJSON' in b) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const xs = Object.keys(x);
  const ys = Object.keys(y);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < xs.length && !written(x[xs[i] as string])) i++;
    while (j < ys.length && !written(y[ys[j] as string])) j++;
    if (i === xs.length || j === ys.length) return i === xs.length && j === ys.length;
    const key = xs[i] as string;
    if (key !== ys[j] || !sameJson(x[key], y[key])) return false;
    i++;
    j++;
  }
}

/** Whether JSON.stringify writes an object's key with this value (not undefined, a function or a symbol). */
function written(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}
