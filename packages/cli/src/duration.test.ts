import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['.5s', 500],
    ['+1s', 1000],
    ['-1s', -1000],
    ['1h2m3s4ms', 3_723_004],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['60', 'time: missing unit in duration "60"'],
    ['60x', 'time: unknown unit "x" in duration "60x"'],
    ['1m30', 'time: missing unit in duration "1m30"'],
    ['.s', 'time: invalid duration ".s"'],
  ])('refuses %j as Go does', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });
});
