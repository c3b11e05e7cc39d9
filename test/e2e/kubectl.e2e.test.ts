/**
 * Real kubectl drives everynode, two of them — an old one (Debian's 1.20)
 * and a current one (1.32), see `test/support/kubectl.ts` — each through the
 * whole suite against its own `up --simulate` cluster over the real Redis,
 * with a kubeconfig from `everynode kubeconfig`: discovery,
 * `version`, `api-resources`, `apply` with kubectl's validation on (a
 * misspelt or mistyped field refused on kubectl's side, from `/openapi/v2`),
 * `get`, Kubernetes' NotFound and Invalid wording, and `explain` reading our
 * OpenAPI docs (v2 before 1.27, v3 after); apply's patches computed from
 * them; Tables, PATCH (apply of a changed file, cordon, label, taint),
 * aggregated discovery, AGE of revisions and namespaces, `apply --server-side`,
 * `delete --cascade`.
 * Where an old kubectl really behaves otherwise, the test says what it does and why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonSetSchema, DaemonSetSpecSchema, DaemonSetUpdateStrategySchema } from '@everynode/api';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import serverPackage from '../../packages/server/package.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { type Kubectl, type KubectlBinary, kubectlFor, kubectlsUnderTest } from '../support/kubectl.ts';

const file = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const seedNodes = ['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03'];

/** A one-container DaemonSet `name` in `default`, running on every node, written to a file for kubectl apply. */
function manifestOf(name: string, image = 'busybox'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'everynode-kubectl-')), `${name}.yaml`);
  writeFileSync(
    path,
    `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ${name}, namespace: default}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      tolerations: [{operator: Exists}]\n      containers: [{name: c, image: ${image}}]\n`,
  );
  return path;
}

/** Text with every run of whitespace made one space: kubectl wraps explain's descriptions. */
const words = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

// The whole suite once per kubectl, old and current, each against a cluster of its own.
describe.each(kubectlsUnderTest().map((binary) => [binary.name, binary] as const))('kubectl %s against everynode', (_name: string, binary: KubectlBinary) => {
  let cluster: LocalCluster;
  let kubectl: Kubectl;
  /** Whether the kubectl is at least 1.`minor` (false when it does not run: its tests fail on their first call). */
  const atLeast = (minor: number) => (binary.minor ?? 0) >= minor;

  beforeAll(async () => {
    cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('kubectl'), redisUrl, logger: quietLogger });
    kubectl = kubectlFor(cluster.url, binary);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    if (!cluster) return;
    const prefix = cluster.engine.prefix;
    await cluster.stop();
    await destroyPrefix(prefix);
  });

  it('kubectl version shows the server version', async () => {
    const result = await kubectl('version', '-o', 'json');
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion).toBe(`v${serverPackage.version}`);
  });

  it('kubectl api-resources lists what the server serves, with short names', async () => {
    const result = await kubectl('api-resources', '--no-headers');
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(rows).toContainEqual(['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet']);
    expect(rows).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(rows).toContainEqual(['nodes', 'no', 'v1', 'false', 'Node']);
    expect(rows).toContainEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
  });

  it('discovery: kubectl ≥1.26 gets it all aggregated from /api and /apis; an older one asks each group-version', async () => {
    // A fresh discovery cache, or kubectl would ask nothing at all (the last --cache-dir given wins).
    const result = await kubectl('get', 'ds', '-A', '-v=6', '--cache-dir', mkdtempSync(join(tmpdir(), 'everynode-kubectl-cache-')));
    expect(result.code, result.stderr).toBe(0);
    const asked = [...result.stderr.matchAll(/ GET http:\/\/[^/]+(\/[^? ]*)/g)].map((m) => m[1]);
    expect(asked).toContain('/api');
    expect(asked).toContain('/apis');
    if (atLeast(26)) {
      expect(asked).not.toContain('/api/v1');
      expect(asked).not.toContain('/apis/apps/v1');
    } else {
      expect(asked).toEqual(expect.arrayContaining(['/api/v1', '/apis/apps/v1']));
    }
  });

  it('kubectl apply creates the seed with validation on, and re-applying changes nothing', async () => {
    const args = ['apply', '-f', file('cluster-6-nodes.yaml'), '-f', file('fluentd-daemonset.yaml')];
    const created = await kubectl(...args);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe([...seedNodes.map((n) => `node/${n} created`), 'daemonset.apps/fluentd-elasticsearch created', ''].join('\n'));
    expect(created.code).toBe(0);
    expect((await kubectl(...args)).stdout).toBe([...seedNodes.map((n) => `node/${n} unchanged`), 'daemonset.apps/fluentd-elasticsearch unchanged', ''].join('\n'));
  });

  it('kubectl get ds -o json has the DaemonSet', async () => {
    const result = await kubectl('get', 'ds', '-n', 'kube-system', '-o', 'json');
    expect(result.code, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as { kind: string; items: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((ds) => [ds.apiVersion, ds.kind, ds.metadata.namespace, ds.metadata.name])).toEqual([['apps/v1', 'DaemonSet', 'kube-system', 'fluentd-elasticsearch']]);
  });

  it('a missing DaemonSet is NotFound in kubectl words', async () => {
    expect(await kubectl('get', 'ds', 'nope', '-n', 'kube-system')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\n',
    });
  });

  it('an invalid DaemonSet is refused with the field at fault', async () => {
    const manifest = `${kubectl.kubeconfig}.bad.yaml`;
    writeFileSync(
      manifest,
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: bad, namespace: default}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c, image: busybox}]}\n',
    );
    const result = await kubectl('apply', '-f', manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^The DaemonSet "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
  });

  // Before 1.27 explain reads OpenAPI v2 and names a field's type <Object>; from 1.27 it reads v3 and names the definition.
  const objectOf = (definition: string) => (atLeast(27) ? `<${definition}>` : '<Object>');

  it('kubectl explain daemonset.spec prints our field docs', async () => {
    const result = await kubectl('explain', 'daemonset.spec');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(atLeast(27) ? /^FIELD:\s+spec <DaemonSetSpec>$/m : /^RESOURCE:\s+spec <Object>$/m);
    const text = words(result.stdout);
    expect(text).toContain(words(DaemonSetSchema.shape.spec.description));
    expect(text).toContain(`template ${objectOf('PodTemplateSpec')} -required- ${words(DaemonSetSpecSchema.shape.template.description)}`);
    expect(text).toContain(`minReadySeconds <integer> ${words(DaemonSetSpecSchema.shape.minReadySeconds.description)}`);
    expect(text).toContain(`updateStrategy ${objectOf('DaemonSetUpdateStrategy')} ${words(DaemonSetSpecSchema.shape.updateStrategy.description)}`);
  });

  it('kubectl explain daemonset.spec.updateStrategy prints our field docs', async () => {
    const result = await kubectl('explain', 'daemonset.spec.updateStrategy');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(atLeast(27) ? /^FIELD:\s+updateStrategy <DaemonSetUpdateStrategy>$/m : /^RESOURCE:\s+updateStrategy <Object>$/m);
    const text = words(result.stdout);
    expect(text).toContain(words(DaemonSetSpecSchema.shape.updateStrategy.description));
    expect(text).toContain(`type <string> ${words(DaemonSetUpdateStrategySchema.shape.type.description)}`);
    expect(text).toContain(`rollingUpdate ${objectOf('RollingUpdateDaemonSet')} ${words(DaemonSetUpdateStrategySchema.shape.rollingUpdate.description)}`);
  });

  it("kubectl refuses a misspelt or mistyped field on its side, from /openapi/v2, and sends nothing", async () => {
    const manifest = `${kubectl.kubeconfig}.typo.yaml`;
    writeFileSync(
      manifest,
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: typo, namespace: default}\nspec:\n  selector: {matchLabels: {app: a}}\n  updateStratgy: {type: OnDelete}\n' +
        '  minReadySeconds: "ten"\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: busybox}]}\n',
    );
    expect(await kubectl('apply', '-f', manifest)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `error: error validating "${manifest}": error validating data: [` +
        'ValidationError(DaemonSet.spec.minReadySeconds): invalid type for io.k8s.api.apps.v1.DaemonSetSpec.minReadySeconds: got "string", expected "integer", ' +
        'ValidationError(DaemonSet.spec): unknown field "updateStratgy" in io.k8s.api.apps.v1.DaemonSetSpec]; ' +
        'if you choose to ignore these errors, turn validation off with --validate=false\n',
    });
    expect((await kubectl('get', 'ds', 'typo', '-n', 'default')).stderr).toBe('Error from server (NotFound): daemonsets.apps "typo" not found\n');
  });

  it('kubectl get pods lists the six pods once the simulated agent ran them', async () => {
    const names = await eventually(async () => {
      const { stdout } = await kubectl('get', 'pods', '-n', 'kube-system', '-o', 'name');
      const lines = stdout.trim().split('\n').filter(Boolean);
      return lines.length === 6 && lines;
    }, 20_000, 'six pods');
    expect(names.every((name) => /^pod\/fluentd-elasticsearch-[a-z0-9]{5}$/.test(name))).toBe(true);
  });

  it("kubectl get prints the server's Tables in kubectl's own columns: the seed's ds row, -o wide, pods' NODE, nodes' labels", async () => {
    const rows = (text: string) => text.trim().split('\n').map((line) => line.trim().split(/\s{2,}/));
    const ds = await eventually(async () => {
      const table = rows((await kubectl('get', 'ds', '-n', 'kube-system')).stdout);
      return table[1]?.slice(1, 6).join(' ') === '6 6 6 6 6' && table;
    }, 20_000, 'fluentd-elasticsearch at 6 6 6 6 6');
    expect(ds[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(ds[1]?.slice(0, 7)).toEqual(['fluentd-elasticsearch', '6', '6', '6', '6', '6', '<none>']);
    const wide = rows((await kubectl('get', 'ds', '-n', 'kube-system', '-o', 'wide')).stdout);
    expect(wide[0]?.slice(-3)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(wide[1]?.slice(-3)).toEqual(['fluentd-elasticsearch', 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2', 'name=fluentd-elasticsearch']);
    const pods = rows((await kubectl('get', 'pods', '-n', 'kube-system', '-o', 'wide')).stdout);
    const node = pods[0]?.indexOf('NODE') ?? -1;
    expect(node).toBeGreaterThan(0);
    expect(pods.slice(1).map((p) => p[node]).sort()).toEqual([...seedNodes].sort());
    const nodes = rows((await kubectl('get', 'nodes', '--show-labels')).stdout);
    expect(nodes[0]?.at(-1)).toBe('LABELS');
    expect(nodes.slice(1).map((n) => n[0]).sort()).toEqual([...seedNodes].sort());
  });

  it('kubectl get controllerrevisions and get ns show an AGE, not <unknown>', async () => {
    const rows = (text: string) => text.trim().split('\n').map((line) => line.trim().split(/\s{2,}/));
    const revisions = rows((await kubectl('get', 'controllerrevisions', '-n', 'kube-system')).stdout);
    expect(revisions[0]).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(revisions[1]?.[3]).toMatch(/^\d+s$/);
    const namespaces = rows((await kubectl('get', 'ns')).stdout);
    expect(namespaces[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(namespaces.find((row) => row[0] === 'kube-system')?.[2]).toMatch(/^\d+s$/);
  });

  it('kubectl apply of a changed manifest patches the DaemonSet (strategic merge), and a rollout starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-kubectl-'));
    const changed = join(dir, 'fluentd-v2.yaml');
    writeFileSync(changed, readFileSync(file('fluentd-daemonset.yaml'), 'utf8').replace('fluentd:v2.5.2', 'fluentd:v2.6.0'));
    const before = JSON.parse((await kubectl('get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system', '-o', 'json')).stdout) as { metadata: { generation: number; resourceVersion: string } };
    const applied = await kubectl('apply', '-f', changed);
    expect(applied).toMatchObject({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch configured\n' });
    const after = JSON.parse((await kubectl('get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system', '-o', 'json')).stdout) as {
      metadata: { generation: number; resourceVersion: string };
      spec: { template: { spec: { containers: { name: string; image: string; volumeMounts?: unknown[] }[] } } };
    };
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const [container] = after.spec.template.spec.containers;
    expect(container).toMatchObject({ name: 'fluentd-elasticsearch', image: 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0' });
    expect(container?.volumeMounts?.length).toBeGreaterThan(0); // merged by name: the rest of the container kept
    const revisions = await eventually(async () => {
      const { stdout } = await kubectl('get', 'controllerrevisions', '-n', 'kube-system', '-o', 'name');
      const names = stdout.trim().split('\n').filter(Boolean);
      return names.length === 2 && names;
    }, 20_000, 'a second ControllerRevision');
    expect(revisions).toHaveLength(2);
  });

  it("kubectl apply merges lists by our OpenAPI's merge keys: an env var and a volume mount left out of the file are removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-kubectl-'));
    const write = (name: string, env: string, mounts: string) => {
      const path = join(dir, name);
      writeFileSync(
        path,
        'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: merge-keys, namespace: default}\nspec:\n  selector: {matchLabels: {app: merge-keys}}\n' +
          '  template:\n    metadata: {labels: {app: merge-keys}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n' +
          `        env: ${env}\n        volumeMounts: ${mounts}\n      volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]\n`,
      );
      return path;
    };
    const first = write('v1.yaml', '[{name: A, value: "1"}, {name: B, value: "2"}]', '[{name: a, mountPath: /a}, {name: b, mountPath: /b}]');
    expect(await kubectl('apply', '-f', first)).toEqual({ code: 0, stdout: 'daemonset.apps/merge-keys created\n', stderr: '' });
    const second = write('v2.yaml', '[{name: A, value: "3"}]', '[{name: a, mountPath: /a}]');
    // No "warning: error calculating patch from openapi spec": the patch is computed from our documents.
    expect(await kubectl('apply', '-f', second)).toEqual({ code: 0, stdout: 'daemonset.apps/merge-keys configured\n', stderr: '' });
    const { stdout } = await kubectl('get', 'ds', 'merge-keys', '-n', 'default', '-o', 'json');
    const [container] = (JSON.parse(stdout) as { spec: { template: { spec: { containers: { env: unknown[]; volumeMounts: unknown[] }[] } } } }).spec.template.spec.containers;
    expect(container?.env).toEqual([{ name: 'A', value: '3' }]);
    expect(container?.volumeMounts).toEqual([{ name: 'a', mountPath: '/a' }]);
    expect((await kubectl('delete', 'ds', 'merge-keys', '-n', 'default')).code).toBe(0);
  });

  it('kubectl cordon, label and taint patch the node', async () => {
    expect(await kubectl('cordon', 'worker01')).toMatchObject({ code: 0, stdout: 'node/worker01 cordoned\n' });
    expect(await kubectl('label', 'node', 'worker01', 'zone=a')).toMatchObject({ code: 0, stdout: 'node/worker01 labeled\n' });
    expect(await kubectl('taint', 'node', 'worker01', 'dedicated=infra:NoSchedule')).toMatchObject({ code: 0, stdout: 'node/worker01 tainted\n' });
    const node = JSON.parse((await kubectl('get', 'node', 'worker01', '-o', 'json')).stdout) as { metadata: { labels: Record<string, string> }; spec: { unschedulable?: boolean; taints?: unknown[] } };
    expect(node.spec.unschedulable).toBe(true);
    expect(node.metadata.labels.zone).toBe('a');
    expect(node.spec.taints).toContainEqual({ key: 'dedicated', value: 'infra', effect: 'NoSchedule' });
    expect(await kubectl('uncordon', 'worker01')).toMatchObject({ code: 0, stdout: 'node/worker01 uncordoned\n' });
    // kubectl says `unlabeled` for a removal since kubernetes/kubernetes#104372 (2021, 1.23); 1.20 says `labeled`.
    const unlabeled = atLeast(23) ? 'unlabeled' : 'labeled';
    expect(await kubectl('label', 'node', 'worker01', 'zone-')).toMatchObject({ code: 0, stdout: `node/worker01 ${unlabeled}\n` });
  });

  it('kubectl apply --server-side creates a DaemonSet, then changes it (merged over the live object)', async () => {
    interface Applied {
      metadata: { generation: number };
      spec: { template: { spec: { containers: { name: string; image: string }[] } } };
    }
    const read = async () => JSON.parse((await kubectl('get', 'ds', 'ssa-demo', '-n', 'default', '-o', 'json')).stdout) as Applied;
    expect(await kubectl('apply', '--server-side', '-f', manifestOf('ssa-demo'))).toEqual({ code: 0, stdout: 'daemonset.apps/ssa-demo serverside-applied\n', stderr: '' });
    expect((await read()).metadata.generation).toBe(1);
    expect(await kubectl('apply', '--server-side', '-f', manifestOf('ssa-demo', 'busybox:1.37'))).toEqual({ code: 0, stdout: 'daemonset.apps/ssa-demo serverside-applied\n', stderr: '' });
    const changed = await read();
    expect(changed.metadata.generation).toBe(2);
    expect(changed.spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'c', image: 'busybox:1.37' })]);
    expect((await kubectl('delete', 'ds', 'ssa-demo', '-n', 'default')).code).toBe(0);
  });

  describe('kubectl delete --cascade', () => {
    interface PodList {
      items: { metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { uid: string }[] } }[];
    }
    const podsOf = async (name: string) => (JSON.parse((await kubectl('get', 'pods', '-n', 'default', '-l', `app=${name}`, '-o', 'json')).stdout) as PodList).items;
    /** Apply `name` and wait for its six pods. */
    const running = async (name: string) => {
      expect(await kubectl('apply', '-f', manifestOf(name))).toMatchObject({ code: 0, stdout: `daemonset.apps/${name} created\n` });
      return eventually(async () => {
        const pods = await podsOf(name);
        return pods.length === 6 && pods;
      }, 20_000, `six pods of ${name}`);
    };

    it('background: the DaemonSet is gone when kubectl returns, then its pods', async () => {
      await running('cascade-bg');
      expect(await kubectl('delete', 'ds', 'cascade-bg', '--cascade=background')).toEqual({ code: 0, stdout: 'daemonset.apps "cascade-bg" deleted\n', stderr: '' });
      expect((await kubectl('get', 'ds', 'cascade-bg')).stderr).toBe('Error from server (NotFound): daemonsets.apps "cascade-bg" not found\n');
      await eventually(async () => (await podsOf('cascade-bg')).length === 0, 20_000, 'the pods of cascade-bg gone');
    });

    it('orphan: the DaemonSet is gone, its pods stay, no longer owned', async () => {
      const before = (await running('cascade-orphan')).map((p) => p.metadata.name).sort();
      expect(await kubectl('delete', 'ds', 'cascade-orphan', '--cascade=orphan')).toEqual({ code: 0, stdout: 'daemonset.apps "cascade-orphan" deleted\n', stderr: '' });
      expect((await kubectl('get', 'ds', 'cascade-orphan')).code).toBe(1);
      const orphans = await eventually(async () => {
        const pods = await podsOf('cascade-orphan');
        return pods.every((p) => (p.metadata.ownerReferences ?? []).length === 0) && pods;
      }, 20_000, 'the pods of cascade-orphan released');
      expect(orphans.map((p) => p.metadata.name).sort()).toEqual(before);
      expect(orphans.every((p) => p.metadata.deletionTimestamp === undefined)).toBe(true);
    });

    it('foreground: the DaemonSet is marked for deletion, its pods go, then it does', async () => {
      await running('cascade-fg');
      // kubectl waits (its default) for the object that outlives the DELETE by watching it until it is gone.
      const result = await kubectl('delete', 'ds', 'cascade-fg', '--cascade=foreground');
      expect(result).toEqual({ code: 0, stdout: 'daemonset.apps "cascade-fg" deleted\n', stderr: '' });
      expect((await kubectl('get', 'ds', 'cascade-fg')).code).toBe(1);
      const marked = await kubectl('get', 'ds', 'cascade-fg', '-o', 'json');
      if (marked.code === 0) {
        // Still there (its pods not all gone yet): marked as the apiserver marks it.
        expect(JSON.parse(marked.stdout)).toMatchObject({ metadata: { finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) } });
      }
      await eventually(async () => (await kubectl('get', 'ds', 'cascade-fg')).code === 1, 20_000, 'cascade-fg gone');
      expect(await podsOf('cascade-fg')).toEqual([]);
    });

    it('a delete kubectl runs with --dry-run=server changes nothing', async () => {
      const result = await kubectl('delete', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system', '--dry-run=server');
      if (atLeast(27)) {
        expect(result).toEqual({ code: 0, stdout: 'daemonset.apps "fluentd-elasticsearch" deleted (server dry run)\n', stderr: '' });
      } else {
        // An old kubectl asks OpenAPI v2 whether the kind's PATCH takes `dryRun` (its DryRunVerifier): everynode's
        // does not (only DELETE honours it), so it refuses before sending anything. Current ones send the DELETE.
        expect(result).toEqual({ code: 1, stdout: '', stderr: "error: apps/v1, Kind=DaemonSet doesn't support dry-run\n" });
      }
      expect((await kubectl('get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system')).code).toBe(0);
    });
  });
});
