/**
 * Reading `apply -f`: a file, a directory of them, or stdin; multi-document
 * YAML or JSON; each document checked as the API server would check it
 * (`parseDaemonSet`, `parseNode`) so a bad manifest fails before anything is
 * sent, with the field named.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { yaml } from './yaml.ts';
import type { DaemonSet, Node } from '@everynode/api';
import { parseDaemonSet, parseNode } from '@everynode/api';
import { CliError } from './errors.ts';

/** One input: its text and the name messages use for it (the path as typed, or `STDIN`). */
export interface ManifestSource {
  readonly name: string;
  readonly text: string;
}

/** A document everynode can apply, as written (`raw`, sent to the server) and as admitted (`value`, defaulted). */
export type Manifest =
  | { readonly kind: 'DaemonSet'; readonly source: string; readonly raw: Record<string, unknown>; readonly value: DaemonSet }
  | { readonly kind: 'Node'; readonly source: string; readonly raw: Record<string, unknown>; readonly value: Node };

const extensions = ['.json', '.yaml', '.yml'];

/**
 * The sources `path` names: stdin for `-`, the file, or a directory's
 * `.json`/`.yaml`/`.yml` files (not recursive, sorted), as kubectl reads them.
 */
export async function readManifestSources(path: string, cwd: string, readStdin: () => Promise<string>): Promise<ManifestSource[]> {
  if (path === '-') return [{ name: 'STDIN', text: await readStdin() }];
  const full = resolve(cwd, path);
  const info = await existing(path, full);
  if (!info.isDirectory()) return [{ name: path, text: await readFile(full, 'utf8') }];
  const files = (await readdir(full)).filter((f) => extensions.includes(extname(f))).sort();
  if (files.length === 0) throw new CliError(`error: error reading [${path}]: recognized file extensions are [${extensions.join(' ')}]`);
  return Promise.all(files.map(async (f) => ({ name: join(path, f), text: await readFile(join(full, f), 'utf8') })));
}

/** One file (relative to `cwd`) or, for `-`, stdin. */
export async function readSource(path: string, cwd: string, readStdin: () => Promise<string>): Promise<ManifestSource> {
  if (path === '-') return { name: 'STDIN', text: await readStdin() };
  const full = resolve(cwd, path);
  if ((await existing(path, full)).isDirectory()) throw new CliError(`error: the path "${path}" is a directory`);
  return { name: path, text: await readFile(full, 'utf8') };
}

async function existing(path: string, full: string) {
  const info = await stat(full).catch(() => undefined);
  if (info === undefined) throw new CliError(`error: the path "${path}" does not exist`);
  return info;
}

/** The documents of a source, empty ones dropped and `List`s flattened into their items. */
export function parseDocuments(source: ManifestSource): unknown[] {
  return readDocuments(source).flatMap(flattenList);
}

function readDocuments(source: ManifestSource): unknown[] {
  const trimmed = source.text.trimStart();
  // JSON first: YAML reads most JSON, but not all of it (tabs, for one).
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value = JSON.parse(source.text) as unknown;
      return Array.isArray(value) ? value : [value];
    } catch {
      // Not JSON after all (YAML flow style); read it as YAML.
    }
  }
  const documents = yaml().parseAllDocuments(source.text);
  const list = Array.isArray(documents) ? documents : [];
  const failed = list.find((d) => d.errors.length > 0);
  if (failed) {
    // The yaml package appends a code frame after a colon; the first line, without it, is the message.
    const message = (failed.errors[0]?.message ?? 'invalid YAML').split('\n')[0]?.replace(/:$/, '');
    throw new CliError(`error: error parsing ${source.name}: ${message}`);
  }
  return list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

function flattenList(doc: unknown): unknown[] {
  const items = (doc as { kind?: unknown; items?: unknown }).items;
  const kind = (doc as { kind?: unknown }).kind;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) return items.flatMap(flattenList);
  return [doc];
}

/** `-n` as given, and whether the user typed it (a typed one must agree with the manifest). */
export interface NamespaceChoice {
  readonly value: string;
  readonly explicit: boolean;
}

/**
 * A document as a `Manifest`, or the one-line error kubectl or the API
 * server would give for it. DaemonSets without a namespace get `-n`'s; a
 * Node's namespace is dropped (cluster-scoped, as the API server does).
 */
export function toManifest(doc: unknown, source: string, namespace: NamespaceChoice): Manifest {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CliError(`error: error validating "${source}": error validating data: invalid object to validate`);
  }
  const raw = doc as Record<string, unknown>;
  if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') throw new CliError(`error: error validating "${source}": error validating data: apiVersion not set`);
  if (typeof raw.kind !== 'string' || raw.kind === '') throw new CliError(`error: error validating "${source}": error validating data: kind not set`);
  const meta = typeof raw.metadata === 'object' && raw.metadata !== null ? (raw.metadata as Record<string, unknown>) : {};
  if (raw.apiVersion === 'apps/v1' && raw.kind === 'DaemonSet') return daemonSetManifest(raw, meta, source, namespace);
  if (raw.apiVersion === 'v1' && raw.kind === 'Node') return nodeManifest(raw, meta, source);
  throw new CliError(
    `error: resource mapping not found for name: ${JSON.stringify(meta.name ?? '')} namespace: ${JSON.stringify(meta.namespace ?? '')} from "${source}": no matches for kind ${JSON.stringify(raw.kind)} in version ${JSON.stringify(raw.apiVersion)}`,
  );
}

function daemonSetManifest(raw: Record<string, unknown>, meta: Record<string, unknown>, source: string, namespace: NamespaceChoice): Manifest {
  const own = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  if (own !== undefined && namespace.explicit && own !== namespace.value) {
    throw new CliError(
      `error: the namespace from the provided object "${own}" does not match the namespace "${namespace.value}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  const withNamespace = { ...raw, metadata: { ...meta, namespace: own ?? namespace.value } };
  const parsed = parseDaemonSet(withNamespace);
  if (!parsed.ok) throw new CliError(parsed.message);
  return { kind: 'DaemonSet', source, raw: withNamespace, value: parsed.value };
}

function nodeManifest(raw: Record<string, unknown>, meta: Record<string, unknown>, source: string): Manifest {
  const { namespace: _dropped, ...clusterMeta } = meta;
  const withoutNamespace = { ...raw, metadata: clusterMeta };
  const parsed = parseNode(withoutNamespace);
  if (!parsed.ok) throw new CliError(parsed.message);
  return { kind: 'Node', source, raw: withoutNamespace, value: parsed.value };
}
