/** Types of `fetch-kubectl.mjs` for the TypeScript that imports it (test/support/kubectl.ts). */

/** Where the kubectls are kept: `node_modules/.cache/everynode-kubectl`. */
export declare const cacheDir: string;

/** A kubectl the e2e suite runs: its name (`v1.20`), the minor version it reports, and its path. */
export interface CachedKubectl {
  readonly name: string;
  readonly minor: number;
  readonly path: string;
}

/** The kubectls the e2e suite runs, oldest first. */
export declare const kubectls: readonly CachedKubectl[];

/** Fetch each kubectl that is missing or broken; returns what failed (empty: all are there). */
export declare function fetchKubectls(): string[];
