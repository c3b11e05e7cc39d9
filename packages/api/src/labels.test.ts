import { describe, expect, it } from 'vitest';
import { formatLabels, formatLabelSelector, isEmptySelector, selectorMatches } from './labels.ts';

describe('label selectors', () => {
  it('match labels and expressions (ANDed); an unknown operator matches nothing', () => {
    const selector = { matchLabels: { app: 'f' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'gone', operator: 'DoesNotExist' }] };
    expect(selectorMatches(selector, { app: 'f', tier: 'a' })).toBe(true);
    expect(selectorMatches(selector, { app: 'f', tier: 'c' })).toBe(false);
    expect(selectorMatches(selector, { app: 'f', tier: 'a', gone: '' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }, { x: '1' })).toBe(false);
    expect(selectorMatches(undefined, { app: 'f' })).toBe(false);
    expect(isEmptySelector({})).toBe(true);
  });

  it('format as kubectl prints them: requirements sorted by key, <none> when empty', () => {
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels({})).toBe('<none>');
    expect(
      formatLabelSelector({ matchLabels: { zone: 'z', app: 'f' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['b', 'a'] }, { key: 'beta', operator: 'Exists' }] }),
    ).toBe('app=f,beta,tier notin (a,b),zone=z');
    expect(formatLabelSelector({})).toBe('<none>');
  });
});
