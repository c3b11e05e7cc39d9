/**
 * How Go's `fmt` prints the values kubectl's JSONPath works on (decoded
 * JSON: `map[string]interface {}`, `[]interface {}`, string, int64 for
 * integral numbers, float64 otherwise, bool, nil), so that `-o jsonpath`,
 * `-o custom-columns` and their error messages read as kubectl's do:
 * `%v` (`goValue`), `%#v` (`goSyntax`), a value's type (`goType`),
 * `strconv.Quote` (`goQuote`) and `%#U` (`goRune`).
 */

/** `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): e-notation when the exponent is below -4 or 6 and up (`1e+06`, `1.5e-05`). */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // The shortest digits that read back as `value`, and the decimal exponent.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(value);
}

/** A number as Go holds it after decoding JSON into `interface{}` the way kubectl does: integral → int64, else float64. */
function goNumber(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? BigInt(value).toString() : goFloat(value);
}

/** A map's keys in Go's printing order (sorted), leaving out those JSON would leave out (undefined). */
function definedKeys(value: object): string[] {
  return Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort();
}

/** `fmt.Sprint(value)` (`%v`): maps as `map[k:v …]` in key order, slices as `[a b]`, nil as `<nil>`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = definedKeys(value).map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** `fmt.Sprintf("%#v", value)`: Go syntax, `map[string]interface {}{"k":v, …}`, `[]interface {}{…}`. */
export function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = definedKeys(value).map((key) => `${goQuote(key)}:${goSyntax((value as Record<string, unknown>)[key])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  return String(value);
}

/** The Go type of a decoded JSON value, as `%v` of `reflect.Type` prints it. */
export function goType(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function goIsPrint(codePoint: number): boolean {
  return codePoint === 0x20 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(codePoint));
}

const shortEscapes: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x22: '\\"', 0x5c: '\\\\' };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `strconv.Quote`: double-quoted, Go escapes for what is not printable. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    const short = shortEscapes[cp];
    if (short !== undefined) out += short;
    else if (goIsPrint(cp)) out += char;
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/** `fmt.Sprintf("%#U", r)`: `U+0023 '#'`, the character left out when it is not printable. */
export function goRune(codePoint: number): string {
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return goIsPrint(codePoint) ? `${code} '${String.fromCodePoint(codePoint)}'` : code;
}
