import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedJson, echo, jsonShapeProblem, truncateText, utf8Length } from './json-limits.ts';
import { utf8Bytes } from './text.ts';

/** `[[[…]]]` nested `n` deep, built without recursion. */
function nested(n: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < n; i++) value = [value];
  return value;
}

describe('utf8Length', () => {
  it('is the length of the UTF-8 encoding, surrogate pairs and lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(utf8Bytes(text).length);
      }),
    );
  });
});

describe('boundedJson', () => {
  it('writes what JSON.stringify writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { text, bytes, whole } = boundedJson(value, Number.POSITIVE_INFINITY);
        expect(text).toBe(JSON.stringify(value));
        expect(bytes).toBe(utf8Bytes(text).length);
        expect(whole).toBe(true);
      }),
    );
  });

  it('leaves out what JSON leaves out, and calls toJSON', () => {
    const value = { a: undefined, b: () => 1, c: [undefined, Number.NaN], d: new Date(0), e: 1 };
    expect(boundedJson(value, 1000).text).toBe(JSON.stringify(value));
  });

  it('keeps at most maxBytes of a long text, never half a character, and counts the whole', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(200), (value, max) => {
        const full = JSON.stringify(value);
        const { text, bytes } = boundedJson(value, max);
        expect(full.startsWith(text)).toBe(true);
        expect(utf8Bytes(text).length).toBeLessThanOrEqual(max);
        expect(bytes).toBe(utf8Bytes(full).length);
      }),
    );
  });

  it('writes a value nested 100,000 deep, which JSON.stringify cannot', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(/call stack/);
    const { text, bytes, whole } = boundedJson(deep, 10);
    expect(text).toBe('[[[[[[[[[[');
    expect(bytes).toBe(200_000);
    expect(whole).toBe(true);
  });

  it('stops counting a cyclic value at countUpTo', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { bytes, whole } = boundedJson(cyclic, 10, 1000);
    expect(whole).toBe(false);
    expect(bytes).toBeGreaterThanOrEqual(1000);
  });
});

describe('jsonShapeProblem', () => {
  it('accepts a value nested exactly maxDepth deep, and names where one nests deeper', () => {
    expect(jsonShapeProblem(nested(64), 64)).toBeUndefined();
    expect(jsonShapeProblem(nested(65), 64)).toEqual({ field: '[0][0][0][0][0][0][0][0]…', reason: 'nests deeper than 64 levels of objects and arrays' });
    expect(jsonShapeProblem({ data: { metadata: { labels: { a: {} } } } }, 3)?.field).toBe('data.metadata.labels');
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(jsonShapeProblem(nested(100_000), 64)?.reason).toMatch(/deeper than 64/);
  });

  it('refuses __proto__ and constructor.prototype keys, as own properties from JSON.parse', () => {
    expect(jsonShapeProblem(JSON.parse('{"data":{"__proto__":{"polluted":true}}}'))).toEqual({ field: 'data.__proto__', reason: expect.stringMatching(/forbidden key/) });
    expect(jsonShapeProblem(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))?.field).toBe('constructor');
    expect(jsonShapeProblem({ constructor: 'a name' })).toBeUndefined();
  });

  it('refuses a cyclic value as too deep', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonShapeProblem(cyclic)?.reason).toMatch(/deeper/);
  });
});

describe('echo', () => {
  it('quotes a short value whole and a long one cut, with its size', () => {
    expect(echo('abc')).toBe('"abc"');
    expect(echo('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(63)}…(1000002 bytes)`);
    expect(truncateText('é'.repeat(100), 2)).toBe('éé…(200 bytes)');
  });

  it('quotes what String() cannot convert and JSON.stringify cannot write', () => {
    expect(echo({ toString: 1 })).toBe('{"toString":1}');
    expect(echo(nested(10_000))).toMatch(/^\[{64}…\(20000 bytes\)$/);
  });
});
