/** `-o`'s values: which printer each names, and kubectl's errors for the rest. */
import { describe, expect, it } from 'vitest';
import { daemonSets, nodes, pods } from '../resources.ts';
import { daemonSet, node, pod } from '../testing/objects.ts';
import { testNow } from '../testing/run.ts';
import { type OutputFormat, outputFormatOf, printGroups } from './output.ts';

const files: Record<string, string> = { 'names.tmpl': '{.items[*].metadata.name}\n', 'cols.txt': 'NAME NODE\n.metadata.name .spec.nodeName\n' };
const readFile = async (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  return text;
};

describe('outputFormatOf', () => {
  it.each([
    [undefined, { kind: 'table', wide: false }],
    ['wide', { kind: 'table', wide: true }],
    ['json', { kind: 'json' }],
    ['yaml', { kind: 'yaml' }],
    ['name', { kind: 'name' }],
  ])('%s', async (value, format) => {
    expect(await outputFormatOf(value, readFile)).toEqual(format);
  });

  it('parses jsonpath=, jsonpath-file=, custom-columns= and custom-columns-file=', async () => {
    expect(await outputFormatOf('jsonpath={.kind}', readFile)).toMatchObject({ kind: 'jsonpath', template: { source: '{.kind}' } });
    expect(await outputFormatOf('jsonpath-file=names.tmpl', readFile)).toMatchObject({ kind: 'jsonpath', template: { source: '{.items[*].metadata.name}\n' } });
    expect(await outputFormatOf('custom-columns=N:.metadata.name', readFile)).toMatchObject({ kind: 'custom-columns', columns: [{ header: 'N', fieldSpec: '{.metadata.name}' }] });
    expect(await outputFormatOf('custom-columns-file=cols.txt', readFile)).toMatchObject({ kind: 'custom-columns', columns: [{ header: 'NAME' }, { header: 'NODE' }] });
  });

  it.each([
    ['table', 'error: unable to match a printer suitable for the output format "table", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-file,name,wide,yaml'],
    ['json=x', 'error: unable to match a printer suitable for the output format "json=x", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-file,name,wide,yaml'],
    ['jsonpath', 'error: template format specified but no template given'],
    ['jsonpath=', 'error: template format specified but no template given'],
    ['jsonpath={.metadata.name', 'error: error parsing jsonpath {.metadata.name, unclosed action'],
    ['jsonpath={#}', "error: error parsing jsonpath {#}, unrecognized character in action: U+0023 '#'"],
    ['jsonpath-file=nofile', 'error: error reading --template nofile, open nofile: no such file or directory'],
    ['custom-columns', 'error: custom-columns format specified but no custom columns given'],
    ['custom-columns-file=nofile', 'error: error reading template nofile, open nofile: no such file or directory'],
  ])('refuses %s', async (value, message) => {
    await expect(outputFormatOf(value, readFile)).rejects.toThrow(message);
  });
});

describe('printGroups', () => {
  const options = (format: OutputFormat) => ({ format, allNamespaces: false, showLabels: false, now: testNow });
  const groups = [
    { type: daemonSets, items: [daemonSet('fluentd')] },
    { type: pods, items: [] },
    { type: nodes, items: [node('worker01')] },
  ];
  const print = (format: OutputFormat, how = { single: false, withKind: true }) => {
    let text = '';
    printGroups((t) => (text += t), options(format), groups, how);
    return text;
  };

  it('prints a table per kind that has objects, a blank line between, names prefixed with their kind', () => {
    expect(print({ kind: 'table', wide: false })).toBe(
      [
        'NAME                     DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE',
        'daemonset.apps/fluentd   0         0         0       0            0           <none>          5m',
        '',
        'NAME            STATUS   ROLES    AGE   VERSION',
        'node/worker01   Ready    <none>   2d    <none>',
        '',
      ].join('\n'),
    );
  });

  it('puts every kind in one List for json and jsonpath; -o name prefixes each name', async () => {
    expect(JSON.parse(print({ kind: 'json' })).items.map((o: { kind: string }) => o.kind)).toEqual(['DaemonSet', 'Node']);
    expect(print((await outputFormatOf('jsonpath={.items[*].kind}', readFile)) as OutputFormat)).toBe('DaemonSet Node');
    expect(print({ kind: 'name' })).toBe('daemonset.apps/fluentd\nnode/worker01\n');
  });

  it('adds LABELS last with --show-labels, after the wide columns', () => {
    let text = '';
    printGroups((t) => (text += t), { ...options({ kind: 'table', wide: true }), showLabels: true }, [{ type: pods, items: [pod('p', { nodeName: 'worker01' })] }], { single: false, withKind: false });
    expect(text.split('\n')[0]?.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES', 'LABELS']);
    expect(text.split('\n')[1]?.endsWith('   <none>')).toBe(true);
  });

  it('a jsonpath that fails prints kubectl\'s debugging error: the template and the object as Go sees it', async () => {
    const format = (await outputFormatOf('jsonpath={.metadata.name[0]}', readFile)) as OutputFormat;
    expect(() => print(format, { single: true, withKind: false })).toThrow(
      [
        'error: error executing jsonpath "{.metadata.name[0]}": Error executing template: string is not array or slice. Printing more information for debugging the template:',
        '\ttemplate was:',
        '\t\t{.metadata.name[0]}',
        '\tobject given to jsonpath engine was:',
        '\t\tmap[string]interface {}{"apiVersion":"apps/v1", "kind":"DaemonSet", "metadata":map[string]interface {}{"creationTimestamp":"2026-11-28T11:55:00Z", "name":"fluentd", "namespace":"default"}, "spec":map[string]interface {}{"selector":map[string]interface {}{"matchLabels":map[string]interface {}{"app":"fluentd"}}, "template":map[string]interface {}{"metadata":map[string]interface {}{"labels":map[string]interface {}{"app":"fluentd"}}, "spec":map[string]interface {}{"containers":[]interface {}{map[string]interface {}{"image":"registry.example/fluentd:1.0", "name":"fluentd"}}}}}}',
        '',
        '',
      ].join('\n'),
    );
  });
});
