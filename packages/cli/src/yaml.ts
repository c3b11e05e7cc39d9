/**
 * The `yaml` library, loaded the first time a command reads or prints YAML.
 * Most commands do neither, and bundling it into every command's start
 * (~250 KB to compile) cost `everynode get` ~10 ms: the build leaves this
 * `require` to run from node_modules when called (README, "Startup and
 * footprint").
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}
