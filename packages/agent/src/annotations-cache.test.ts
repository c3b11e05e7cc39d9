import { describe, expect, it } from 'vitest';
import { AnnotationsCache } from './annotations-cache.ts';

describe('AnnotationsCache', () => {
  function counting(annotations: Record<string, string> | undefined) {
    const calls: string[] = [];
    const lookup = async (node: string) => {
      calls.push(node);
      return annotations;
    };
    return { calls, lookup };
  }

  it('asks once per node within the TTL, and again after it', async () => {
    let now = 0;
    const { calls, lookup } = counting({ a: 'b' });
    const cache = new AnnotationsCache(lookup, 1000, () => now);

    await Promise.all([cache.get('n1'), cache.get('n1')]);
    now = 999;
    expect(await cache.get('n1')).toEqual({ a: 'b' });
    now = 1000;
    await cache.get('n1');

    expect(calls).toEqual(['n1', 'n1']);
  });

  it('does not remember a failed lookup', async () => {
    let fail = true;
    const cache = new AnnotationsCache(
      async () => {
        if (fail) throw new Error('projection unavailable');
        return { ok: 'yes' };
      },
      1000,
      () => 0,
    );

    await expect(cache.get('n1')).rejects.toThrow('projection unavailable');
    fail = false;
    expect(await cache.get('n1')).toEqual({ ok: 'yes' });
  });
});
