/**
 * Golden histories, replayed: each recorded log under test/fixtures/golden
 * is imported into a fresh prefix, must verify, and must produce its stored
 * expected state. A failure is a change in semantics: if it is intended,
 * `npm run golden:update` rewrites the expectations (review their diff).
 */
import { describe, expect, it } from 'vitest';
import { expectedOf, goldenNames, replayGolden } from './support/golden.ts';

describe('golden histories', () => {
  it('has recorded histories', () => {
    expect(goldenNames().length).toBeGreaterThan(0);
  });

  for (const name of goldenNames()) {
    it(`${name}: imports, verifies, and replays to its expected state`, async () => {
      const { state, differences } = await replayGolden(name);
      expect(differences, 'the imported projection differs from the replay').toEqual([]);
      // toEqual prints a field-by-field diff of the normalised state on a mismatch.
      expect(state, `${name}.jsonl no longer replays to ${name}.expected.json (intended? npm run golden:update)`).toEqual(expectedOf(name));
    });
  }
});
