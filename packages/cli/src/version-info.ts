/**
 * This CLI's `version.Info`, the shape `kubectl version` prints and the
 * server's `/version` answers: everynode's version from the package's own
 * package.json (bundled into the build), Go's fields naming the Node runtime.
 */
import { versionInfo } from '@everynode/api';
import cliPackage from '../package.json' with { type: 'json' };

/** `0.1.0`. */
export const cliVersion: string = cliPackage.version;

/** `version.Info` of this CLI, its fields in Go's order. */
export function clientVersionInfo(): Record<string, string> {
  return versionInfo(cliVersion, process);
}
