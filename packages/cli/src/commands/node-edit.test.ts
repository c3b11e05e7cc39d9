import { describe, expect, it } from 'vitest';
import type { Node } from '@everynode/api';
import { cannedServerPerTest, notFound } from '../testing/canned-server.ts';
import { node } from '../testing/objects.ts';
import { runEverynode } from '../testing/run.ts';

const canned = cannedServerPerTest();

/** A node API holding `stored`: GET answers it, PUT replaces it. */
async function serveNode(stored: Node): Promise<{ current: () => Node; puts: () => number }> {
  let current = stored;
  let puts = 0;
  await canned.serve({
    [`GET /api/v1/nodes/${stored.metadata.name}`]: () => ({ status: 200, body: current }),
    [`PUT /api/v1/nodes/${stored.metadata.name}`]: (r) => {
      puts++;
      current = r.body as Node;
      return { status: 200, body: current };
    },
  });
  return { current: () => current, puts: () => puts };
}

const run = (...args: string[]) => runEverynode([...args, '--server', canned.current?.url ?? '']);

function withTaints(taints: NonNullable<Node['spec']>['taints']): Node {
  const n = node('w1');
  return { ...n, spec: { taints } };
}

describe('everynode label node', () => {
  it('adds a label, then needs --overwrite to change it, and says when nothing changed', async () => {
    const api = await serveNode(node('w1'));
    expect(await run('label', 'node', 'w1', 'disktype=ssd')).toEqual({ code: 0, stdout: 'node/w1 labeled\n', stderr: '' });
    expect(api.current().metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'w1', disktype: 'ssd' });
    expect(await run('label', 'node', 'w1', 'disktype=nvme')).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: 'disktype' already has a value (ssd), and --overwrite is false\n",
    });
    expect((await run('label', 'node/w1', 'disktype=nvme', '--overwrite')).stdout).toBe('node/w1 labeled\n');
    expect(api.current().metadata.labels?.disktype).toBe('nvme');
    const puts = api.puts();
    expect((await run('label', 'node', 'w1', 'disktype=nvme')).stdout).toBe('node/w1 not labeled\n');
    expect(api.puts()).toBe(puts);
  });

  it('removes with k- (unlabeled), and notes a label that was not there', async () => {
    const api = await serveNode(node('w1'));
    await run('label', 'node', 'w1', 'zone=a');
    expect((await run('label', 'node', 'w1', 'zone-')).stdout).toBe('node/w1 unlabeled\n');
    expect(api.current().metadata.labels).toEqual({ 'kubernetes.io/hostname': 'w1' });
    expect((await run('label', 'node', 'w1', 'zone-')).stdout).toBe('label "zone" not found.\nnode/w1 not labeled\n');
  });

  it("refuses kubectl's bad label arguments", async () => {
    await serveNode(node('w1'));
    expect((await run('label', 'node', 'w1', 'a=b=c')).stderr).toBe('error: invalid label spec: a=b=c\n');
    expect((await run('label', 'node', 'w1', 'a=b', 'a-')).stderr).toBe('error: can not both modify and remove a label in the same command\n');
    expect((await run('label', 'node', 'w1', 'a=b', 'w2')).stderr).toBe('error: all resources must be specified before label changes: w2\n');
    expect((await run('label', 'node', 'w1')).stderr).toBe('error: at least one label update is required\n');
    expect((await run('label', 'node', 'w1', 'a=bad value')).stderr).toMatch(/^error: invalid label value: "a=bad value": /);
  });

  it('reports a missing node as NotFound', async () => {
    await canned.serve({ 'GET /api/v1/nodes/nope': () => notFound('nodes', 'nope') });
    expect(await run('label', 'node', 'nope', 'a=b')).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): nodes "nope" not found\n' });
  });
});

describe('everynode taint node', () => {
  it('adds a taint, refuses the same key and effect without --overwrite, replaces it with', async () => {
    const api = await serveNode(node('w1'));
    expect(await run('taint', 'node', 'w1', 'dedicated=db:NoSchedule')).toEqual({ code: 0, stdout: 'node/w1 tainted\n', stderr: '' });
    expect(api.current().spec?.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    expect(await run('taint', 'node', 'w1', 'dedicated=web:NoSchedule')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: node w1 already has dedicated taint(s) with same effect(s) and --overwrite is false\n',
    });
    expect((await run('taint', 'nodes', 'w1', 'dedicated=web:NoSchedule', '--overwrite')).stdout).toBe('node/w1 modified\n');
    expect(api.current().spec?.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]);
  });

  it('removes by key and effect, or every effect of a key, and fails on one that is not there', async () => {
    const api = await serveNode(
      withTaints([
        { key: 'a', effect: 'NoSchedule' },
        { key: 'a', effect: 'NoExecute' },
        { key: 'b', effect: 'NoSchedule' },
      ]),
    );
    expect((await run('taint', 'node', 'w1', 'a:NoExecute-')).stdout).toBe('node/w1 untainted\n');
    expect(api.current().spec?.taints).toEqual([{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }]);
    expect((await run('taint', 'node', 'w1', 'a-', 'b-')).stdout).toBe('node/w1 untainted\n');
    expect(api.current().spec).toEqual({});
    const puts = api.puts();
    expect(await run('taint', 'node', 'w1', 'gpu:NoSchedule-')).toEqual({ code: 1, stdout: '', stderr: 'error: taint "gpu:NoSchedule" not found\n' });
    expect(api.puts()).toBe(puts);
  });

  it('names a bad effect and a bad spec', async () => {
    await serveNode(node('w1'));
    expect((await run('taint', 'node', 'w1', 'k=v:Sometimes')).stderr).toBe('error: invalid taint effect: Sometimes, unsupported taint effect\n');
    // As kubectl's parseTaint: without `:`, all of `k=v` is the key, which is not a qualified name.
    expect((await run('taint', 'node', 'w1', 'k=v')).stderr).toMatch(/^error: invalid taint spec: k=v, name part must consist of alphanumeric characters/);
    expect((await run('taint', 'node', 'w1', 'k:')).stderr).toBe('error: invalid taint effect: , unsupported taint effect\n');
    expect((await run('taint', 'node', 'w1', 'a:NoSchedule', 'a-')).stderr).toBe(
      'error: can not both modify and remove the following taint(s) in the same command: a\n',
    );
    expect((await run('taint', 'ds', 'x', 'a:NoSchedule')).stderr).toBe('error: invalid resource type ds, only node types are supported\n');
  });
});

describe('everynode cordon / uncordon', () => {
  it('sets and clears spec.unschedulable, and says when it already was', async () => {
    const api = await serveNode(node('w1'));
    expect(await run('cordon', 'w1')).toEqual({ code: 0, stdout: 'node/w1 cordoned\n', stderr: '' });
    expect(api.current().spec).toEqual({ unschedulable: true });
    expect((await run('cordon', 'w1')).stdout).toBe('node/w1 already cordoned\n');
    expect((await run('uncordon', 'w1')).stdout).toBe('node/w1 uncordoned\n');
    expect(api.current().spec).toEqual({});
    expect((await run('uncordon', 'w1')).stdout).toBe('node/w1 already uncordoned\n');
    expect(api.puts()).toBe(2);
  });

  it('reports a missing node as NotFound', async () => {
    await canned.serve({ 'GET /api/v1/nodes/nope': () => notFound('nodes', 'nope') });
    expect(await run('cordon', 'nope')).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): nodes "nope" not found\n' });
  });
});
