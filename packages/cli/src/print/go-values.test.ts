/** Go's `fmt` and `strconv` output for decoded JSON, as kubectl's printers show values. */
import { describe, expect, it } from 'vitest';
import { goFloat, goQuote, goRune, goType, goValue } from './go-values.ts';

describe('goFloat (%v of a float64)', () => {
  it.each([
    [2.5, '2.5'],
    [100000.5, '100000.5'],
    [1234567.5, '1.2345675e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0.000015, '-1.5e-05'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [0, '0'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d → %s', (value, text) => {
    expect(goFloat(value)).toBe(text);
  });
});

describe('goValue (%v)', () => {
  it('prints maps in key order, slices space-separated, nil as <nil>, integers as int64', () => {
    expect(goValue({ b: [1, 'two', null], a: { c: true } })).toBe('map[a:map[c:true] b:[1 two <nil>]]');
    expect(goValue(30)).toBe('30');
    expect(goValue(0.5)).toBe('0.5');
    expect(goValue(undefined)).toBe('<nil>');
  });
});

describe('goType', () => {
  it.each([
    ['s', 'string'],
    [1, 'int64'],
    [1.5, 'float64'],
    [true, 'bool'],
    [null, 'interface {}'],
    [[], '[]interface {}'],
    [{}, 'map[string]interface {}'],
  ])('%j is %s', (value, type) => {
    expect(goType(value)).toBe(type);
  });
});

describe('goQuote (strconv.Quote)', () => {
  it('escapes quotes, backslashes, control and unprintable characters; keeps printable Unicode', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\x07\b\f\n\r\t\v')).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
    expect(goQuote('\x00\x1f\x7f')).toBe('"\\x00\\x1f\\x7f"');
    expect(goQuote('é 😀 \u2028 \u{e0001}')).toBe('"é 😀 \\u2028 \\U000e0001"');
  });
});

describe('goRune (%#U)', () => {
  it('names the code point, with the character when printable', () => {
    expect(goRune(0x23)).toBe("U+0023 '#'");
    expect(goRune(0x7e)).toBe("U+007E '~'");
    expect(goRune(0x09)).toBe('U+0009');
    expect(goRune(0x1f600)).toBe("U+1F600 '😀'");
  });
});
