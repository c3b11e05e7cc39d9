/**
 * `everynode completion bash|zsh`: the script as the CLI prints it, sourced
 * in a real bash, its completion function called as bash calls it
 * (COMP_WORDS, COMP_CWORD) and COMPREPLY read back. Object names come from
 * `everynode get …`, which a shell function stands in for here, recording
 * how it was asked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEverynode } from './testing/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'everynode-completion-'));
const script = join(dir, 'everynode.bash');
const calls = join(dir, 'calls');

beforeAll(async () => {
  const printed = await runEverynode(['completion', 'bash']);
  expect(printed).toMatchObject({ code: 0, stderr: '' });
  writeFileSync(script, printed.stdout);
  writeFileSync(join(dir, 'ds.yaml'), '');
  writeFileSync(join(dir, 'dsx.json'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in `everynode` for the names the script asks the server for; it records its arguments. */
const fakeEverynode = `
everynode() {
  printf '%s\\n' "$*" >> ${JSON.stringify(calls)}
  case "$*" in
    *"get ds,pods -A "*) printf 'kube-system\\nkube-system\\nmonitoring\\n' ;;
    *"get ds "*|*"get daemonsets "*) printf 'fluentd\\nkube-proxy\\n' ;;
    *"get nodes "*|*"get no "*) printf 'worker01\\nworker02\\n' ;;
  esac
}`;

/** COMPREPLY for the command line `line` (the cursor at its end), and how `everynode` was run for names. */
function complete(line: string): { replies: string[]; calls: string[] } {
  const words = line.split(' ');
  writeFileSync(calls, '');
  const program = [
    `source ${JSON.stringify(script)}`,
    fakeEverynode,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE=${JSON.stringify(line)}`,
    '_everynode',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: dir, encoding: 'utf8' });
  const recorded = execFileSync('cat', [calls], { encoding: 'utf8' });
  return { replies: out.split('\n').filter((l) => l !== ''), calls: recorded.split('\n').filter((l) => l !== '') };
}

describe('bash completion, sourced in bash', () => {
  it('completes the commands', () => {
    const { replies } = complete('everynode ');
    expect(replies).toEqual(expect.arrayContaining(['apply', 'get', 'delete', 'describe', 'rollout', 'version', 'completion', 'kubeconfig']));
    expect(replies).not.toContain('help');
    expect(complete('everynode ver').replies).toEqual(['version']);
    expect(complete('everynode c').replies).toEqual(['cordon', 'completion']);
  });

  it('completes subcommands, after global flags too', () => {
    expect(complete('everynode rollout ').replies).toEqual(['status', 'history', 'undo', 'restart']);
    expect(complete('everynode -n kube-system --server https://h:7700 rollout s').replies).toEqual(['status']);
    expect(complete('everynode dlq ').replies).toEqual(['list', 'show', 'replay', 'drop']);
  });

  it('completes the resource types a verb takes, and after a comma, more of them', () => {
    expect(complete('everynode get ').replies).toEqual(['daemonsets', 'ds', 'daemonset.apps', 'nodes', 'no', 'pods', 'po']);
    expect(complete('everynode get d').replies).toEqual(['daemonsets', 'ds', 'daemonset.apps']);
    expect(complete('everynode get ds,p').replies).toEqual(['ds,pods', 'ds,po']);
    expect(complete('everynode describe ').replies).toEqual(['daemonsets', 'ds']);
    expect(complete('everynode rollout undo d').replies).toEqual(['daemonsets', 'ds']);
    expect(complete('everynode taint n').replies).toEqual(['nodes', 'no']);
  });

  it("completes object names, asking the server with the command line's -n, --server and --token", () => {
    const { replies, calls: asked } = complete('everynode -n kube-system get ds --server https://h:7700 f');
    expect(replies).toEqual(['fluentd']);
    expect(asked).toEqual(['-n kube-system --server https://h:7700 get ds -o jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']);
    expect(complete('everynode get ds/k').replies).toEqual(['ds/kube-proxy']);
    expect(complete('everynode describe ds ').replies).toEqual(['fluentd', 'kube-proxy']);
    expect(complete('everynode cordon w').replies).toEqual(['worker01', 'worker02']);
    expect(complete('everynode node remove worker0').replies).toEqual(['worker01', 'worker02']);
  });

  it('asks for no names where a verb takes none, or several kinds were named', () => {
    expect(complete('everynode get ds,po ')).toEqual({ replies: [], calls: [] });
    expect(complete('everynode version ')).toEqual({ replies: [], calls: [] });
  });

  it("completes a command's flags and the global ones", () => {
    const { replies } = complete('everynode get ds --');
    expect(replies).toEqual(expect.arrayContaining(['--all-namespaces', '--selector', '--field-selector', '--output', '--show-labels', '--watch', '--watch-only', '--server', '--namespace', '--help']));
    expect(replies).not.toContain('--ignore-not-found');
    expect(complete('everynode delete --ig').replies).toEqual(['--ignore-not-found']);
    expect(complete('everynode version --c').replies).toEqual(['--client', '--certificate-authority']);
  });

  it("completes flag values: -o's printers, -n's namespaces, -f's files", () => {
    expect(complete('everynode get pods -o ').replies).toEqual(['custom-columns=', 'custom-columns-file=', 'json', 'jsonpath=', 'jsonpath-file=', 'name', 'wide', 'yaml']);
    expect(complete('everynode version -o ').replies).toEqual(['json', 'yaml']);
    expect(complete('everynode replay -o ').replies).toEqual(['json', 'yaml']);
    const namespaces = complete('everynode get pods -n ');
    expect(namespaces.replies).toEqual(['default', 'kube-system', 'monitoring']);
    expect(namespaces.calls).toEqual(['get ds,pods -A -o jsonpath={range .items[*]}{.metadata.namespace}{"\\n"}{end}']);
    expect(complete('everynode apply -f ds').replies.sort()).toEqual(['ds.yaml', 'dsx.json']);
    expect(complete('everynode delete -f dsx').replies).toEqual(['dsx.json']);
  });

  it('a flag value is not taken for a command or a type', () => {
    expect(complete('everynode --server get ').replies).toEqual(expect.arrayContaining(['get', 'apply']));
    expect(complete('everynode get -l app=x ').replies).toEqual(['daemonsets', 'ds', 'daemonset.apps', 'nodes', 'no', 'pods', 'po']);
  });
});

describe('zsh completion', () => {
  it("is bash's function loaded through bashcompinit, and parses", async () => {
    const zsh = await runEverynode(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.startsWith('#compdef everynode\n')).toBe(true);
    expect(zsh.stdout).toContain('autoload -U +X bashcompinit && bashcompinit\n');
    expect(zsh.stdout).toContain('_everynode() {');
    expect(zsh.stdout.trimEnd().endsWith('complete -F _everynode everynode')).toBe(true);
    // zsh itself is not on every machine; bash parses this script's syntax too.
    const file = join(dir, '_everynode');
    writeFileSync(file, zsh.stdout);
    expect(execFileSync('bash', ['-n', file], { encoding: 'utf8' })).toBe('');
  });
});

describe('everynode completion', () => {
  it('refuses no shell, and a shell it has no script for, as kubectl does', async () => {
    expect(await runEverynode(['completion'])).toEqual({ code: 1, stdout: '', stderr: "Error: Shell not specified.\nSee 'everynode completion -h' for help and examples\n" });
    expect(await runEverynode(['completion', 'fish'])).toEqual({ code: 1, stdout: '', stderr: "error: Unsupported shell type \"fish\".\nSee 'everynode completion -h' for help and examples\n" });
  });
});
