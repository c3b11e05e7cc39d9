/**
 * The `everynode` program: commander wiring for every command, and
 * `runCli`, which runs one invocation and turns any failure into one line on
 * stderr and exit status 1. Nothing here touches the process directly, so
 * tests run it in-process.
 */
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.ts';
import { registerDelete } from './commands/delete.ts';
import { registerDescribe } from './commands/describe.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerEmit } from './commands/emit.ts';
import { registerExplain } from './commands/explain.ts';
import { registerExport } from './commands/export.ts';
import { registerGet } from './commands/get.ts';
import { registerImport } from './commands/import.ts';
import { registerKubeconfig } from './commands/kubeconfig.ts';
import { registerLog } from './commands/log.ts';
import { registerNode } from './commands/node.ts';
import { registerNodeEdits } from './commands/node-edit.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRollout } from './commands/rollout.ts';
import { registerUp } from './commands/up.ts';
import type { CliIO } from './context.ts';
import { createContext } from './context.ts';
import { errorLines } from './errors.ts';

/** The program, writing through `io`; commander's own exits become exceptions (`exitOverride`). */
export function buildProgram(io: CliIO): Command {
  const program = new Command('everynode')
    .description("Kubernetes' DaemonSet controller as an event-sourced engine: kubectl's verbs for DaemonSets, nodes and pods")
    .version('0.1.0')
    .option('--server <url>', 'the everynode HTTP API (default EVERYNODE_SERVER or https://127.0.0.1:7700)')
    .option('--token <token>', "bearer token to send (default EVERYNODE_TOKEN, else the one `everynode up` generated for this server)")
    .option('--certificate-authority <file>', "PEM certificate(s) to trust for an https server (default EVERYNODE_CA_FILE, else `up --tls-cert`'s)")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText(
      'after',
      `
Examples:
  everynode up --simulate
  everynode apply -f cluster-6-nodes.yaml
  everynode get ds -A`,
    );
  // Subcommands copy output and exit settings from the program at creation, so these come last.
  const ctx = createContext(io);
  registerUp(program, ctx);
  registerApply(program, ctx);
  registerGet(program, ctx);
  registerDelete(program, ctx);
  registerDescribe(program, ctx);
  registerRollout(program, ctx);
  registerNode(program, ctx);
  registerNodeEdits(program, ctx);
  registerEmit(program, ctx);
  registerLog(program, ctx);
  registerReplay(program, ctx);
  registerExplain(program, ctx);
  registerExport(program, ctx);
  registerImport(program, ctx);
  registerDlq(program, ctx);
  registerKubeconfig(program, ctx);
  return program;
}

/** Run `everynode ARGS…` (without the node and script paths); resolves with the exit status. */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // commander has already printed its own message (or the help, exit 0).
    if (error instanceof CommanderError) return error.exitCode;
    for (const line of errorLines(error)) io.stderr(`${line}\n`);
    return 1;
  }
}
