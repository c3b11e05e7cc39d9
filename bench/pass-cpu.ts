/**
 * `tsx bench/pass-cpu.ts [nodes] [rounds]`: the Node CPU (user + system,
 * `process.cpuUsage`) of a first pass over a DaemonSet on `nodes` (default
 * 10,000) nodes, in this process and without Redis, phase by phase: the
 * decisions, the log entry's JSON, the projection writes, the commit's
 * arguments, then what the outbox publisher does with the entry (parse it,
 * derive the commands, and the JSON BullMQ writes of each job). The median
 * of `rounds` (default 7) after a first round left out (warm-up). The pure
 * part of figure 4, measured without the noise of Redis and other processes
 * on the machine: compare two commits with it.
 */
import { EventType } from '@everynode/api';
import { applyPass, commandsOf, decide, evolve, viewOf } from '@everynode/daemonset';
import { CommitBuilder, entryOf, Keys, LogSchemaVersion, type PassEntry, passEntryJson, Slice } from '@everynode/eventlog/internal';

const [nodesArg = '10000', roundsArg = '7'] = process.argv.slice(2);
const n = Number(nodesArg);
const rounds = Number(roundsArg);
const keys = new Keys('pass-cpu');
const at = Date.UTC(2026, 0, 1);
const now = at + 1000;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'uid-agent', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:v1', resources: { requests: { cpu: '10m' } } }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    revisionHistoryLimit: 10,
  },
};

const phases = new Map<string, number[]>();
for (let round = 0; round <= rounds; round++) {
  // A slice as a full pass reads it: every node, the DaemonSet, no pods yet (never read from Redis here).
  const slice = new Slice(undefined as never, keys);
  let seq = 0;
  const emit = (type: string, data: unknown) =>
    evolve(slice.state, { specversion: '1.0', id: `e${++seq}`, source: 'bench', type, time: new Date(at).toISOString(), data } as Parameters<typeof evolve>[1]);
  for (let i = 0; i < n; i++) emit(EventType.NodeJoined, { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  emit(EventType.DaemonSetApplied, daemonSet);
  const dsKey = 'kube-system/agent';

  let last = cpuMs();
  const lap = (name: string) => {
    const t = cpuMs();
    if (round > 0) phases.set(name, [...(phases.get(name) ?? []), t - last]);
    last = t;
  };
  const started = last;
  const view = viewOf(slice.state, dsKey);
  if (!view) throw new Error('no DaemonSet');
  const result = decide(view, now);
  lap('decide');
  applyPass(slice.state, dsKey, result.decisions, now);
  const entry: Omit<PassEntry, 'seq'> = { v: LogSchemaVersion, kind: 'pass', at: new Date(now).toISOString(), daemonSet: dsKey, decisions: result.decisions, causes: [], causedBy: {} };
  const json = passEntryJson(entry);
  const commit = new CommitBuilder(keys);
  commit.entryJson(entry, json);
  lap('log entry JSON');
  slice.writeChanges(commit);
  lap('projection writes');
  commit.args(0);
  lap('commit args');
  const read = entryOf(json, 1);
  lap('outbox: parse');
  const commands = read.kind === 'pass' ? commandsOf(read.decisions, Date.parse(read.at)) : [];
  lap('outbox: commands');
  for (const command of commands) JSON.stringify(command);
  lap('outbox: job JSON');
  if (round > 0) phases.set('total', [...(phases.get('total') ?? []), cpuMs() - started]);
  if (commands.length !== n) throw new Error(`expected ${n} commands, got ${commands.length}`);
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(`pass CPU, ${n} nodes, median of ${rounds} rounds (ms): ${[...phases].map(([name, xs]) => `${name} ${median(xs).toFixed(1)}`).join(' | ')}`);
