#!/usr/bin/env node
// Debian's Chromium, which the dashboard's browser tests (test/e2e/dashboard.e2e.test.ts) and the bench's
// figure 12 drive through playwright-core: installed with apt-get when it is missing, so that `npm test` on a
// fresh Debian machine has what it needs (`pretest` runs this; so does .ci/run). CHROMIUM_PATH names another
// Chromium instead. Never fails the run: without a Chromium, the browser tests fail and say how to get one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  const apt = (...args) => spawnSync('apt-get', args, { stdio: 'ignore' }).status === 0;
  const root = process.getuid?.() === 0;
  console.error(`everynode: no Chromium at ${path}; ${root ? 'installing Debian\'s chromium (apt-get install -y chromium)' : 'not root, so not installing it'}`);
  const installed = root && (apt('install', '-y', '-q', 'chromium') || (apt('update', '-q') && apt('install', '-y', '-q', 'chromium')));
  if (!installed || !existsSync(path)) console.error(`everynode: still no Chromium at ${path}: the dashboard's browser tests will fail (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
