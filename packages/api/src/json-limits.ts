/**
 * Bounds on what a client sends, checked without recursion: a value nested
 * 10,000 deep has to be refused, not overflow the stack of whatever walks it
 * first (`JSON.stringify` when it is queued, zod, a logger). Here: how deep
 * a value nests and whether it carries a prototype-polluting key
 * (`jsonShapeProblem`), its JSON text cut to a size (`boundedJson`, which
 * the dead-letter queue keeps), and any value as a short quote for an error
 * message (`echo`), so a refusal never sends back the megabyte it refused.
 */

/** The limits a JSON input is held to. */
export interface JsonLimits {
  /** Objects and arrays nested at most this deep (`{}` is depth 1). Default 64. */
  readonly maxDepth: number;
  /** Bytes at most in one event's JSON text. Default 1 MiB. */
  readonly maxEventBytes: number;
}

export const DefaultJsonLimits: JsonLimits = { maxDepth: 64, maxEventBytes: 1024 * 1024 };

/** Characters of a value an error message quotes before it cuts the rest (`echo`). */
export const EchoChars = 64;

/** The UTF-8 length of `text` in bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point beyond the BMP
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * `text` as an error message quotes it: whole when short, else its first
 * `max` characters and `…(N bytes)`. Never the megabyte a client sent.
 */
export function truncateText(text: string, max = EchoChars): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…(${utf8Length(text)} bytes)`;
}

/**
 * Any value as an error message quotes it: JSON text (strings in double
 * quotes), cut after `max` characters with the whole size noted. Safe on
 * values that break `String()` (`{"toString": 1}`) or `JSON.stringify`
 * (nested too deep).
 */
export function echo(value: unknown, max = EchoChars): string {
  const { text, bytes, whole } = boundedJson(value, max, 64 * 1024 * 1024);
  if (whole && bytes <= max) return text;
  return `${text}…(${whole ? bytes : `more than ${bytes}`} bytes)`;
}

/** One object or array being walked: where it is (for the path), how deep. */
interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
}

/** `data.metadata.labels`, `items[3]`: a frame's path as Kubernetes names fields (the first `maxParts` parts, then `…`). */
function pathOf(frame: Frame | undefined, last?: string | number, maxParts = 8): string {
  const parts: (string | number)[] = last === undefined ? [] : [last];
  for (let f = frame; f?.key !== undefined; f = f.parent) parts.unshift(f.key);
  const shown = parts.slice(0, maxParts).reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? truncateText(k, 40) : `${acc}.${truncateText(k, 40)}`), '');
  return parts.length > maxParts ? `${shown}…` : shown;
}

/** What is wrong with a value's shape: the field where it is, and why. */
export interface ShapeProblem {
  /** The field path (`data.metadata.labels`); `''` for the value itself. */
  readonly field: string;
  readonly reason: string;
}

/**
 * The first place `value` nests deeper than `maxDepth`, or holds a key that
 * would reach an object's prototype when merged (`__proto__`, or
 * `constructor.prototype`: what fastify's JSON parser refuses; not with
 * `keys: false`), walked without recursion. `undefined` when there is none. A cyclic value (only a
 * caller in this process can make one) nests without end, so it is refused.
 */
export function jsonShapeProblem(value: unknown, maxDepth = DefaultJsonLimits.maxDepth, { keys = true }: { readonly keys?: boolean } = {}): ShapeProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tooDeep = (frame: Frame | undefined, key: string | number) => ({ field: pathOf(frame, key), reason: `nests deeper than ${maxDepth} levels of objects and arrays` });
  if (maxDepth < 1) return { field: '', reason: `nests deeper than ${maxDepth} levels of objects and arrays` };
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (Array.isArray(frame.value)) {
      for (let i = 0; i < frame.value.length; i++) {
        const child: unknown = frame.value[i];
        if (typeof child !== 'object' || child === null) continue;
        if (frame.depth >= maxDepth) return tooDeep(frame, i);
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: i });
      }
      continue;
    }
    for (const key of Object.keys(frame.value)) {
      const child: unknown = (frame.value as Record<string, unknown>)[key];
      if (keys && key === '__proto__') return { field: pathOf(frame, key), reason: 'forbidden key: it would set an object’s prototype' };
      if (keys && key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) {
        return { field: pathOf(frame, key), reason: 'forbidden key: constructor.prototype would reach an object’s prototype' };
      }
      if (typeof child !== 'object' || child === null) continue;
      if (frame.depth >= maxDepth) return tooDeep(frame, key);
      stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}

/** A value's JSON text, or the first part of it. */
export interface BoundedJson {
  /** The text (`JSON.stringify`'s), cut at `maxBytes` bytes when it is longer. */
  readonly text: string;
  /** The whole text's length in bytes (a lower bound when `whole` is false). */
  readonly bytes: number;
  /** Whether `bytes` is the whole text's length: false when counting stopped at `countUpTo`. */
  readonly whole: boolean;
}

/** What `JSON.stringify` writes for a scalar; `undefined` for what it leaves out. */
function scalarJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

/** An object or array being written: what is left of it. */
interface Writing {
  readonly value: object;
  /** An object's keys; `undefined` for an array. */
  readonly keys: readonly string[] | undefined;
  index: number;
  /** Members written so far (an object's `undefined` members are left out, as `JSON.stringify` does). */
  written: number;
}

/**
 * `value`'s JSON text (as `JSON.stringify` writes it, at any depth, without
 * recursion), kept up to `maxBytes` bytes; past that only its length is
 * counted, up to `countUpTo` bytes (a cyclic value never ends). For keeping
 * a refused message bounded, and quoting one.
 */
export function boundedJson(value: unknown, maxBytes: number, countUpTo = Number.POSITIVE_INFINITY): BoundedJson {
  let text = '';
  let bytes = 0;
  const write = (piece: string) => {
    const size = utf8Length(piece);
    if (bytes < maxBytes) text += bytes + size <= maxBytes ? piece : cutToBytes(piece, maxBytes - bytes);
    bytes += size;
  };
  const stack: Writing[] = [];
  /** Write a value: a scalar at once, an object or array opened and stacked. */
  const begin = (v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const keys = Array.isArray(v) ? undefined : Object.keys(v);
      write(keys === undefined ? '[' : '{');
      stack.push({ value: v, keys, index: 0, written: 0 });
    } else write(scalarJson(v) ?? 'null');
  };
  begin(resolved(value));
  while (stack.length > 0 && bytes < countUpTo) {
    const top = stack[stack.length - 1] as Writing;
    const length = top.keys === undefined ? (top.value as unknown[]).length : top.keys.length;
    if (top.index >= length) {
      write(top.keys === undefined ? ']' : '}');
      stack.pop();
      continue;
    }
    const i = top.index++;
    const key = top.keys?.[i];
    const child = resolved(key === undefined ? (top.value as unknown[])[i] : (top.value as Record<string, unknown>)[key]);
    // An object's member that JSON leaves out (undefined, a function) is skipped; in an array it is null.
    if (key !== undefined && (typeof child !== 'object' || child === null) && scalarJson(child) === undefined) continue;
    if (top.written++ > 0) write(',');
    if (key !== undefined) write(`${JSON.stringify(key)}:`);
    begin(child);
  }
  return { text, bytes, whole: stack.length === 0 };
}

/** What `JSON.stringify` writes in place of a value with a `toJSON` (a Date): its result. */
function resolved(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return typeof (value as { toJSON?: unknown }).toJSON === 'function' ? safeToJson(value) : value;
}

function safeToJson(value: unknown): unknown {
  try {
    return (value as { toJSON: () => unknown }).toJSON();
  } catch {
    return null;
  }
}

/** The longest start of `piece` that is at most `maxBytes` bytes of UTF-8 (never half a character). */
export function cutToBytes(piece: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  while (end < piece.length) {
    const code = piece.charCodeAt(end);
    const pair = code >= 0xd800 && code <= 0xdbff && end + 1 < piece.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  return piece.slice(0, end);
}
