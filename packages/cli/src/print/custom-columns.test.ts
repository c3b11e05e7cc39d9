/** `-o custom-columns` and `-o custom-columns-file`: parsing, cells and errors as kubectl 1.32 prints them. */
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { customColumnsTable, parseCustomColumns, parseCustomColumnsFile, relaxedJsonPath } from './custom-columns.ts';

const pods = [
  {
    metadata: { name: 'fluentd-a', labels: { app: 'fluentd', tier: 'logs' } },
    spec: { nodeName: 'worker01', containers: [{ name: 'fluentd' }, { name: 'sidecar' }], terminationGracePeriodSeconds: 30, affinity: { x: ['a', 'b'] } },
  },
  { metadata: { name: 'fluentd-b' }, spec: { containers: [{ name: 'fluentd' }] } },
];

/** The table printed, and kubectl's error if it ends in one. */
function table(spec: string, objects: readonly unknown[] = pods): { text: string; error?: string } {
  let text = '';
  try {
    customColumnsTable(parseCustomColumns(spec), objects, (t) => (text += t));
    return { text };
  } catch (error) {
    if (error instanceof CliError) return { text, error: error.message };
    throw error;
  }
}

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

describe('relaxedJsonPath (cli-runtime RelaxedJSONPathExpression)', () => {
  it.each([
    ['.metadata.name', '{.metadata.name}'],
    ['metadata.name', '{.metadata.name}'],
    ['{.metadata.name}', '{.metadata.name}'],
    ['{metadata.name}', '{.metadata.name}'],
    ['.spec.containers[*].name', '{.spec.containers[*].name}'],
    ['', ''],
  ])('%s → %s', (path, template) => {
    expect(relaxedJsonPath(path)).toBe(template);
  });

  it.each(['.metadata.name{', '{range .items[*]}{.name}{end}', '{.a}{.b}'])('refuses %s', (path) => {
    expect(() => relaxedJsonPath(path)).toThrow("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  });
});

describe('-o custom-columns=SPEC', () => {
  it('prints headers as written and one row per object, <none> where a path finds nothing', () => {
    expect(table('NAME:.metadata.name,NODE:.spec.nodeName')).toEqual({ text: lines('NAME        NODE', 'fluentd-a   worker01', 'fluentd-b   <none>') });
    expect(table('name:{.metadata.name},Node:spec.nodeName').text.split('\n')[0]).toBe('name        Node');
  });

  it('joins several results with commas and prints maps, slices and numbers as Go does', () => {
    expect(table('C:.spec.containers[*].name,L:.metadata.labels,A:.spec.affinity,G:.spec.terminationGracePeriodSeconds', pods.slice(0, 1))).toEqual({
      text: lines('C                 L                            A              G', 'fluentd,sidecar   map[app:fluentd tier:logs]   map[x:[a b]]   30'),
    });
  });

  it('splits a column on its first colon only: the rest is the path', () => {
    expect(table('a:b:c', pods.slice(0, 1))).toEqual({ text: lines('a', '<none>') });
  });

  it('keeps an empty header', () => {
    expect(table('NAME:.metadata.name,:.spec.nodeName', pods.slice(0, 1)).text).toBe(lines('NAME', 'fluentd-a   worker01'));
  });

  it('prints only the header for no objects', () => {
    expect(table('N:.metadata.name', [])).toEqual({ text: lines('N') });
  });

  it('stops at a path that fails on an object: the header (and rows before) printed, then the error', () => {
    expect(table('N:.metadata.name,X:.metadata.name[0]')).toEqual({ text: lines('N     X'), error: 'error: string is not array or slice' });
  });

  it.each([
    ['', 'error: custom-columns format specified but no custom columns given'],
    ['NAME', 'error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'],
    ['NAME:.metadata.name,NODE', 'error: unexpected custom-columns spec: NODE, expected <header>:<json-path-expr>'],
    ['N:.metadata.name{', "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"],
    ['N:.spec.containers[0', 'error: unterminated array'],
  ])('refuses %j', (spec, message) => {
    expect(() => parseCustomColumns(spec)).toThrow(message);
  });
});

describe('-o custom-columns-file=FILE', () => {
  it('reads a line of headers and a line of paths, split on whitespace', () => {
    const columns = parseCustomColumnsFile('NAME    NODE\n.metadata.name   {.spec.nodeName}\n');
    expect(columns.map((c) => [c.header, c.fieldSpec])).toEqual([
      ['NAME', '{.metadata.name}'],
      ['NODE', '{.spec.nodeName}'],
    ]);
  });

  it.each([
    ['', 'error: invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.'],
    ['NAME\n', 'error: invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.'],
    ['NAME RV\n.metadata.name\n', "error: number of headers (2) and field specifications (1) don't match"],
  ])('refuses %j', (text, message) => {
    expect(() => parseCustomColumnsFile(text)).toThrow(message);
  });
});
