/**
 * `everynode version [--client] [-o json|yaml]`: kubectl's `version` —
 * `Client Version: v0.1.0`, then, when the server answers `GET /version`,
 * `Server Version: …`; as JSON (indented by 2, as kubectl's) or YAML, one
 * object with `clientVersion` and `serverVersion`. When the server does not
 * answer, the client's version is printed all the same and the error
 * follows (exit 1), as kubectl does.
 */
import type { Command } from 'commander';
import { yaml } from '../yaml.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { sortKeys } from '../print/objects.ts';
import { clientVersionInfo } from '../version-info.ts';

interface VersionOptions {
  client?: boolean;
  output?: string;
}

/** `version.Info`'s fields in Go's order: the server's answer printed in the same order as the client's. */
const fields = ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'] as const;

function inGoOrder(info: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const field of fields) ordered[field] = info[field] ?? '';
  for (const [key, value] of Object.entries(info)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('Print the client and server version information')
    .option('--client', 'the client version only (no server needed)')
    .option('-o, --output <format>', "one of 'yaml' or 'json'")
    .addHelpText('after', '\nExamples:\n  everynode version\n  everynode version --client -o json')
    .action(async (options: VersionOptions, command: Command) => {
      const output = options.output;
      if (output !== undefined && output !== 'json' && output !== 'yaml') throw new CliError("error: --output must be 'yaml' or 'json'");
      const clientVersion = clientVersionInfo();
      let serverVersion: Record<string, unknown> | undefined;
      let failure: unknown;
      if (options.client !== true) {
        try {
          serverVersion = inGoOrder(await ctx.client(command).version());
        } catch (error) {
          failure = error;
        }
      }
      const versions = { clientVersion, ...(serverVersion === undefined ? {} : { serverVersion }) };
      if (output === 'json') ctx.io.stdout(`${JSON.stringify(versions, null, 2)}\n`);
      else if (output === 'yaml') ctx.io.stdout(yaml().stringify(sortKeys(versions), { lineWidth: 0 }));
      else {
        ctx.io.stdout(`Client Version: ${clientVersion.gitVersion}\n`);
        if (serverVersion !== undefined) ctx.io.stdout(`Server Version: ${String(serverVersion.gitVersion)}\n`);
      }
      if (failure !== undefined) throw failure;
    });
}
