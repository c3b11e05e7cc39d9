/** What a watch sends between two readings, given what the client holds and what is there now. */
import { describe, expect, it } from 'vitest';
import { applyChanges, changesBetween, type Comparison, rvDiffers } from './watch-diff.ts';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}

const obj = (name: string, rv: number, labels?: Record<string, string>): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: String(rv), ...(labels ? { labels } : {}) } });
const held = (...objects: Obj[]) => new Map(objects.map((o) => [`ns/${o.metadata.name}`, o]));
const how = (overrides: Partial<Comparison<Obj>> = {}): Comparison<Obj> => ({ selects: () => true, differs: rvDiffers, removedAt: () => undefined, lastSeq: 100, ...overrides });
const summary = (changes: { type: string; object: Obj; rv: number }[]) => changes.map((c) => `${c.type} ${c.object.metadata.name}@${c.object.metadata.resourceVersion}`);

describe('changesBetween', () => {
  it('given nothing held, when objects are there, then each is ADDED in resourceVersion order', () => {
    expect(summary(changesBetween(new Map(), [obj('b', 7), obj('a', 9), obj('c', 3)], how()))).toEqual(['ADDED c@3', 'ADDED b@7', 'ADDED a@9']);
  });

  it('given objects held, when one changed and one did not, then only the changed one is MODIFIED', () => {
    expect(summary(changesBetween(held(obj('a', 5), obj('b', 6)), [obj('a', 5), obj('b', 12)], how()))).toEqual(['MODIFIED b@12']);
  });

  it('given an object held, when it is gone, then it is DELETED as it was last sent, with the seq that removed it', () => {
    const changes = changesBetween(held(obj('a', 5, { app: 'x' })), [], how({ removedAt: (key) => (key === 'ns/a' ? 42 : undefined) }));
    expect(summary(changes)).toEqual(['DELETED a@42']);
    expect(changes[0]?.object.metadata.labels).toEqual({ app: 'x' });
  });

  it('given a removal seq no later than what the client holds (no tombstone kept), then the read seq stands for it', () => {
    expect(summary(changesBetween(held(obj('a', 50)), [], how({ removedAt: () => 10 })))).toEqual(['DELETED a@100']);
  });

  it('given an object held, when the selector no longer selects it, then it is DELETED with its last sent state and the new resourceVersion', () => {
    const changes = changesBetween(held(obj('a', 5, { app: 'x' })), [obj('a', 8, { app: 'y' })], how({ selects: (o) => o.metadata.labels?.app === 'x' }));
    expect(summary(changes)).toEqual(['DELETED a@8']);
    expect(changes[0]?.object.metadata.labels).toEqual({ app: 'x' });
  });

  it('given an object not held, when it starts to match, then it is ADDED; one that never matched is not sent', () => {
    const selects = (o: Obj) => o.metadata.labels?.app === 'x';
    expect(summary(changesBetween(new Map(), [obj('a', 8, { app: 'x' }), obj('b', 9, { app: 'y' })], how({ selects })))).toEqual(['ADDED a@8']);
  });

  it('coalesces: several changes are one event per object, deletions and changes interleaved by resourceVersion', () => {
    const changes = changesBetween(held(obj('a', 1), obj('b', 2), obj('c', 3)), [obj('b', 20), obj('d', 15)], how({ removedAt: (key) => ({ 'ns/a': 30, 'ns/c': 10 })[key] }));
    expect(summary(changes)).toEqual(['DELETED c@10', 'ADDED d@15', 'MODIFIED b@20', 'DELETED a@30']);
  });

  it('with a content comparison, an object whose resourceVersion moved but whose content did not is not sent', () => {
    const differs = (a: Obj, b: Obj) => JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels);
    expect(changesBetween(held(obj('a', 1, { k: 'v' })), [obj('a', 9, { k: 'v' })], how({ differs }))).toEqual([]);
  });

  it('applied, the changes leave the client holding exactly what is selected now: the same reading twice sends nothing', () => {
    const present = [obj('b', 20), obj('d', 15)];
    const comparison = how({ removedAt: () => 30 });
    const after = applyChanges(held(obj('a', 1), obj('b', 2)), changesBetween(held(obj('a', 1), obj('b', 2)), present, comparison));
    expect([...after.keys()].sort()).toEqual(['ns/b', 'ns/d']);
    expect(changesBetween(after, present, comparison)).toEqual([]);
  });
});
