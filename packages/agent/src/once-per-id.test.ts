import { describe, expect, it } from 'vitest';
import { OncePerId } from './once-per-id.ts';

describe('OncePerId', () => {
  it('runs an id once and drops the copies', async () => {
    const once = new OncePerId(10);
    let runs = 0;
    const work = async () => void runs++;

    expect(await once.run('a', work)).toBe('executed');
    expect(await once.run('a', work)).toBe('duplicate');
    expect(runs).toBe(1);
  });

  it('makes a copy that arrives mid-run wait for the original, then drops it', async () => {
    const once = new OncePerId(10);
    let runs = 0;
    const work = () => new Promise<void>((resolve) => setTimeout(() => resolve(void runs++), 20));

    expect(await Promise.all([once.run('a', work), once.run('a', work)])).toEqual(['executed', 'duplicate']);
    expect(runs).toBe(1);
  });

  it('runs a copy again when the original failed', async () => {
    const once = new OncePerId(10);
    const failing = once.run('a', async () => {
      throw new Error('redis down');
    });
    const copy = once.run('a', async () => undefined);

    await expect(failing).rejects.toThrow('redis down');
    expect(await copy).toBe('executed');
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const once = new OncePerId(2);
    const work = async () => undefined;
    for (const id of ['a', 'b', 'c']) await once.run(id, work);

    expect(await once.run('c', work)).toBe('duplicate');
    expect(await once.run('a', work)).toBe('executed');
  });
});
