/** The `everynode` command line, as a library: the program factory and its printers, for tests and embedding. */
export { buildProgram, runCli } from './program.ts';
export type { CliContext, CliIO } from './context.ts';
export { CliError, errorLines } from './errors.ts';
export { ageOf, humanDuration } from '@everynode/api';
export { renderTable } from './print/table.ts';
export { asList, sortKeys, toJson, toYaml } from './print/objects.ts';
export { processIO } from './process-io.ts';
export { TabWriter, tabbed } from './print/tabwriter.ts';
export { describeDaemonSet } from './print/describe-daemonset.ts';
export { describePodTemplate } from './print/pod-template.ts';
export { parseGoDuration } from './duration.ts';
export { kubeconfigFor } from './kubeconfig.ts';
export { removeUpCredentials, saveUpCredentials, upCertificateFile, upTokenFile } from './credentials.ts';
export type { Credentials } from './credentials.ts';
export { dashboardLink } from './commands/up.ts';
