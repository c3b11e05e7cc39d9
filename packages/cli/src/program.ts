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
import { CliError, errorLines } from './errors.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerVersion } from './commands/version.ts';
import { cliVersion } from './version-info.ts';

/** The program, writing through `io`; commander's own exits become exceptions (`exitOverride`). */
export function buildProgram(io: CliIO): Command {
  const program = new Command('everynode')
    .description("Kubernetes' DaemonSet controller as an event-sourced engine: kubectl's verbs for DaemonSets, nodes and pods")
    .version(cliVersion)
    .option('--server <url>', 'the everynode HTTP API (default EVERYNODE_SERVER or https://127.0.0.1:7700)')
    .option('--token <token>', "bearer token to send (default EVERYNODE_TOKEN, else the one `everynode up` generated for this server)")
    .option('--certificate-authority <file>', "PEM certificate(s) to trust for an https server (default EVERYNODE_CA_FILE, else `up --tls-cert`'s)")
    .option('-n, --namespace <ns>', 'the namespace (default "default"), before or after the verb as with kubectl')
    .configureHelp({ showGlobalOptions: true })
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
  // Bare `everynode` prints the help and succeeds, as kubectl does; a word that is no command is kubectl's error.
  program
    .usage('[options] [command]')
    .argument('[command]')
    .allowExcessArguments()
    .action((word: string | undefined) => {
      if (word === undefined) {
        program.outputHelp();
        return;
      }
      throw new CliError(unknownCommand(word, program));
    });
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
  registerVersion(program, ctx);
  registerCompletion(program, ctx);
  reportAsKubectl(program, program.name());
  return program;
}

/** Each command's flag and subcommand errors in kubectl's (cobra's) words, naming the command's own help. */
function reportAsKubectl(command: Command, path: string): void {
  command.configureOutput({ outputError: (text, write) => write(cobraError(text, path)) });
  for (const sub of command.commands) reportAsKubectl(sub, `${path} ${sub.name()}`);
}

/**
 * commander's `error: unknown option '--x'` as cobra's `Error: unknown flag:
 * --x` (`unknown shorthand flag: 'x' in -x`), and a subcommand's unknown
 * command as kubectl's, each followed by where the help is; other messages
 * as commander words them.
 */
export function cobraError(text: string, path: string): string {
  const option = /^error: unknown option '([^']*)'/.exec(text);
  if (option) {
    const flag = option[1] as string;
    const what = flag.startsWith('--') ? `unknown flag: ${flag}` : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
    return `Error: ${what}\nSee '${path} --help' for usage.\n`;
  }
  const command = /^error: unknown command '([^']*)'/.exec(text);
  if (command) return `error: unknown command ${JSON.stringify(command[1])}\nSee '${path} -h' for help and examples\n`;
  return text;
}

/**
 * cobra's `unknown command "x" for "everynode"`, with its suggestions:
 * commands within two edits of the word, or starting with it.
 */
export function unknownCommand(word: string, program: Command): string[] {
  const lower = word.toLowerCase();
  const suggestions = program.commands
    .map((c) => c.name())
    .filter((name) => name !== 'help' && (levenshtein(lower, name.toLowerCase()) <= 2 || name.toLowerCase().startsWith(lower)));
  const head = `Error: unknown command ${JSON.stringify(word)} for "${program.name()}"`;
  return suggestions.length === 0 ? [head] : [head, '', 'Did you mean this?', ...suggestions.map((s) => `\t${s}`), ''];
}

/** Edit distance (insertions, deletions, substitutions), as cobra's `ld`. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
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
