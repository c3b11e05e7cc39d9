import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.ts';
import { parseDocuments, readManifestSources, toManifest } from './manifests.ts';

// The seed's manifests, as the repository keeps them.
const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const defaultNs = { value: 'default', explicit: false };
const noStdin = async () => '';

/** The error lines a failing call throws. */
async function failure(run: () => unknown): Promise<readonly string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CliError) return error.lines;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('the shared fixtures', () => {
  it('apply unchanged: every document parses and validates', async () => {
    const files = (await readdir(fixtures)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const [source] = await readManifestSources(file, fixtures, noStdin);
      const manifests = parseDocuments(source!).map((doc) => toManifest(doc, file, defaultNs));
      expect(manifests.length).toBeGreaterThan(0);
    }
  });

  it('reads all six nodes of the multi-document cluster file', async () => {
    const [source] = await readManifestSources('cluster-6-nodes.yaml', fixtures, noStdin);
    const manifests = parseDocuments(source!).map((doc) => toManifest(doc, 'cluster-6-nodes.yaml', defaultNs));
    expect(manifests.map((m) => `${m.kind}/${m.value.metadata.name}`)).toEqual([
      'Node/master01', 'Node/master02', 'Node/master03', 'Node/worker01', 'Node/worker02', 'Node/worker03',
    ]);
  });

  it('keeps the manifest namespace of the fluentd DaemonSet and defaults its spec', async () => {
    const [source] = await readManifestSources('fluentd-daemonset.yaml', fixtures, noStdin);
    const [manifest] = parseDocuments(source!).map((doc) => toManifest(doc, 'f', defaultNs));
    expect(manifest?.kind).toBe('DaemonSet');
    expect(manifest?.value.metadata.namespace).toBe('kube-system');
    expect(manifest?.kind === 'DaemonSet' && manifest.value.spec.updateStrategy?.type).toBe('RollingUpdate');
  });
});

describe('reading sources', () => {
  it('says a missing path does not exist', async () => {
    expect(await failure(() => readManifestSources('x.yaml', fixtures, noStdin))).toEqual(['error: the path "x.yaml" does not exist']);
  });

  it('reads JSON, stdin and List documents', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }] };
    const [source] = await readManifestSources('-', '/', async () => JSON.stringify(list));
    expect(source?.name).toBe('STDIN');
    expect(parseDocuments(source!)).toEqual(list.items);
  });

  it('reads a directory of manifests in name order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'everynode-cli-'));
    await writeFile(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Node\nmetadata: {name: b}\n');
    await writeFile(join(dir, 'a.json'), '{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"}}');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const sources = await readManifestSources(dir, '/', noStdin);
    expect(sources.map((s) => s.name)).toEqual([join(dir, 'a.json'), join(dir, 'b.yaml')]);
  });

  it('names the file and the YAML problem', async () => {
    const lines = await failure(() => parseDocuments({ name: 'bad.yaml', text: 'a: [1, 2\n' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: error parsing bad\.yaml: /);
  });
});

describe('toManifest', () => {
  const ds = (spec: Record<string, unknown>) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' }, spec });

  it('refuses an invalid DaemonSet with the API server message naming the field', async () => {
    const doc = ds({ selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } } });
    expect(await failure(() => toManifest(doc, 'x.yaml', defaultNs))).toEqual([
      'The DaemonSet "x" is invalid: spec.template.spec.containers[0].image: Required value',
    ]);
  });

  it('refuses a kind it does not serve as kubectl does', async () => {
    const doc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' } };
    expect(await failure(() => toManifest(doc, 's.yaml', defaultNs))).toEqual([
      'error: resource mapping not found for name: "s" namespace: "ns" from "s.yaml": no matches for kind "Service" in version "v1"',
    ]);
  });

  it('refuses a document without kind', async () => {
    expect(await failure(() => toManifest({ apiVersion: 'v1' }, 'k.yaml', defaultNs))).toEqual([
      'error: error validating "k.yaml": error validating data: kind not set',
    ]);
  });

  it('gives a DaemonSet without namespace the -n one, and refuses a conflicting explicit -n', async () => {
    const doc = ds({ selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    expect(toManifest(doc, 'x.yaml', { value: 'team-a', explicit: true }).value.metadata.namespace).toBe('team-a');
    const inSystem = { ...doc, metadata: { name: 'x', namespace: 'kube-system' } };
    expect(await failure(() => toManifest(inSystem, 'x.yaml', { value: 'team-a', explicit: true }))).toEqual([
      `error: the namespace from the provided object "kube-system" does not match the namespace "team-a". You must pass '--namespace=kube-system' to perform this operation.`,
    ]);
  });
});
