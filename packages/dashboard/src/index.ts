/**
 * The dashboard's pure model, for its tests: the page itself is
 * `src/main.tsx`, built by `scripts/build.mjs` into `dist/` (served by the
 * API at `/`).
 */
export * from './cluster-model.ts';
export * from './timeline-model.ts';
export * from './rollout-model.ts';
