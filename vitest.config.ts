import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/support/global-build.ts', 'test/support/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
