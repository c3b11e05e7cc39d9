/**
 * How the projection stores a pod (`{p}:pods`), pure: no I/O.
 *
 * Why: a DaemonSet's pods are one template made many times. Stored whole,
 * every pod repeated its DaemonSet's containers, tolerations, owner, labels
 * and affinity — 1.3 KB of JSON, 1.6 KB of Redis per pod, half of what a
 * node cost outside the log (`npm run bench`, figure 10).
 *
 * So a pod a DaemonSet controls is stored as what is its own, against a
 * *base* stored once for all the pods that share it (`{p}:pod-bases`, by
 * id). The base is the pod with what differs from pod to pod blanked in
 * place — name, uid and the node of its node affinity (`daemonPodLike`
 * rebuilds those, as the log's v3 passes do), creation and deletion
 * timestamps and `spec.nodeName` (`''`), its status (`{}`) — so every pod
 * of one template, revision and state of deletion has the same base. Its id
 * is a hash of its JSON (128 bits of SHA-256, base64url): a base is never
 * changed, only added and dropped. The pod is rebuilt as
 * `daemonPodLike(base, node, name, uid)` with a JSON merge patch (RFC 7386)
 * applied: the patch holds the rest (timestamps, status, …). The record:
 *
 *     [2, baseId, node, name, uid]            nothing else differs
 *     [2, baseId, node, name, uid, patch]
 *
 * A pod is stored this way only if the record and its base read back as
 * exactly the pod (`sameJson`, key order included); any other — a pod no
 * DaemonSet controls, one with no target node or uid, one the patch cannot
 * express (a `null`, keys out of order) — is stored whole, as its JSON
 * object. That is also what engines before this format stored (format 1):
 * a record starting with `{` is a pod whole, so a store an older engine
 * wrote reads as it is, and its pods are rewritten in this form only when
 * they change.
 *
 * Not the snapshot codec's shared parts (`snapshot-codec.ts`): they share
 * the parts one or two levels down — containers, tolerations, owner,
 * labels — but not the affinity, which names the node, nor what surrounds
 * them: ~630 B of a 1.2 KB pod were left, against ~180 B here.
 *
 * How many pods refer to each base is counted in `{p}:pod-base-refs`, by
 * the same commit that writes the pods; a base no pod refers to is dropped
 * by the sweep (`EventStore.forgetUnusedPodBases`).
 */
import { createHash } from 'node:crypto';
import { controllerOf, type Pod } from '@everynode/api';
import { daemonPodLike, targetNodeName } from '@everynode/daemonset';
import { podJson, sameJson } from './json.ts';

/** The format of a record that is not a pod whole (format 1, before bases, stored every pod whole). */
export const PodRecordFormat = 2;

/** A base: its id and its JSON, as stored in `{p}:pod-bases`. */
export interface PodBase {
  readonly id: string;
  readonly json: string;
}

/** A pod as stored: its record and, unless the pod is whole, the base the record refers to. */
export interface EncodedPod {
  readonly record: string;
  readonly base?: PodBase;
}

/** A record parsed: a pod whole, or what is its own and the id of its base. */
export type ParsedPodRecord =
  | { readonly whole: Pod }
  | { readonly whole?: undefined; readonly baseId: string; readonly node: string; readonly name: string; readonly uid: string; readonly patch?: Json };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Thrown for a record this engine cannot read (a newer format, or not a record at all). */
export class PodRecordError extends Error {
  override readonly name = 'PodRecordError';
}

/**
 * Encodes pods, remembering the base it last made (parsed), and the last pod
 * it stored against that base by a patch of only what the base blanks:
 *
 * - a pass's pods share one base, and are encoded against it without making
 *   it again;
 * - a pod with the JSON `daemonPodLike(lastPod, node, name, uid)` has the
 *   last pod's record but for node, name and uid — the patch sets nothing
 *   `daemonPodLike` sets, so it is the same patch against the same base, and
 *   it reads back as the pod. Checking that is cheap for a pass's pods, which
 *   share their template's objects (`sameJson` compares shared ones by
 *   identity): no patch to work out, no record to read back.
 *
 * Either way the record is the one the pod is given without the memory.
 */
export class PodEncoder {
  private last: { base: PodBase; parsed: Pod } | undefined;
  private lastPod: { pod: Pod; patch: Json | undefined } | undefined;

  /** `followPods: false`: never take the last pod's record (the reference the tests compare against). */
  constructor(private readonly followPods = true) {}

  /** The pod as stored (see the module's comment). */
  encode(pod: Pod): EncodedPod {
    const { name, uid } = pod.metadata;
    const node = targetNodeName(pod);
    if (typeof node !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || controllerOf(pod.metadata)?.kind !== 'DaemonSet') return { record: podJson(pod) };
    const last = this.last;
    if (last !== undefined) {
      const like = this.lastPod;
      if (like !== undefined && this.followPods && sameJson(daemonPodLike(like.pod, node, name, uid), pod)) {
        const own: unknown[] = [PodRecordFormat, last.base.id, node, name, uid];
        if (like.patch !== undefined) own.push(like.patch);
        return { record: JSON.stringify(own), base: last.base };
      }
      // Against the last base: when the patch sets only what a base blanks, that base is
      // this pod's own (the one `baseOf` makes), and the record the one made from it.
      const patch = mergeDiff(daemonPodLike(last.parsed, node, name, uid), pod);
      const record = onlyOwn(patch, last.parsed) ? recordAgainst(pod, last.parsed, last.base.id, node, name, uid, patch) : undefined;
      if (record !== undefined) {
        this.lastPod = { pod, patch };
        return { record, base: last.base };
      }
    }
    const json = JSON.stringify(baseOf(pod));
    const made = { base: { id: baseIdOf(json), json }, parsed: JSON.parse(json) as Pod };
    this.last = made;
    this.lastPod = undefined;
    const patch = mergeDiff(daemonPodLike(made.parsed, node, name, uid), pod);
    const record = recordAgainst(pod, made.parsed, made.base.id, node, name, uid, patch);
    if (record === undefined) return { record: podJson(pod) };
    if (onlyOwn(patch, made.parsed)) this.lastPod = { pod, patch };
    return { record, base: made.base };
  }
}

const encoder = new PodEncoder();

/** The pod as stored (see the module's comment). */
export function encodePod(pod: Pod): EncodedPod {
  return encoder.encode(pod);
}

/** The record of `pod` against `base`, if it reads back as exactly the pod (checked on the record as it will be read). */
function recordAgainst(pod: Pod, base: Pod, id: string, node: string, name: string, uid: string, patch: Json | undefined): string | undefined {
  const own: unknown[] = [PodRecordFormat, id, node, name, uid];
  if (patch !== undefined) own.push(patch);
  const record = JSON.stringify(own);
  return sameJson(rebuild(recordOf(JSON.parse(record) as unknown), base), pod) ? record : undefined;
}

/**
 * Whether `patch` sets only values `base` blanks, where the base has them:
 * then the pod it makes has `base` for its own base.
 */
function onlyOwn(patch: Json | undefined, base: Pod): boolean {
  if (patch === undefined) return true;
  const blanked = new Map<string, readonly string[]>([
    ['metadata', ['creationTimestamp', 'deletionTimestamp']],
    ['spec', ['nodeName']],
  ]);
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (key === 'status') {
      if (!isObject(value) || !isObject(base.status)) return false;
      continue;
    }
    const fields = blanked.get(key);
    const inBase = (base as unknown as Json)[key];
    if (fields === undefined || !isObject(value) || !isObject(inBase)) return false;
    for (const field of Object.keys(value)) {
      if (!fields.includes(field) || value[field] === null || !Object.hasOwn(inBase, field)) return false;
    }
  }
  return true;
}

/** The pod's base: the pod with what differs from pod to pod blanked where it stands. */
function baseOf(pod: Pod): Pod {
  const like = daemonPodLike(pod, '', '', '');
  const metadata: Json = { ...like.metadata };
  // Blanked where JSON writes them: a key holding undefined is no key (as when the pod is read back).
  for (const field of ['creationTimestamp', 'deletionTimestamp']) if (written(metadata[field])) metadata[field] = '';
  const spec = written(like.spec.nodeName) ? { ...like.spec, nodeName: '' } : like.spec;
  return { ...like, metadata: metadata as Pod['metadata'], spec, ...(written(pod.status) ? { status: {} } : {}) };
}

/** A base's id: 128 bits of the SHA-256 of its JSON, base64url (22 characters). */
export function baseIdOf(json: string): string {
  return createHash('sha256').update(json).digest('base64url').slice(0, 22);
}

/** Parse a stored record; throws `PodRecordError` for one this engine cannot read. */
export function parsePodRecord(record: string): ParsedPodRecord {
  return recordOf(JSON.parse(record) as unknown);
}

function recordOf(value: unknown): ParsedPodRecord {
  if (isObject(value)) return { whole: value as unknown as Pod };
  if (!Array.isArray(value)) throw new PodRecordError(`a stored pod is neither an object nor a record: ${JSON.stringify(value)?.slice(0, 80)}`);
  const [format, baseId, node, name, uid, patch] = value as unknown[];
  if (format !== PodRecordFormat) throw new PodRecordError(`a stored pod has record format ${JSON.stringify(format)}; this engine reads ${PodRecordFormat} (upgrade every process of the prefix together)`);
  if (typeof baseId !== 'string' || typeof node !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || (patch !== undefined && !isObject(patch))) {
    throw new PodRecordError(`a stored pod record is not valid: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return { baseId, node, name, uid, ...(patch === undefined ? {} : { patch }) };
}

/** The base a stored record refers to (undefined: a pod whole). Reads the record's head only when it can. */
export function podRecordBase(record: string): string | undefined {
  if (record.startsWith('{')) return undefined;
  const parsed = parsePodRecord(record);
  return parsed.whole ? undefined : parsed.baseId;
}

/** The pod a parsed record stands for, given its base parsed (not changed: the pod gets copies of what the patch changes). */
export function rebuild(record: ParsedPodRecord, base: Pod): Pod {
  if (record.whole) return record.whole;
  const pod = daemonPodLike(base, record.node, record.name, record.uid);
  return record.patch === undefined ? pod : (applyPatch(pod, record.patch) as unknown as Pod);
}

/** The pod a stored record stands for; `baseJson` is its base's JSON (undefined for a pod stored whole). */
export function decodePod(record: string, baseJson: string | undefined): Pod {
  const parsed = parsePodRecord(record);
  if (parsed.whole) return parsed.whole;
  if (baseJson === undefined) throw new PodRecordError(`the base ${parsed.baseId} of pod ${parsed.name} is missing`);
  return rebuild(parsed, JSON.parse(baseJson) as Pod);
}

/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`, or undefined
 * when they are the same. Objects are compared key by key (a key `to` lacks
 * is `null`); anything else that differs is taken whole from `to`. Key order
 * is not expressed: the caller checks the patch applied gives `to`.
 */
export function mergeDiff(from: Json, to: Json): Json | undefined {
  const patch: Json = {};
  let differs = false;
  for (const key of Object.keys(to)) {
    const value = to[key];
    if (!written(value)) continue;
    const old = Object.hasOwn(from, key) ? from[key] : undefined;
    if (isObject(old) && isObject(value)) {
      // One walk: an object the same key by key has no patch (a different key order is caught by the caller's check).
      const inner = mergeDiff(old, value);
      if (inner === undefined) continue;
      define(patch, key, inner);
    } else if (sameJson(old, value)) continue;
    else define(patch, key, value);
    differs = true;
  }
  for (const key of Object.keys(from)) {
    if (written(from[key]) && !(Object.hasOwn(to, key) && written(to[key]))) {
      define(patch, key, null);
      differs = true;
    }
  }
  return differs ? patch : undefined;
}

/**
 * `target` with `patch` applied (RFC 7386: `null` removes a key, an object
 * merges into an object, anything else replaces), as a copy of what changes:
 * `target` and the objects it shares are left as they are. A key already
 * there keeps its place; a new one goes last.
 */
export function applyPatch(target: Json, patch: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(target)) define(out, key, target[key]);
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete out[key];
    else {
      const current = out[key];
      define(out, key, isObject(value) && isObject(current) ? applyPatch(current, value) : value);
    }
  }
  return out;
}

/** Set an own, enumerable data property, whatever its name: a key `__proto__` (as JSON.parse makes one) too. */
function define(object: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Whether JSON.stringify writes an object's key with this value. */
function written(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
