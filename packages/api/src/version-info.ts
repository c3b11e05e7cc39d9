/** Go's names for the architectures Node names differently. */
const goArch: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' };

/**
 * Kubernetes' `version.Info` (what `/version` answers and `kubectl version`
 * prints) for everynode `version` (`major.minor.patch`), its fields in Go's
 * order; the Go fields name the Node runtime that runs it (`process`).
 */
export function versionInfo(version: string, runtime: { readonly version: string; readonly platform: string; readonly arch: string }) {
  const [major = '0', minor = '0'] = version.split('.');
  return {
    major,
    minor,
    gitVersion: `v${version}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: runtime.version,
    compiler: 'node',
    platform: `${runtime.platform}/${goArch[runtime.arch] ?? runtime.arch}`,
  };
}
