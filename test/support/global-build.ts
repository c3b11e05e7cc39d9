/**
 * vitest global setup: `npm run build` once before the suites, so the tests
 * that run the shipped programs (the `everynode` executable, each service's
 * dist/main.mjs) run what the sources say now, never a stale build.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  // Each vitest project runs its global setup; one build serves them all.
  if (process.env.EVERYNODE_TEST_BUILT === '1') return;
  process.env.EVERYNODE_TEST_BUILT = '1';
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url)), '--quiet'], { stdio: 'inherit' });
}
