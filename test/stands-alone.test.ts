/**
 * The repository stands alone: no tracked file — code, tests, scripts,
 * configuration, docs — names a path outside the checkout. Every relative
 * path written in a file (quoted, or a Markdown link) is resolved from
 * that file's directory and must stay inside the repository; no absolute
 * path into a machine's own directories (a workspace, a home) appears.
 * (test/e2e/built.e2e.test.ts installs and runs the programs from a
 * directory holding only the repository's files.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && !/\.(png|jpe?g|gif|ico|gz|zip|lock)$/.test(f) && f !== 'package-lock.json');

/** Relative paths in `text`: `../` at least once, quoted, in a Markdown link or after whitespace. */
const relativePaths = /(?<=['"`(\s=])((?:\.\.\/)+[^'"`)\s]*)/g;
/** Absolute paths into a machine's own directories rather than the system's. */
const machinePaths = /(?<=['"`(\s=])\/(?:work|home|Users|root|mnt|srv)\/[^'"`)\s]*/g;

/** Paths that look outside but are not, each with the reason. */
const notOutside: { file: string; path: string; why: string }[] = [
  { file: 'turbo.json', path: '../../tsconfig.base.json', why: "a task's inputs are relative to each package (packages/<name>/), two levels below the root" },
  { file: '.dependency-cruiser.mjs', path: '../../engine/src/...', why: 'an example, in a comment, of the import the rule forbids' },
  { file: 'Dockerfile', path: '/root/.npm', why: "npm's cache inside the image being built" },
  { file: 'README.md', path: '/home/you/.config/everynode/up/127.0.0.1_7700.json;', why: "an example of where `up` leaves a user's credentials" },
  { file: 'README.md', path: '/home/you/.config/everynode/up/127.0.0.1_7700.crt', why: "an example of where `up` leaves a user's certificate" },
];

function escapes(file: string, path: string): boolean {
  const target = resolve(root, dirname(file), path);
  const inside = relative(root, target);
  return inside.startsWith(`..${sep}`) || inside === '..';
}

describe('the repository stands alone', () => {
  it('checks every tracked text file (sanity: the list is the repository)', () => {
    expect(tracked).toContain('package.json');
    expect(tracked).toContain('test/stands-alone.test.ts');
    expect(tracked.length).toBeGreaterThan(100);
  });

  it('no file names a path outside the checkout', () => {
    const outside: string[] = [];
    for (const file of tracked) {
      const text = readFileSync(join(root, file), 'utf8');
      if (text.includes('\0')) continue; // binary
      text.split('\n').forEach((line, index) => {
        for (const [path] of line.matchAll(relativePaths)) if (escapes(file, path!)) outside.push(`${file}:${index + 1}: ${path}`);
        for (const [path] of line.matchAll(machinePaths)) outside.push(`${file}:${index + 1}: ${path}`);
      });
    }
    const known = new Set(notOutside.map((n) => `${n.file} ${n.path}`));
    // This file names the look-alikes themselves, in the list above.
    for (const n of notOutside) known.add(`test/stands-alone.test.ts ${n.path}`);
    expect(outside.filter((o) => !known.has(o.replace(/:\d+: /, ' ')))).toEqual([]);
  });

  it('the check finds what it looks for', () => {
    // The examples are put together here, so that this file itself names no path outside the repository.
    const up = (levels: number) => '../'.repeat(levels);
    // The two shapes a reference outside the repository took before this test existed: fixtures in a test, a link in the README.
    expect(escapes('packages/cli/src/manifests.test.ts', `${up(4)}beside/fixtures`)).toBe(true);
    const link = `${up(1)}beside/CONTRACT.md`;
    expect([...`see [the contract](${link})`.matchAll(relativePaths)].map((m) => m[1])).toEqual([link]);
    expect(escapes('README.md', link)).toBe(true);
    expect(escapes('packages/bridges/src/run.test.ts', `${up(3)}test/support/cluster.ts`)).toBe(false);
    const machinePath = ['', 'work', 'beside', 'x'].join('/');
    expect([...`readFileSync('${machinePath}')`.matchAll(machinePaths)].map((m) => m[0])).toEqual([machinePath]);
    expect([...`spawn('/usr/bin/kubectl')`.matchAll(machinePaths)]).toEqual([]);
  });
});
