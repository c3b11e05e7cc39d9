/**
 * kubectl's JSONPath templates (client-go `util/jsonpath`), the language of
 * `-o jsonpath=…` and `-o custom-columns=…`: text with `{…}` actions —
 * fields (`.metadata.name`, `['metadata.name']`), `[n]`, slices
 * `[start:end:step]` (negative counts from the end), `[*]`, unions
 * `[a,b]`, `..` (recursive descent), `*`, filters
 * `[?(@.spec.nodeName=="worker01")]` with `== != < > <= >=` or a bare path
 * (exists), string, number and boolean literals (`{"\n"}`), and
 * `{range …}…{end}`. No npm library speaks this dialect (they implement
 * Goessner's or RFC 9535's, without templates, ranges or literals), so it
 * is implemented here, with client-go's error strings and output: several
 * results of one action joined by a space, maps and slices as compact JSON
 * with sorted keys, scalars as Go's `fmt` prints them.
 */
import { goRune, goType, goValue } from './go-values.ts';

/** A template that does not parse, or that fails on the object given; `message` is client-go's. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

interface SliceParam {
  known: boolean;
  value: number;
  /** The end of `[n]`: n + 1, made relative to the length when n is negative. */
  derived: boolean;
}

type JpNode =
  | { readonly kind: 'list'; readonly nodes: JpNode[] }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'array'; readonly params: readonly [SliceParam, SliceParam, SliceParam] }
  | { readonly kind: 'filter'; readonly left: ListNode; readonly right: ListNode; readonly operator: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'recursive' }
  | { readonly kind: 'union'; readonly nodes: readonly ListNode[] }
  | { readonly kind: 'identifier'; readonly name: string };

type ListNode = Extract<JpNode, { kind: 'list' }>;

const newList = (): ListNode => ({ kind: 'list', nodes: [] });

const EOF = -1;

const isSpace = (r: number) => r === 0x20 || r === 0x09;
const isEndOfLine = (r: number) => r === 0x0d || r === 0x0a;
const isDigit = (r: number) => r >= 0 && /^\p{Nd}$/u.test(String.fromCodePoint(r));
const isAlphaNumeric = (r: number) => r === 0x5f || (r >= 0 && /^[\p{L}\p{Nd}]$/u.test(String.fromCodePoint(r)));
const terminators = new Set(['.', ',', '[', ']', '$', '@', '{', '}'].map((c) => c.codePointAt(0) as number));
const isTerminator = (r: number) => r === EOF || isSpace(r) || isEndOfLine(r) || terminators.has(r);

const dictKey = /^'([^']*)'$/;
const sliceOperator = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const comparison = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

/** client-go's `Parser`: a rune scanner over the template that builds the node list. */
class Parser {
  readonly root: ListNode = newList();
  private pos = 0;
  private start = 0;
  private width = 0;

  constructor(private readonly input: string) {}

  parse(): ListNode {
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const value = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return value;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) as number;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.rest().startsWith('{')) {
        if (this.pos > this.start) cur.nodes.push({ kind: 'text', text: this.consumeText() });
        this.parseLeftDelim(cur);
        return;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ kind: 'text', text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const node = newList();
    cur.nodes.push(node);
    this.parseInsideAction(node);
  }

  /** One action's contents, up to its `}`; each step hands on to the next (a loop here, recursion in client-go). */
  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consumeText();
        this.parseText(this.root);
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new JsonPathError('unclosed action');
      if (r === 0x20 || r === 0x40 /* @ */ || r === 0x24 /* $ */) {
        this.consumeText();
      } else if (r === 0x5b /* [ */) {
        this.parseArray(cur);
      } else if (r === 0x22 || r === 0x27) {
        this.parseQuote(cur, r);
      } else if (r === 0x2e /* . */) {
        this.parseField(cur);
      } else if (r === 0x2b || r === 0x2d || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else {
        throw new JsonPathError(`unrecognized character in action: ${goRune(r)}`);
      }
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      if (isTerminator(this.next())) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === 'true' || value === 'false') cur.nodes.push({ kind: 'bool', value: value === 'true' });
    else cur.nodes.push({ kind: 'identifier', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.kind === 'recursive') throw new JsonPathError('invalid multiple recursive descent');
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ kind: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) this.next();
    for (;;) {
      const r = this.next();
      if (r !== 0x2e && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?\d+$/.test(value) && Number.isSafeInteger(Number(value))) {
      cur.nodes.push({ kind: 'int', value: Number(value) });
    } else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) {
      cur.nodes.push({ kind: 'float', value: Number(value) });
    } else {
      throw new JsonPathError(`cannot parse number ${value}`);
    }
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError('unterminated array');
      if (r === 0x5d /* ] */) break;
    }
    let text = this.consumeText().slice(1, -1);
    if (text === '*') text = ':';

    const union = text.split(',');
    if (union.length > 1) {
      cur.nodes.push({ kind: 'union', nodes: union.map((part) => parseAction(`[${part.trim()}]`)) });
      return;
    }

    const key = dictKey.exec(text);
    if (key) {
      cur.nodes.push(...parseAction(`.${key[1] as string}`).nodes);
      return;
    }

    const slice = sliceOperator.exec(text);
    if (!slice) throw new JsonPathError(`invalid array index ${text}`);
    const params: [SliceParam, SliceParam, SliceParam] = [
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      let part = slice[i + 1] ?? '';
      const param = params[i] as SliceParam;
      if (part !== '') {
        if (i > 0) part = part.slice(1);
        if (i > 0 && part === '') {
          param.known = false;
        } else {
          const n = Number(part);
          if (!/^-?\d+$/.test(part) || !Number.isSafeInteger(n)) throw new JsonPathError(`array index ${part} is not a number`);
          param.known = true;
          param.value = n;
        }
      } else if (i === 1) {
        param.known = true;
        param.value = params[0].value + 1;
        param.derived = true;
      }
    }
    cur.nodes.push({ kind: 'array', params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = 0;
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError('unterminated filter');
      if (r === 0x22 || r === 0x27) {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === 0x29 /* ) */ && begin === end) {
        break;
      }
    }
    if (this.next() !== 0x5d) throw new JsonPathError('unclosed array expect ]');
    const text = this.consumeText().slice(0, -2);
    const parts = comparison.exec(text);
    if (!parts) {
      cur.nodes.push({ kind: 'filter', left: parseAction(text), right: newList(), operator: 'exists' });
    } else {
      cur.nodes.push({ kind: 'filter', left: parseAction(parts[1] as string), right: parseAction(parts[3] as string), operator: parts[2] as string });
    }
  }

  private parseQuote(cur: ListNode, quote: number): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError('unterminated quoted string');
      if (r === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consumeText();
    const text = unquoteExtend(value);
    if (text === undefined) throw new JsonPathError(`unquote string ${value} error invalid syntax`);
    cur.nodes.push({ kind: 'text', text });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance()) {
      // scan to the next unescaped terminator
    }
    const value = this.consumeText();
    if (value === '*') cur.nodes.push({ kind: 'wildcard' });
    else cur.nodes.push({ kind: 'field', name: value.replaceAll('\\', '') });
  }

  private advance(): boolean {
    const r = this.next();
    if (r === 0x5c /* \ */) {
      this.next();
    } else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

/** `text` as the inside of one action: its node list (client-go's `parseAction`). */
function parseAction(text: string): ListNode {
  const root = new Parser(`{${text}}`).parse();
  const first = root.nodes[0];
  return first?.kind === 'list' ? first : newList();
}

const simpleEscapes: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * Go's `strconv.Unquote`, taking single quotes too (client-go's
 * `UnquoteExtend`): undefined where Go answers `invalid syntax`.
 */
export function unquoteExtend(quoted: string): string | undefined {
  if (quoted.length < 2) return undefined;
  const quote = quoted[0] as string;
  if (quote !== quoted.at(-1) || (quote !== '"' && quote !== "'")) return undefined;
  const body = quoted.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; ) {
    const char = body[i] as string;
    if (char === quote) return undefined;
    if (char !== '\\') {
      out += char;
      i++;
      continue;
    }
    const escape = body[i + 1];
    if (escape === undefined) return undefined;
    const simple = simpleEscapes[escape];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (escape === "'" || escape === '"') {
      if (escape !== quote) return undefined;
      out += escape;
      i += 2;
    } else if (escape === 'x' || escape === 'u' || escape === 'U') {
      const digits = escape === 'x' ? 2 : escape === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return undefined;
      const code = Number.parseInt(hex, 16);
      if (escape === 'x') {
        // A byte: on its own it is the Latin-1 character only when it is ASCII (Go writes the raw byte).
        out += String.fromCharCode(code);
      } else {
        if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return undefined;
        out += String.fromCodePoint(code);
      }
      i += 2 + digits;
    } else if (escape >= '0' && escape <= '7') {
      const octal = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(octal)) return undefined;
      const code = Number.parseInt(octal, 8);
      if (code > 255) return undefined;
      out += String.fromCharCode(code);
      i += 4;
    } else {
      return undefined;
    }
  }
  return out;
}

/** What a walk step yields: decoded JSON values, or `undefined` for Go's invalid (absent) value. */
type Value = unknown;

const isMap = (v: Value): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The members `*` and `..` visit: a map's values (in key order; Go's order is random), a slice's items, a string's bytes. */
function childrenOf(value: Value): Value[] {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (isMap(value)) return Object.keys(value).sort().map((k) => value[k]);
  if (typeof value === 'string') return [...Buffer.from(value, 'utf8')];
  return [];
}

/** Go's comparison kinds (`text/template` `basicKind`). */
type BasicKind = 'bool' | 'int' | 'float' | 'string';

function basicKind(v: Value): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  throw new JsonPathError('invalid type for comparison');
}

function equal(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) throw new JsonPathError('incompatible types for comparison');
  return a === b;
}

function less(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) throw new JsonPathError('incompatible types for comparison');
  if (k1 === 'bool') throw new JsonPathError('invalid type for comparison');
  if (k1 === 'string') return compareBytes(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

/** Go compares strings byte-wise (UTF-8), not by UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compare(operator: string, a: Value, b: Value): boolean {
  switch (operator) {
    case '<':
      return less(a, b);
    case '>':
      return !(less(a, b) || equal(a, b));
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<=':
      return less(a, b) || equal(a, b);
    case '>=':
      return !less(a, b);
    default:
      throw new JsonPathError(`unrecognized filter operator ${operator}`);
  }
}

/** One execution of a template: client-go's `JSONPath` with its range bookkeeping. */
class Evaluator {
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode: JpNode | undefined;

  constructor(private readonly allowMissingKeys: boolean) {}

  findResults(data: Value, nodes: readonly JpNode[]): Value[][] {
    const cur: Value[] = [data];
    const full: Value[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as JpNode;
      const results = this.walk(cur, node);
      // An {end}: this block is over.
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = node;
        break;
      }
      // A {range …}: the rest of the template once per result, up to its {end}.
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        const rest = nodes.slice(i + 1);
        if (results.length > 0) {
          for (const value of results) full.push(...this.findResults(value, rest));
        } else {
          // Nothing to range over: walk the block once anyway, to find its {end}.
          this.findResults(undefined, rest);
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: readonly Value[], node: JpNode): Value[] {
    switch (node.kind) {
      case 'list':
        return this.evalList(input, node);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.name);
      case 'array':
        return evalArray(input, node.params);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
      case 'float':
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return input.flatMap((v) => (v === null || v === undefined ? [] : childrenOf(v)));
      case 'recursive':
        return evalRecursive(input);
      case 'union':
        return node.nodes.flatMap((list) => this.evalList(input, list));
      case 'identifier':
        return this.evalIdentifier(input, node.name);
    }
  }

  private evalList(input: readonly Value[], list: ListNode): Value[] {
    let cur = [...input];
    for (const node of list.nodes) cur = this.walk(cur, node);
    return cur;
  }

  private evalIdentifier(input: readonly Value[], name: string): Value[] {
    if (name === 'range') {
      this.beginRange++;
      return [...input];
    }
    if (name === 'end') {
      if (this.inRange > 0) {
        this.endRange++;
        return [];
      }
      throw new JsonPathError('not in range, nothing to end');
    }
    throw new JsonPathError(`unrecognized identifier ${name}`);
  }

  private evalField(input: readonly Value[], name: string): Value[] {
    if (input.length === 0) return [];
    const results: Value[] = [];
    for (const value of input) {
      if (isMap(value) && Object.hasOwn(value, name)) results.push(value[name]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new JsonPathError(`${name} is not found`);
    return results;
  }

  private evalFilter(input: readonly Value[], node: Extract<JpNode, { kind: 'filter' }>): Value[] {
    const results: Value[] = [];
    for (const value of input) {
      if (!Array.isArray(value)) throw new JsonPathError(`${value === undefined ? '<invalid reflect.Value>' : goValue(value)} is not array or slice and cannot be filtered`);
      for (const item of value as unknown[]) {
        if (node.operator === 'exists') {
          let lefts: Value[] = [];
          try {
            lefts = this.evalList([item], node.left);
          } catch {
            // client-go ignores the left side's error for an existence test.
          }
          if (lefts.length > 0) results.push(item);
          continue;
        }
        const lefts = this.evalList([item], node.left);
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time');
        const rights = this.evalList([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JsonPathError('can only compare one element at a time');
        if (compare(node.operator, lefts[0], rights[0])) results.push(item);
      }
    }
    return results;
  }
}

function evalArray(input: readonly Value[], template: readonly [SliceParam, SliceParam, SliceParam]): Value[] {
  const result: Value[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw new JsonPathError(`${goType(value)} is not array or slice`);
    const items = value as unknown[];
    const length = items.length;
    const [p0, p1, p2] = template.map((p) => ({ ...p })) as [SliceParam, SliceParam, SliceParam];
    if (!p0.known) p0.value = 0;
    if (p0.value < 0) p0.value += length;
    if (!p1.known) p1.value = length;
    if (p1.value < 0 || (p1.value === 0 && p1.derived)) p1.value += length;
    // Asking for no items at all is allowed, wherever.
    if (p1.value === p0.value) return result;
    if (p0.value >= length || p0.value < 0) throw new JsonPathError(`array index out of bounds: index ${p0.value}, length ${length}`);
    if (p1.value > length || p1.value < 0) throw new JsonPathError(`array index out of bounds: index ${p1.value - 1}, length ${length}`);
    if (p0.value > p1.value) throw new JsonPathError(`starting index ${p0.value} is greater than ending index ${p1.value}`);
    let step = 1;
    if (p2.known) {
      if (p2.value <= 0) throw new JsonPathError('step must be > 0');
      step = p2.value;
    }
    const slice = items.slice(p0.value, p1.value);
    for (let i = 0; i < slice.length; i += step) result.push(slice[i]);
  }
  return result;
}

function evalRecursive(input: readonly Value[]): Value[] {
  const result: Value[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    const children = childrenOf(value);
    if (children.length > 0) {
      result.push(value);
      result.push(...evalRecursive(children));
    }
  }
  return result;
}

/** Go's `json.Marshal` of decoded JSON: compact, keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(sorted(value))
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (isMap(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
  return value;
}

/** One result as `PrintResults` writes it: maps and slices as JSON, null as `null`, the rest as `fmt.Fprint` would. */
function resultText(value: Value): string {
  if (Array.isArray(value) || isMap(value)) return goJson(value);
  if (value === null) return 'null';
  return goValue(value);
}

/** A parsed template, ready to run against objects. */
export interface JsonPathTemplate {
  /** The template as written. */
  readonly source: string;
  /** Every action's results, as client-go's `FindResults` groups them. */
  findResults(data: unknown): unknown[][];
  /** The text `-o jsonpath` prints for `data`. */
  execute(data: unknown): string;
}

/**
 * Parse `template`; `JsonPathError` with client-go's message when it does
 * not parse. `allowMissingKeys` (kubectl's default) makes a missing field
 * an empty result rather than an error.
 */
export function parseJsonPath(template: string, options: { allowMissingKeys?: boolean } = {}): JsonPathTemplate {
  const root = new Parser(template).parse();
  const allowMissingKeys = options.allowMissingKeys ?? true;
  const findResults = (data: unknown) => new Evaluator(allowMissingKeys).findResults(data, root.nodes);
  return {
    source: template,
    findResults,
    execute: (data) =>
      findResults(data)
        .map((results) => results.map(resultText).join(' '))
        .join(''),
  };
}
