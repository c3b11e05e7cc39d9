/**
 * Shell completion scripts made from the commander program tree (commander
 * has none built in): every command path's subcommands and flags, the flags
 * that take a value (and what values: `-o`'s printers, files for `-f`,
 * namespaces for `-n`), the resource types each verb takes (`get`,
 * `delete`, `describe`, `rollout …`, `label`, `taint`, `explain`), and the
 * names of objects, asked of the server as the user's own command line
 * would ask (`everynode -n NS get TYPE -o jsonpath=…`, its `--server`,
 * `--token` and `-n` carried over). bash gets a `complete -F` function;
 * zsh gets the same function through zsh's `bashcompinit`.
 */
import type { Command, Option } from 'commander';
import { OutputFormats } from './print/output.ts';

/** The resource types (as a user types them) each verb that takes a type accepts, by command path. */
export const completedTypes: Readonly<Record<string, readonly string[]>> = {
  get: ['daemonsets', 'ds', 'daemonset.apps', 'nodes', 'no', 'pods', 'po'],
  delete: ['daemonsets', 'ds', 'daemonset.apps', 'nodes', 'no'],
  describe: ['daemonsets', 'ds'],
  'rollout status': ['daemonsets', 'ds'],
  'rollout history': ['daemonsets', 'ds'],
  'rollout undo': ['daemonsets', 'ds'],
  'rollout restart': ['daemonsets', 'ds'],
  label: ['nodes', 'no'],
  taint: ['nodes', 'no'],
  explain: ['pods', 'po'],
};

/** Commands whose arguments are node names. */
export const nodeNameCommands: readonly string[] = ['cordon', 'uncordon', 'node remove'];

/** Flags whose value is a file name. */
const fileFlags = ['-f', '--filename', '--certificate-authority', '--tls-cert', '--tls-key', '--bridges'];

/** Options of `command` that are not commander's own help/version. */
function flagsOf(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
}

interface PathInfo {
  readonly path: string;
  readonly subcommands: string[];
  readonly flags: string[];
  /** Flags that consume the next word. */
  readonly valueFlags: string[];
  /** `-o`'s values, where this path has an `-o`. */
  readonly outputs: string[];
}

function collect(command: Command, path: string, into: PathInfo[]): void {
  const options = command.options.filter((o) => o.long !== '--version');
  const output = options.find((o) => o.long === '--output');
  into.push({
    path,
    subcommands: command.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => n !== 'help'),
    flags: [...flagsOf(options), '-h', '--help'],
    valueFlags: flagsOf(options.filter((o) => o.required)),
    outputs: output === undefined ? [] : (output.argChoices ?? (path === 'get' ? OutputFormats.map((f) => (['json', 'yaml', 'name', 'wide'].includes(f) ? f : `${f}=`)) : path === 'version' ? ['json', 'yaml'] : [])),
  });
  for (const sub of command.commands) collect(sub, path === '' ? sub.name() : `${path} ${sub.name()}`, into);
}

/** A shell word in single quotes. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** `case "$1" in 'path') echo 'words' ;; … esac`, for one table of words by command path. */
function caseTable(name: string, rows: readonly (readonly [string, readonly string[]])[]): string {
  const arms = rows.filter(([, words]) => words.length > 0).map(([path, words]) => `    ${quote(path)}) echo ${quote(words.join(' '))} ;;`);
  return [`${name}() {`, '  case "$1" in', ...arms, '  esac', '}'].join('\n');
}

/** The bash completion script for `program` (also the body of the zsh one). */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `__${name.replace(/\W/g, '_')}`;
  const paths: PathInfo[] = [];
  collect(program, '', paths);
  const root = paths.find((p) => p.path === '') as PathInfo;
  // The program's own flags are global: commander reads them before or after the verb.
  const globalFlags = root.flags;
  const globalValueFlags = root.valueFlags;
  return `# ${name} completion for bash (zsh loads it through bashcompinit)
#
#   source <(${name} completion bash)            # this shell
#   ${name} completion bash > /etc/bash_completion.d/${name}

${caseTable(`${fn}_subcommands`, paths.map((p) => [p.path, p.subcommands]))}

${caseTable(`${fn}_flags`, paths.map((p) => [p.path, p.path === '' ? p.flags : p.flags.filter((f) => !globalFlags.includes(f))]))}

${caseTable(`${fn}_value_flags`, paths.map((p) => [p.path, p.path === '' ? p.valueFlags : p.valueFlags.filter((f) => !globalValueFlags.includes(f))]))}

${caseTable(`${fn}_outputs`, paths.map((p) => [p.path, p.outputs]))}

${caseTable(`${fn}_types`, Object.entries(completedTypes))}

# Whether word $2 is a flag of command path $1 (or a global one) that takes the next word as its value.
${fn}_takes_value() {
  local flag
  for flag in $(${fn}_value_flags "") $(${fn}_value_flags "$1"); do
    [[ "$flag" == "$2" ]] && return 0
  done
  return 1
}

# Names of the objects of type $1, asked of the server with the global flags given ($2…).
${fn}_names() {
  local type="$1"
  shift
  "${name}" "$@" get "$type" -o 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}' 2>/dev/null
}

# The namespaces in use, and default.
${fn}_namespaces() {
  { echo default; "${name}" "$@" get ds,pods -A -o 'jsonpath={range .items[*]}{.metadata.namespace}{"\\n"}{end}' 2>/dev/null; } | sort -u
}

_${name.replace(/\W/g, '_')}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word i
  local -a args=() globals=()
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      --namespace=*|--server=*|--token=*|--certificate-authority=*) globals+=("$word") ;;
      --*=*) ;;
      -*)
        # A flag's value is the next word; the word being completed is no value yet.
        if ${fn}_takes_value "$path" "$word" && ((i + 1 < COMP_CWORD)); then
          case "$word" in
            ${['-n', '--namespace', '--server', '--token', '--certificate-authority'].join('|')}) globals+=("$word" "\${COMP_WORDS[i+1]}") ;;
          esac
          i=$((i + 1))
        fi
        ;;
      *)
        if [[ \${#args[@]} -eq 0 && " $(${fn}_subcommands "$path") " == *" $word "* ]]; then
          path="\${path:+$path }$word"
        else
          args+=("$word")
        fi
        ;;
    esac
  done
  prev="\${COMP_WORDS[COMP_CWORD-1]}"

  if [[ $COMP_CWORD -gt 1 ]] && ${fn}_takes_value "$path" "$prev"; then
    case "$prev" in
      -o|--output)
        COMPREPLY=($(compgen -W "$(${fn}_outputs "$path")" -- "$cur"))
        # jsonpath= and the like wait for their argument: no space after them.
        [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *= ]] && { compopt -o nospace 2>/dev/null || true; }
        ;;
      -n|--namespace) COMPREPLY=($(compgen -W "$(${fn}_namespaces "\${globals[@]}")" -- "$cur")) ;;
      ${fileFlags.join('|')}) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
  fi

  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_flags "$path") $(${fn}_flags "")" -- "$cur"))
    return 0
  fi

  local subcommands
  subcommands="$(${fn}_subcommands "$path")"
  if [[ -n "$subcommands" && \${#args[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
    return 0
  fi

  local types type
  types="$(${fn}_types "$path")"
  if [[ -n "$types" ]]; then
    if [[ \${#args[@]} -eq 0 ]]; then
      if [[ "$cur" == */* ]]; then
        type="\${cur%%/*}"
        COMPREPLY=($(compgen -P "$type/" -W "$(${fn}_names "$type" "\${globals[@]}")" -- "\${cur#*/}"))
      elif [[ "$cur" == *,* ]]; then
        COMPREPLY=($(compgen -P "\${cur%,*}," -W "$types" -- "\${cur##*,}"))
      else
        COMPREPLY=($(compgen -W "$types" -- "$cur"))
      fi
    elif [[ "\${args[0]}" != */* && "\${args[0]}" != *,* ]]; then
      COMPREPLY=($(compgen -W "$(${fn}_names "\${args[0]}" "\${globals[@]}")" -- "$cur"))
    fi
    return 0
  fi

  case "|${nodeNameCommands.join('|')}|" in
    *"|$path|"*) COMPREPLY=($(compgen -W "$(${fn}_names nodes "\${globals[@]}")" -- "$cur")) ;;
  esac
  return 0
}

complete -F _${name.replace(/\W/g, '_')} ${name}
`;
}

/** The zsh completion script: bash's function, loaded through zsh's `bashcompinit`. */
export function zshCompletion(program: Command): string {
  const name = program.name();
  return `#compdef ${name}
# ${name} completion for zsh
#
#   source <(${name} completion zsh)             # this shell (after compinit)
#   ${name} completion zsh > "\${fpath[1]}/_${name}"

autoload -U +X bashcompinit && bashcompinit

${bashCompletion(program).split('\n').filter((line) => !line.startsWith('# ') && line !== '#').join('\n')}`;
}
