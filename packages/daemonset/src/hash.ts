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
 * A salted 32-bit hash of `text` for identifiers: FNV-1a over UTF-16 code
 * units from a salt-dependent offset, then MurmurHash3's finalizer (FNV's low
 * bits depend only on the inputs' low bits; the finalizer spreads every bit).
 * Plain 32-bit arithmetic: a pass names thousands of pods, BigInt is too slow.
 */
function hash32(text: string, salt: number): number {
  let h = (FNV32_OFFSET ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV32_PRIME);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Round `round` of a salted hash of `parts`; different rounds act as independent hashes. */
function round32(parts: readonly string[], round: number): number {
  // JSON of the array keeps ["a","bc"] and ["ab","c"] apart.
  return hash32(JSON.stringify(parts), round);
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
 * upstream, but replayable). Each 32-bit round yields six base-27 digits.
 *
 * @param length default 5 (27⁵ ≈ 14 million suffixes).
 */
export function shortHash(parts: readonly string[], length = 5): string {
  const base = SAFE_ALPHABET.length;
  let out = '';
  for (let round = 0; out.length < length; round++) {
    let value = round32(parts, round);
    // 27^6 < 2^32: six digits per round.
    for (let digit = 0; digit < 6 && out.length < length; digit++) {
      out += SAFE_ALPHABET[value % base];
      value = Math.floor(value / base);
    }
  }
  return out;
}

/**
 * A UUID-formatted uid (`xxxxxxxx-xxxx-5xxx-[89ab]xxx-xxxxxxxxxxxx`) derived from
 * `parts`: the same parts always give the same uid; different parts differ in
 * 122 bits drawn from four independent salted 32-bit rounds.
 */
export function deterministicUid(parts: readonly string[]): string {
  // The rounds of `round32`, the parts' JSON written once (a pass names thousands of pods).
  const text = JSON.stringify(parts);
  const a = hex8(hash32(text, 0));
  const b = hex8(hash32(text, 1));
  const c = hex8(hash32(text, 2));
  const d = hex8(hash32(text, 3));
  // Hex digit 12 is the version nibble (5: name-based, as a v5 UUID); digit 16 gets the RFC 4122 variant bits 10xx.
  const variant = (8 | (parseInt(c[0] as string, 16) & 0x3)).toString(16);
  return `${a}-${b.slice(0, 4)}-5${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Two hex digits per byte value: `toString(16)` + `padStart` four times a uid was a good part of a pass's pod making. */
const byteHex = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** An unsigned 32-bit integer as eight hex digits. */
function hex8(n: number): string {
  return (byteHex[n >>> 24] as string) + (byteHex[(n >>> 16) & 0xff] as string) + (byteHex[(n >>> 8) & 0xff] as string) + (byteHex[n & 0xff] as string);
}
