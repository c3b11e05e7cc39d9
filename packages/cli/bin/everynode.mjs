#!/usr/bin/env node
// The `everynode` executable: the CLI as `npm run build` (scripts/build.mjs) bundles it into ../dist.
try {
  await import('../dist/everynode.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('everynode.mjs')) throw error;
  console.error('everynode: the CLI is not built: run `npm run build` in the repository (or `npx tsx packages/cli/src/main.ts` to run the sources)');
  process.exitCode = 1;
}
