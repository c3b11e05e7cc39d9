/**
 * This CLI's `version.Info`, the shape `kubectl version` prints and the
 * server's `/version` answers: everynode's version from the package's own
 * package.json (read beside the code, so it holds in src/ and in a build),
 * Go's fields naming the Node runtime that runs it.
 */
import { readFileSync } from 'node:fs';

/** Go's names for the architectures Node names differently. */
const goArch: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' };

function packageVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `0.1.0`. */
export const cliVersion = packageVersion();

/** `version.Info` of this CLI, its fields in Go's order. */
export function clientVersionInfo(): Record<string, string> {
  const [major = '0', minor = '0'] = cliVersion.split('.');
  return {
    major,
    minor,
    gitVersion: `v${cliVersion}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: process.version,
    compiler: 'node',
    platform: `${process.platform}/${goArch[process.arch] ?? process.arch}`,
  };
}
