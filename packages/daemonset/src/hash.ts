/**
 * Deterministic hashing for the pure core: template hashes (`controller.ComputeHash`),
 * pod-name suffixes and uids.
 *
 * Everything here is a pure function of its arguments — no clock, no randomness,
 * no `node:crypto` — so replaying the same history yields the same names and uids.
 * Hashes are not cryptographic: they only need to spread well and be stable.
 */
import { type PodTemplateSpec, utf8Bytes } from '@everynode/api';

/**
 * apimachinery's `rand` alphabet: no vowels (no accidental words) and no
 * look-alikes (0/o, 1/l/i, 3/e).
 */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** Feeds `bytes` into a running FNV-1a 32 state (Go's `hash/fnv` `New32a().Write`). */
function fnv32aUpdate(state: number, bytes: readonly number[]): number {
  let hash = state;
  for (const byte of bytes) {
    hash = Math.imul(hash ^ byte, FNV32_PRIME);
  }
  return hash >>> 0;
}

/** FNV-1a 32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function fnv32a(text: string): number {
  return fnv32aUpdate(FNV32_OFFSET, utf8Bytes(text));
}

/** FNV-1a 64 of the UTF-8 bytes of `text`, as an unsigned 64-bit bigint. */
export function fnv64a(text: string): bigint {
  let hash = FNV64_OFFSET;
  for (const byte of utf8Bytes(text)) {
    hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  }
  return hash;
}

/**
 * MurmurHash3's 64-bit finalizer. FNV's low bits depend only on the inputs' low
 * bits, so inputs differing in high bits alone would share them; this bijection
 * spreads every input bit over the whole word.
 */
function mix64(value: bigint): bigint {
  let k = value;
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

/** Round `round` of a salted 64-bit hash of `parts`; different rounds act as independent hashes. */
function round64(parts: readonly string[], round: number): bigint {
  // JSON of the array keeps ["a","bc"] and ["ab","c"] apart.
  return mix64(fnv64a(`${round}\u0000${JSON.stringify(parts)}`));
}

/**
 * JSON with every object's keys sorted, recursively, so that key order never
 * changes a hash. Like `JSON.stringify`: `undefined` members are dropped,
 * `undefined` array items become `null`.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** apimachinery `rand.SafeEncodeString`: each character's code, modulo 27, picks from {@link SAFE_ALPHABET}. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const char of s) {
    out += SAFE_ALPHABET[(char.codePointAt(0) as number) % SAFE_ALPHABET.length];
  }
  return out;
}

/**
 * `controller.ComputeHash`: the template's hash, safe-encoded (up to 10 chars of
 * {@link SAFE_ALPHABET}). Upstream hashes a spew dump of the Go struct; we hash
 * canonical JSON, so values differ from Kubernetes' but are just as stable.
 *
 * @param collisionCount `status.collisionCount`; when given (even 0) it is mixed
 *   in as upstream does — its little-endian uint32 in an 8-byte buffer — so a
 *   bumped count yields a fresh name after a hash collision.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let sum = fnv32aUpdate(FNV32_OFFSET, utf8Bytes(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const count = collisionCount >>> 0;
    sum = fnv32aUpdate(sum, [count & 0xff, (count >>> 8) & 0xff, (count >>> 16) & 0xff, count >>> 24, 0, 0, 0, 0]);
  }
  return safeEncodeString(String(sum));
}

/**
 * `length` characters of {@link SAFE_ALPHABET} derived from `parts` — the
 * `<ds>-<5 chars>` suffix of a pod name (as `generateName` + `rand.String(5)`
 * upstream, but replayable). Each 64-bit round yields 13 base-27 digits.
 *
 * @param length default 5 (27⁵ ≈ 14 million suffixes).
 */
export function shortHash(parts: readonly string[], length = 5): string {
  const base = BigInt(SAFE_ALPHABET.length);
  let out = '';
  for (let round = 0; out.length < length; round++) {
    let value = round64(parts, round);
    for (let digit = 0; digit < 13 && out.length < length; digit++) {
      out += SAFE_ALPHABET[Number(value % base)];
      value /= base;
    }
  }
  return out;
}

/**
 * A UUID-formatted uid (`xxxxxxxx-xxxx-5xxx-[89ab]xxx-xxxxxxxxxxxx`) derived from
 * `parts`: the same parts always give the same uid; different parts differ in
 * 122 bits drawn from two independent salted 64-bit rounds.
 */
export function deterministicUid(parts: readonly string[]): string {
  const hex = [0, 1].map((round) => round64(parts, round).toString(16).padStart(16, '0')).join('').split('');
  hex[12] = '5'; // version nibble: name-based, as a v5 UUID
  hex[16] = (8 | (parseInt(hex[16] as string, 16) & 0x3)).toString(16); // RFC 4122 variant bits 10xx
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
