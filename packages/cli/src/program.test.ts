/** The program itself: bare `everynode`, words that are no command, global flags before the verb. */
import { describe, expect, it } from 'vitest';
import { levenshtein } from './program.ts';
import { runEverynode } from './testing/run.ts';

describe('everynode with no command', () => {
  it('prints the help on stdout and exits 0, as kubectl does', async () => {
    const result = await runEverynode([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith('Usage: everynode [options] [command]\n')).toBe(true);
    expect(result.stdout).toMatch(/^ {2}get \[options\] \[resources\.\.\.\] +Display DaemonSets, nodes or pods$/m);
    expect(result.stdout).toMatch(/^ {2}completion \[shell\] /m);
  });

  it('global flags alone print the help too', async () => {
    expect(await runEverynode(['-n', 'kube-system'])).toMatchObject({ code: 0, stderr: '', stdout: expect.stringContaining('Usage: everynode') });
  });
});

describe('an unknown command', () => {
  it("is cobra's error with suggestions within two edits, exit 1", async () => {
    expect(await runEverynode(['gett'])).toEqual({ code: 1, stdout: '', stderr: 'Error: unknown command "gett" for "everynode"\n\nDid you mean this?\n\tget\n\n' });
    expect(await runEverynode(['rolout', 'status'])).toEqual({ code: 1, stdout: '', stderr: 'Error: unknown command "rolout" for "everynode"\n\nDid you mean this?\n\trollout\n\n' });
    expect(await runEverynode(['lable'])).toMatchObject({ stderr: 'Error: unknown command "lable" for "everynode"\n\nDid you mean this?\n\tlabel\n\n' });
  });

  it('suggests commands the word begins, and nothing when nothing is near', async () => {
    expect((await runEverynode(['comp'])).stderr).toBe('Error: unknown command "comp" for "everynode"\n\nDid you mean this?\n\tcompletion\n\n');
    expect(await runEverynode(['xyzzy'])).toEqual({ code: 1, stdout: '', stderr: 'Error: unknown command "xyzzy" for "everynode"\n' });
  });
});

describe('levenshtein', () => {
  it.each([
    ['get', 'get', 0],
    ['gett', 'get', 1],
    ['gett', 'set', 2],
    ['foo', 'top', 2],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s: %i', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
  });
});

describe('flag and subcommand errors, in kubectl words', () => {
  it('an unknown flag names the command whose help to read', async () => {
    expect(await runEverynode(['get', 'ds', '--bogus'])).toEqual({ code: 1, stdout: '', stderr: "Error: unknown flag: --bogus\nSee 'everynode get --help' for usage.\n" });
    expect(await runEverynode(['rollout', 'status', 'ds/x', '-q'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "Error: unknown shorthand flag: 'q' in -q\nSee 'everynode rollout status --help' for usage.\n",
    });
  });

  it('an unknown subcommand of a command group', async () => {
    expect(await runEverynode(['rollout', 'foo'])).toEqual({ code: 1, stdout: '', stderr: "error: unknown command \"foo\"\nSee 'everynode rollout -h' for help and examples\n" });
  });
});
