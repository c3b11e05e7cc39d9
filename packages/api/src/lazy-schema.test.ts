import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { PodSchema, PodSpecSchema } from './pod.ts';

describe('lazySchema', () => {
  it('builds its schema on the first read, once, and then behaves as it', () => {
    let builds = 0;
    const Inner = lazySchema(() => {
      builds++;
      return z.looseObject({ name: z.string().min(1) });
    });
    const Outer = lazySchema(() => z.object({ inner: Inner, count: z.number().int() }));
    expect(builds).toBe(0);

    expect(Outer.parse({ inner: { name: 'a', extra: 1 }, count: 2 })).toEqual({ inner: { name: 'a', extra: 1 }, count: 2 });
    expect(builds).toBe(1);
    const refused = Outer.safeParse({ inner: { name: '' }, count: 1.5 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['inner.name', 'count']);

    expect(Outer).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(Outer.shape)).toEqual(['inner', 'count']);
    expect('parse' in Outer).toBe(true);
    expect(Outer.extend({ more: z.boolean() }).parse({ inner: { name: 'b' }, count: 0, more: true })).toEqual({ inner: { name: 'b' }, count: 0, more: true });
    expect(builds).toBe(1);
  });

  it('keeps the package’s own schemas whole: a pod parses, defaults and refuses as before', () => {
    const pod = PodSchema.parse({ metadata: { name: 'p' }, spec: { nodeName: 'n', containers: [{ name: 'c', image: 'i' }] } });
    expect(pod).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } });
    expect(PodSpecSchema.safeParse({ containers: 'no' }).error?.issues[0]?.path).toEqual(['containers']);
  });
});
