import { describe, expect, it } from 'vitest';
import { filterList, metadataFields, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { StatusError } from './status.ts';

const item = (name: string, labels: Record<string, string>, namespace = 'default') => ({ metadata: { name, namespace, labels } });

describe('parseLabelSelector', () => {
  it('reads every form kubectl accepts into a LabelSelector', () => {
    expect(parseLabelSelector('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g')).toEqual({
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['1'] },
        { key: 'b', operator: 'In', values: ['2'] },
        { key: 'c', operator: 'NotIn', values: ['3'] },
        { key: 'd', operator: 'In', values: ['x', 'y'] },
        { key: 'e', operator: 'NotIn', values: ['z'] },
        { key: 'f', operator: 'Exists' },
        { key: 'g', operator: 'DoesNotExist' },
      ],
    });
    expect(parseLabelSelector('  ')).toEqual({});
  });

  it('refuses what does not parse with a 400 naming the requirement', () => {
    const attempt = () => parseLabelSelector('a in b');
    expect(attempt).toThrow(StatusError);
    expect(attempt).toThrow('unable to parse requirement "a in b" in labelSelector "a in b"');
    expect(() => parseLabelSelector('a=b c')).toThrow(StatusError);
  });
});

describe('filterList', () => {
  const items = [item('one', { app: 'x', tier: 'web' }), item('two', { app: 'y' }), item('three', {}, 'other')];
  const names = (query: { labelSelector?: string; fieldSelector?: string }) => filterList(items, query, metadataFields).map((i) => i.metadata.name);

  it('selects by labels as selectorMatches does: != and notin also hold when the label is absent', () => {
    expect(names({ labelSelector: 'app=x' })).toEqual(['one']);
    expect(names({ labelSelector: 'app!=x' })).toEqual(['two', 'three']);
    expect(names({ labelSelector: 'tier,app in (x,y)' })).toEqual(['one']);
    expect(names({ labelSelector: '!app' })).toEqual(['three']);
    expect(names({})).toEqual(['one', 'two', 'three']);
  });

  it('selects by metadata fields, and both selectors together', () => {
    expect(names({ fieldSelector: 'metadata.name=two' })).toEqual(['two']);
    expect(names({ fieldSelector: 'metadata.namespace!=default' })).toEqual(['three']);
    expect(names({ fieldSelector: 'metadata.namespace=default', labelSelector: 'app' })).toEqual(['one', 'two']);
  });
});

describe('parseFieldSelector', () => {
  it('unescapes values and refuses unsupported fields as upstream words it', () => {
    const matches = parseFieldSelector(String.raw`metadata.name=a\,b`, metadataFields);
    expect(matches(item('a,b', {}))).toBe(true);
    expect(() => parseFieldSelector('spec.nodeName=x', metadataFields)).toThrow('field label not supported: spec.nodeName');
    expect(() => parseFieldSelector('metadata.name', metadataFields)).toThrow(StatusError);
  });
});
