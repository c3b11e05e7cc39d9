import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('@everynode/api’s schemas', () => {
  // A schema built at the top level of a module is built by every process that loads the package, used or not.
  it('are all declared lazily (a new eager one would slow every start)', () => {
    const dir = new URL('../packages/api/src/', import.meta.url);
    const eager: string[] = [];
    let lazy = 0;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n')) {
        const declared = /^(?:export )?const (\w+)\s*(?::[^=]+)?=\s*(.*)$/.exec(line);
        if (!declared) continue;
        const [, name, value] = declared as unknown as [string, string, string];
        if (value.startsWith('lazySchema(')) lazy++;
        else if (/^(z\.|\w+Schema\.|\w+Of\()/.test(value)) eager.push(`${file}: ${name}`);
      }
    }
    expect(eager).toEqual([]);
    expect(lazy).toBeGreaterThan(50);
  });
});
