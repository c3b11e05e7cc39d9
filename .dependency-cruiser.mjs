// Import rules that ESLint can't check, run by `npm run lint` (issue 10):
// - no import cycles between modules, type-only imports included
//   (import-x/no-cycle skips `import type`, so a types module importing its
//   users would pass it);
// - a workspace package imports another only as `@everynode/<pkg>` or an entry
//   that package's package.json "exports" declares — never its files by path,
//   relative (`../../engine/src/...`) or by name (`@everynode/engine/src/...`).
//   test/, scripts/ and bench/ are not packages and may reach in;
// - ports only: the storage library (`packages/eventlog`) is the engine's
//   alone — everything else reaches the engine through its ports
//   (`@everynode/engine`) — and an `internal` entry is for the engine and
//   tests only.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('./', import.meta.url);
const workspaces = ['packages', 'services'].flatMap((dir) =>
  readdirSync(new URL(`${dir}/`, root), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(new URL(`${dir}/${d.name}/package.json`, root)))
    .map((d) => `${dir}/${d.name}`),
);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const targets = (exports) =>
  typeof exports === 'string' ? [exports] : Object.values(exports ?? {}).flatMap(targets);
/** The files packages may import from each other: every workspace's "exports" targets. */
const entries = workspaces.flatMap((ws) => {
  const manifest = JSON.parse(readFileSync(new URL(`${ws}/package.json`, root), 'utf8'));
  return targets(manifest.exports).map((t) => `^${escape(`${ws}/${t.replace(/^\.\//, '')}`)}$`);
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a cycle (type-only imports count). Move the shared type to a module that imports no logic, ' +
        'or pass the function or a small interface instead of importing the module that uses you.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-package-internals',
      severity: 'error',
      comment:
        "Import another workspace package as '@everynode/<pkg>' or an entry its package.json \"exports\" declares, " +
        'not its files by path.',
      from: { path: '^(packages|services)/([^/]+)/' },
      to: { path: '^(packages|services)/', pathNot: ['^$1/$2/', ...entries] },
    },
    {
      name: 'ports-only',
      severity: 'error',
      comment:
        "Only the engine uses the storage library: reach the log, the projection and the admin operations through the engine's ports " +
        "(reader, ingress, history, admin in '@everynode/engine').",
      from: { path: '^(packages|services)/', pathNot: ['^packages/(engine|eventlog)/', '\\.test\\.ts$'] },
      to: { path: '^packages/eventlog/' },
    },
    {
      name: 'internal-entries',
      severity: 'error',
      comment: "A package's 'internal' entry is for the engine and tests only: use the package's public entry.",
      from: { path: '^(packages|services)/', pathNot: ['^packages/(engine|eventlog)/src/', '\\.test\\.ts$'] },
      to: { path: '^packages/[^/]+/src/internal\\.ts$' },
    },
    {
      name: 'no-package-subpath',
      severity: 'error',
      comment:
        "An '@everynode/...' import that does not resolve: a subpath the package's \"exports\" does not declare " +
        "(import '@everynode/<pkg>', or declare the entry in its package.json), or no such package.",
      from: {},
      to: { couldNotResolve: true, path: '^@everynode/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage|\\.turbo)/' },
    // Keep `import type` and `export type ... from`: they are edges of the graph too.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
    progress: { type: 'none' },
  },
};
