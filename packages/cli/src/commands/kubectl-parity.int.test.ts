/**
 * The kubectl habits of issue 14, against a real cluster (`up --simulate`'s,
 * on the shared Redis under a prefix of its own) with the seed applied: the
 * CLI in-process, and — where kubectl has the same command — a real kubectl
 * run against the same API, its output the expected one: `-o jsonpath`
 * (range, literals, filters, and the error that dumps the object),
 * `-o custom-columns`, `--field-selector` (and the server's refusal),
 * `get ds,po`, `--show-labels`, `-n` before the verb, `version`, `delete -f`
 * with its NotFound lines and `--ignore-not-found`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../../../../test/support/cluster.ts';
import { type Kubectl, kubectlFor, kubectlsUnderTest } from '../../../../test/support/kubectl.ts';
import { type LocalCluster, startLocalCluster } from '../local-cluster.ts';
import { runEverynode } from '../testing/run.ts';
import { cliVersion } from '../version-info.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../../test/fixtures/${name}`, import.meta.url));
const seedNodes = ['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'];
const dir = mkdtempSync(join(tmpdir(), 'everynode-parity-'));

let cluster: LocalCluster;
/** The kubectl whose strings the CLI matches (1.32, or the one KUBECTL names). */
let kubectl: Kubectl;

/** `everynode …args` against the cluster, in this process. */
const everynode = (...args: string[]) => runEverynode(args, { env: { EVERYNODE_SERVER: cluster.url }, cwd: dir, now: () => new Date() });

/** A table's rows as cells, the AGE column left out (it moves between two runs). */
function withoutAge(table: string): string[][] {
  return table.split('\n\n').flatMap((block) => {
    const lines = block.split('\n').filter((l) => l !== '');
    const age = lines[0]?.split(/\s{2,}/).indexOf('AGE') ?? -1;
    return lines.map((line) => line.split(/\s{2,}/).filter((_, i) => i !== age));
  });
}

beforeAll(async () => {
  cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('cli-parity'), redisUrl, logger: quietLogger });
  const binaries = kubectlsUnderTest();
  const binary = binaries.find((b) => (b.minor ?? 0) >= 32) ?? binaries.at(-1);
  if (binary === undefined) throw new Error('no kubectl to compare with');
  kubectl = kubectlFor(cluster.url, binary);
  expect(await everynode('apply', '-f', fixture('cluster-6-nodes.yaml'))).toMatchObject({ code: 0 });
  expect(await everynode('apply', '-f', fixture('fluentd-daemonset.yaml'))).toMatchObject({ code: 0 });
  await eventually(async () => {
    const phases = (await everynode('-n', 'kube-system', 'get', 'pods', '-o', 'jsonpath={.items[*].status.phase}')).stdout.split(' ');
    return phases.length === 6 && phases.every((p) => p === 'Running');
  }, 30_000, 'six Running pods');
}, 90_000);

afterAll(async () => {
  kubectl?.cleanup();
  rmSync(dir, { recursive: true, force: true });
  if (!cluster) return;
  const prefix = cluster.engine.prefix;
  await cluster.stop();
  await destroyPrefix(prefix);
});

describe('everynode against a real cluster, kubectl as the reference', () => {
  it('-o jsonpath with range, literals and a filter prints what kubectl prints', async () => {
    for (const template of [
      '{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}',
      '{.items[*].metadata.name}',
      '{.items[?(@.spec.nodeName=="worker01")].metadata.labels}',
      '{.items[0].spec.containers[0].volumeMounts[*].mountPath} {.items[-1:].status.conditions[?(@.type=="Ready")].status}',
      '{.kind}{"\\n"}',
    ]) {
      const ours = await everynode('-n', 'kube-system', 'get', 'pods', '-o', `jsonpath=${template}`);
      const theirs = await kubectl('get', 'pods', '-n', 'kube-system', '-o', `jsonpath=${template}`);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(ours, template).toEqual({ code: 0, stdout: theirs.stdout, stderr: '' });
    }
    const nodes = (await everynode('get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}')).stdout;
    expect(nodes.trim().split('\n').sort()).toEqual(seedNodes);
  });

  it('a template that fails says so as kubectl does, down to the object given to the engine', async () => {
    const template = '{.spec.nodeName[0]}';
    const pod = (await everynode('-n', 'kube-system', 'get', 'pods', '-o', 'jsonpath={.items[0].metadata.name}')).stdout;
    const ours = await everynode('get', 'pod', pod, '-n', 'kube-system', '-o', `jsonpath=${template}`);
    const theirs = await kubectl('get', 'pod', pod, '-n', 'kube-system', '-o', `jsonpath=${template}`);
    expect(theirs.code).toBe(1);
    expect(ours).toEqual({ code: 1, stdout: '', stderr: theirs.stderr });
    expect(ours.stderr.split('\n').slice(0, 3)).toEqual([
      'error: error executing jsonpath "{.spec.nodeName[0]}": Error executing template: string is not array or slice. Printing more information for debugging the template:',
      '\ttemplate was:',
      '\t\t{.spec.nodeName[0]}',
    ]);
  });

  it('-o custom-columns and --field-selector (=, !=, several terms) print what kubectl prints', async () => {
    for (const selector of ['spec.nodeName=worker01', 'spec.nodeName!=worker01,status.phase=Running', 'metadata.namespace=kube-system,status.phase!=Pending']) {
      const args = ['-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,PHASE:{.status.phase},IP:.status.podIP', '--field-selector', selector];
      const ours = await everynode('get', 'pods', '-A', ...args);
      const theirs = await kubectl('get', 'pods', '-A', ...args);
      expect(ours, selector).toEqual({ code: 0, stdout: theirs.stdout, stderr: '' });
    }
    expect((await everynode('get', 'pods', '-A', '--field-selector', 'spec.nodeName=worker01', '-o', 'name')).stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a field the server cannot select on is refused in the same words', async () => {
    const ours = await everynode('get', 'ds', '-A', '--field-selector', 'spec.nodeName=worker01');
    const theirs = await kubectl('get', 'ds', '-A', '--field-selector', 'spec.nodeName=worker01');
    expect(theirs.code).toBe(1);
    expect(ours).toEqual({ code: 1, stdout: '', stderr: theirs.stderr });
    expect(ours.stderr).toBe(
      'Error from server (BadRequest): Unable to find "apps/v1, Resource=daemonsets" that match label selector "", field selector "spec.nodeName=worker01": field label not supported: spec.nodeName\n',
    );
    const phase = await everynode('get', 'pods', '-n', 'kube-system', '--field-selector', 'status.phase=Pending');
    expect(phase).toEqual({ code: 0, stdout: '', stderr: 'No resources found in kube-system namespace.\n' });
  });

  it('get ds,po (with -n before the verb) and --show-labels: the same tables, kind-prefixed names, a blank line between', async () => {
    const ours = await everynode('-n', 'kube-system', 'get', 'ds,po', '--show-labels');
    const theirs = await kubectl('get', 'ds,po', '-n', 'kube-system', '--show-labels');
    expect(ours.code).toBe(0);
    expect(withoutAge(ours.stdout)).toEqual(withoutAge(theirs.stdout));
    expect(ours.stdout.split('\n\n')).toHaveLength(2);
    expect(ours.stdout).toMatch(/^daemonset\.apps\/fluentd-elasticsearch +6 +6 +6 +6 +6 +<none> +\S+ +k8s-app=fluentd-logging$/m);
    const names = await everynode('get', 'ds,nodes', '-n', 'kube-system', '-o', 'name');
    expect(names).toEqual({ code: 0, stdout: (await kubectl('get', 'ds,nodes', '-n', 'kube-system', '-o', 'name')).stdout, stderr: '' });
    const nodes = await everynode('get', 'nodes', '--show-labels', '-o', 'wide');
    expect(withoutAge(nodes.stdout)).toEqual(withoutAge((await kubectl('get', 'nodes', '--show-labels', '-o', 'wide')).stdout));
  });

  it("version: the client's own, and the server's as kubectl reads it", async () => {
    expect(await everynode('version')).toEqual({ code: 0, stdout: `Client Version: v${cliVersion}\nServer Version: v${cliVersion}\n`, stderr: '' });
    const ours = JSON.parse((await everynode('version', '-o', 'json')).stdout) as { serverVersion: unknown };
    const theirs = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as { serverVersion: unknown };
    expect(ours.serverVersion).toEqual(theirs.serverVersion);
  });

  it('delete -f: the same lines as kubectl, NotFound the second time, nothing with --ignore-not-found', async () => {
    const manifest = join(dir, 'extra.yaml');
    writeFileSync(
      manifest,
      `${readFileSync(fixture('fluentd-daemonset.yaml'), 'utf8').replaceAll('fluentd-elasticsearch', 'extra-agent')}---\napiVersion: v1\nkind: Node\nmetadata:\n  name: worker09\n`,
    );
    const created = await everynode('apply', '-f', 'extra.yaml');
    expect(created).toMatchObject({ code: 0, stdout: 'daemonset.apps/extra-agent created\nnode/worker09 created\n' });
    const deleted = await everynode('delete', '-f', 'extra.yaml');
    expect(deleted).toEqual({ code: 0, stdout: 'daemonset.apps "extra-agent" deleted\nnode "worker09" deleted\n', stderr: '' });
    const again = await everynode('delete', '-f', 'extra.yaml');
    const theirs = await kubectl('delete', '-f', manifest);
    expect(theirs.code).toBe(1);
    expect(again).toEqual({ code: 1, stdout: '', stderr: theirs.stderr.replaceAll(manifest, 'extra.yaml') });
    expect(await everynode('delete', '-f', 'extra.yaml', '--ignore-not-found')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await everynode('get', 'nodes', '-o', 'name')).stdout.split('\n').filter(Boolean)).toEqual(seedNodes.map((n) => `node/${n}`));
  });
});
