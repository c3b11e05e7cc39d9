import { describe, expect, it } from 'vitest';
import { daemonSets } from '../resources.ts';
import { daemonSet } from '../testing/objects.ts';
import { testNow } from '../testing/run.ts';
import { formatObjects } from './output.ts';

const request = { type: daemonSets, allNamespaces: false, showLabels: false, now: testNow } as const;
const items = [daemonSet('a'), daemonSet('b')];

describe('-o json', () => {
  it('wraps a collection in a v1 List, keys sorted as kubectl prints them, indented by 4', () => {
    const text = formatObjects({ ...request, format: { kind: 'json' } }, items, false);
    expect(JSON.parse(text)).toEqual({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });
    expect(text.startsWith('{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "apiVersion": "apps/v1",\n')).toBe(true);
    expect(text.endsWith('    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')).toBe(true);
  });

  it('prints one object as itself, with apiVersion and kind', () => {
    const { apiVersion: _a, kind: _k, ...bare } = daemonSet('a');
    const printed = JSON.parse(formatObjects({ ...request, format: { kind: 'json' } }, [bare as never], true)) as Record<string, unknown>;
    expect(printed).toMatchObject({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a' } });
  });
});

describe('-o yaml', () => {
  it('prints a collection as one kind: List, sequences unindented as go-yaml writes them', () => {
    const text = formatObjects({ ...request, format: { kind: 'yaml' } }, items.slice(0, 1), false);
    expect(text.startsWith('apiVersion: v1\nitems:\n- apiVersion: apps/v1\n  kind: DaemonSet\n')).toBe(true);
    expect(text.endsWith('kind: List\nmetadata:\n  resourceVersion: ""\n')).toBe(true);
  });
});

describe('-o name', () => {
  it('prints resource.group/name per object', () => {
    expect(formatObjects({ ...request, format: { kind: 'name' } }, items, false)).toBe('daemonset.apps/a\ndaemonset.apps/b\n');
  });
});
