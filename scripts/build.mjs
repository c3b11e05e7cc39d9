// The build: every program everynode ships — the CLI and each service — as
// JavaScript that plain `node` runs, with no TypeScript toolchain at run time.
//
// esbuild bundles each program — its own code, the `@everynode/*` workspace
// packages and the third-party code it imports — into its package's
// `dist/`: one file to read instead of hundreds to resolve is most of a CLI
// command's start. The packages that load files of their own at run time
// (pino's transports run in worker threads by path; testcontainers and its
// native ssh2) stay imports, installed by `npm ci --omit=dev`. Assets read
// at run time beside the code (commit.lua, the OpenAPI v2 proto) are copied
// next to the bundles. The CLI is split into chunks so that a command loads
// only what it uses: `everynode get pods` does not load the engine, the
// server or BullMQ.
//
// Why a bundler and not tsc: tsc emits a file per module, and measured on
// the CLI, `--help` took 0.38 s with its dependencies left as the files
// node_modules holds against 0.22 s with them bundled (README, "Startup and
// footprint"); the workspace packages also export their TypeScript sources,
// which tsc would have to emit and re-point package by package.
//
// The web dashboard (`packages/dashboard`) is built first, by Vite, into its
// `dist/` (an index.html and hashed assets): static files, so a production
// install needs neither Vite nor Preact. A copy goes beside each program that
// serves the API (`dashboard/`: the CLI's `up`, the api service, the demo),
// where the server's `findDashboard` looks for it.
//
//   node scripts/build.mjs           build everything (a few seconds)
//   node scripts/build.mjs --quiet   the same, printing nothing
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');

/** The programs: entry points (name → source) built together into one `dist/`. */
const programs = [
  {
    dist: 'packages/cli/dist',
    entries: { everynode: 'packages/cli/src/main.ts', 'worker-main': 'packages/engine/src/worker-main.ts' },
    split: true,
    dashboard: true,
  },
  { dist: 'services/api/dist', entries: { main: 'services/api/src/main.ts' }, dashboard: true },
  { dist: 'services/worker/dist', entries: { main: 'services/worker/src/main.ts' } },
  { dist: 'services/agent/dist', entries: { main: 'services/agent/src/main.ts' } },
  { dist: 'services/bridge/dist', entries: { main: 'services/bridge/src/main.ts' } },
  // `npm start`'s demo: the CLI's local cluster with the seed applied.
  { dist: 'dist', entries: { demo: 'scripts/demo.ts' }, dashboard: true },
];

/** Files the code reads beside itself at run time (`new URL('./…', import.meta.url)`), kept at the same relative path. */
const assets = [
  ['packages/eventlog/src/scripts/commit.lua', 'scripts/commit.lua'],
  ['packages/server/src/openapi-v2.proto', 'openapi-v2.proto'],
];

/** Packages left as imports: they load files beside themselves at run time, or are optional and large. */
const external = ['pino', 'pino-pretty', 'thread-stream', 'testcontainers'];

/** Bundled CommonJS code calls `require` and reads `__dirname`: give the ES module both. */
const banner = [
  "import { createRequire as __everynodeRequire } from 'node:module';",
  "import { fileURLToPath as __everynodePath } from 'node:url';",
  'const require = __everynodeRequire(import.meta.url);',
  'const __filename = __everynodePath(import.meta.url);',
  "const __dirname = __everynodePath(new URL('.', import.meta.url));",
].join('\n');

const started = performance.now();
const dashboard = join(root, 'packages/dashboard');
await viteBuild({
  root: dashboard,
  configFile: false,
  // Relative asset URLs: the page works wherever the API serves it.
  base: './',
  logLevel: quiet ? 'silent' : 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
});
await Promise.all(programs.map(async (program) => {
  const outdir = join(root, program.dist);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: program.entries,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    splitting: program.split ?? false,
    // Flat: every chunk beside the entries, so `new URL('./x', import.meta.url)` means the same from any of them.
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    external,
    banner: { js: banner },
  });
  for (const [from, to] of assets) {
    mkdirSync(dirname(join(outdir, to)), { recursive: true });
    copyFileSync(join(root, from), join(outdir, to));
  }
  if (program.dashboard) cpSync(join(dashboard, 'dist'), join(outdir, 'dashboard'), { recursive: true });
}));
if (!quiet) console.error(`build: the dashboard and ${programs.length} programs in ${Math.round(performance.now() - started)} ms`);
