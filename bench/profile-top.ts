/**
 * `tsx bench/profile-top.ts FILE.cpuprofile [N]`: the N (default 15)
 * functions with the most self time in a V8 CPU profile (`node --cpu-prof`,
 * e.g. a worker process's under the bench with
 * `EVERYNODE_WORKER_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'`),
 * with their share of the samples, then the same grouped by package (or
 * node's internals, GC and idle), to see what bounds a figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly hitCount?: number;
}

const [file, count = '15'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-top.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;
const msPerSample = (profile.endTime - profile.startTime) / 1000 / total;

/** A bundle's source map (the build writes `main.mjs.map` beside `main.mjs`), to name the source a frame was built from. */
const maps = new Map<string, SourceMap | undefined>();
function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    maps.set(url, path.endsWith('.mjs') && existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as never) : undefined);
  }
  return maps.get(url);
}

/** The frame's original source (through the bundle's source map) as `path:line`, or its own url. */
function sourceOf(frame: ProfileNode['callFrame']): string {
  const entry = (frame.url ? mapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) : undefined) as { originalSource?: string; originalLine: number } | undefined;
  if (entry?.originalSource) return `${entry.originalSource.replace(/^.*?\/((?:node_modules|packages|services)\/)/, '$1')}:${entry.originalLine + 1}`;
  return frame.url;
}

/** Where a frame's code lives: a workspace package, an npm package, node's own, or V8's pseudo-frames. */
function placeOf(url: string, name: string): string {
  if (url === '') return `(${name.replace(/[()]/g, '') || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  const workspace = /\/(?:packages|services)\/([^/]+)\//.exec(url)?.[1];
  if (workspace) return `@everynode/${workspace}`;
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const node of profile.nodes) {
  const self = hits.get(node.id) ?? 0;
  if (self === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const source = sourceOf(node.callFrame);
  const short = source === url ? `${url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages|services)\//, '$1/')}${url ? `:${lineNumber + 1}` : ''}` : source;
  const key = `${functionName || '(anonymous)'}  ${short}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + self);
  const place = placeOf(source === url ? url : `/${source}`, functionName);
  byPlace.set(place, (byPlace.get(place) ?? 0) + self);
}
const line = ([name, samples]: [string, number]) => `${((100 * samples) / total).toFixed(1).padStart(5)} %  ${(samples * msPerSample).toFixed(0).padStart(6)} ms  ${name}`;
console.log(`${file}: ${total} samples, ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`);
console.log(`top ${count} functions by self time:`);
for (const entry of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) console.log(line(entry));
console.log('by package:');
for (const entry of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(line(entry));
