/**
 * Go's `time.ParseDuration`, which kubectl's duration flags use
 * (`--timeout=1m30s`, `300ms`, `1.5h`, `0`): a sequence of decimal numbers
 * each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), with Go's error
 * texts. No npm package parses this grammar with these errors (they accept
 * bare numbers, spaces or other units), and scripts that pass kubectl's
 * flags expect kubectl's answers.
 */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const term = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** The duration `text` means, in milliseconds; throws with Go's message when it means none. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const [matched, whole = '', fraction, unit = ''] = term.exec(rest) as RegExpExecArray;
    if (whole === '' && (fraction ?? '') === '') throw new Error(`time: invalid duration ${quoted}`);
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const factor = unitMs[unit];
    if (factor === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(`${whole || '0'}.${fraction ?? '0'}`) * factor;
    rest = rest.slice(matched.length);
  }
  return sign * total;
}

/** RFC 3339 with a zone (`2026-11-28T12:00:00Z`, `…+01:00`, fractional seconds allowed). */
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A moment given as RFC 3339, or as a duration before `now` (kubectl's
 * `--since=1h`): milliseconds since the epoch. Throws with the reason when
 * `text` is neither, or is a negative duration.
 */
export function parseMoment(text: string, now: number): number {
  if (rfc3339.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  }
  let ago: number;
  try {
    ago = parseGoDuration(text);
  } catch {
    throw new Error(`must be an RFC 3339 time (2026-11-28T12:00:00Z) or a duration before now (1h, 30m, 90s), not ${JSON.stringify(text)}`);
  }
  if (ago < 0) throw new Error(`must not be a negative duration, not ${JSON.stringify(text)}`);
  return now - ago;
}
