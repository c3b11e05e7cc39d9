import { describe, expect, it } from 'vitest';
import { ageOf, humanDuration } from './age.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each([
    // in the future: up to 2 s of skew reads as now
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [-1, '0s'],
    // < 2m: seconds
    [0, '0s'],
    [999, '0s'],
    [95 * s, '95s'],
    [2 * m - 1, '119s'],
    // < 10m: minutes and seconds, seconds dropped when zero
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [10 * m - 1, '9m59s'],
    // < 3h: minutes
    [10 * m, '10m'],
    [45 * m, '45m'],
    [3 * h - 1, '179m'],
    // < 8h: hours and minutes
    [3 * h, '3h'],
    [5 * h + 10 * m, '5h10m'],
    [8 * h - 1, '7h59m'],
    // < 48h: hours
    [8 * h, '8h'],
    [30 * h, '30h'],
    [48 * h - 1, '47h'],
    // < 8d: days and hours
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d - 1, '7d23h'],
    // < 2y: days
    [8 * d, '8d'],
    [200 * d, '200d'],
    [2 * y - 1, '729d'],
    // < 8y: years and days
    [2 * y, '2y'],
    [2 * y + 30 * d, '2y30d'],
    [8 * y - 1, '7y364d'],
    // beyond: years
    [8 * y, '8y'],
    [123 * y + 5 * d, '123y'],
  ])('%i ms → %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('ageOf (translateTimestampSince)', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  it('measures from creationTimestamp to now', () => {
    expect(ageOf('2026-11-28T11:55:00Z', now)).toBe('5m');
  });
  it('prints <unknown> without a timestamp', () => {
    expect(ageOf(undefined, now)).toBe('<unknown>');
    expect(ageOf('not a time', now)).toBe('<unknown>');
  });
});
