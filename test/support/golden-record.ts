/**
 * Records the golden histories under `test/fixtures/golden/` (and the v1
 * fixture `test/fixtures/history-v1.jsonl`) by running a real engine and
 * simulated agent through each scenario and exporting its log. Run it only
 * to add or re-record a history (`npx tsx test/support/golden-record.ts`),
 * then `npm run golden:update` to write the expectations, and review both
 * diffs: a recorded history is a fixture, not an output.
 */
import { writeFileSync } from 'node:fs';
import { exportLog, LogSchemaVersion, upcastEntry } from '@everynode/eventlog';
import type { Engine } from './cluster.ts';
import { cloudEvent, destroyPrefix, eventually, fixture, testAgent, testEngine } from './cluster.ts';
import { daemonSet, nodes, Sim } from './rollout-manifests.ts';

const goldenDir = new URL('../fixtures/golden/', import.meta.url);

const asEvent = (object: Record<string, unknown>) =>
  cloudEvent(object.kind === 'Node' ? 'io.everynode.node.joined' : 'io.everynode.daemonset.applied', object, { source: 'golden' });

async function submit(engine: Engine, events: readonly object[]): Promise<void> {
  const result = await engine.ingress.submit(events, { wait: true });
  if (result.refused.length > 0) throw new Error(`refused: ${JSON.stringify(result.refused)}`);
}

/** Wait until every pod of the cluster runs and nothing is left to reconcile. */
async function settled(engine: Engine, pods: number): Promise<void> {
  await eventually(async () => {
    const all = await engine.reader.listPods();
    const running = all.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    return running.length === pods && all.length === pods && (await engine.store.dirtyDaemonSets()).length === 0;
  }, 30_000, `${pods} running pods`);
}

async function record(name: string, scenario: (engine: Engine) => Promise<void>): Promise<string> {
  const engine = await testEngine(`golden-${name}`);
  const agent = await testAgent(engine);
  try {
    await scenario(engine);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await agent.close();
  }
  let text = '';
  for await (const lines of exportLog(engine.store)) text += lines;
  await engine.close();
  await destroyPrefix(engine.prefix);
  writeFileSync(new URL(`${name}.jsonl`, goldenDir), text);
  console.log(`${name}: ${text.split('\n').length - 1} entries`);
  return text;
}

/** The seed: 6 nodes and fluentd, then a node removed. */
async function seed(engine: Engine): Promise<void> {
  await submit(engine, [...fixture('cluster-6-nodes.yaml'), ...fixture('fluentd-daemonset.yaml')].map(asEvent));
  await eventually(async () => {
    const status = (await engine.reader.listDaemonSets())[0]?.status;
    return status !== undefined && status.desiredNumberScheduled > 0 && status.numberReady === status.desiredNumberScheduled;
  }, 30_000, 'fluentd ready');
  const pods = (await engine.reader.listPods()).length;
  const victim = (await engine.reader.listPods())[0]?.spec.nodeName as string;
  await submit(engine, [cloudEvent('io.everynode.node.removed', { metadata: { name: victim } }, { source: 'golden' })]);
  await settled(engine, pods - 1);
}

/** Three nodes, a rolling update from v1 to v2, and a pod on a failing node in backoff. */
async function rollout(engine: Engine): Promise<void> {
  const agent = (image: string) => daemonSet({ image, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
  await submit(engine, [...nodes(3, 5), agent('agent:v1')].map((o) => asEvent(o as Record<string, unknown>)));
  await settled(engine, 3);
  await submit(engine, [asEvent(agent('agent:v2') as Record<string, unknown>)]);
  await eventually(async () => (await engine.reader.listPods()).every((p) => p.spec.containers?.[0]?.image === 'agent:v2' && p.status?.phase === 'Running'), 30_000, 'rolled out');
  await settled(engine, 3);
  const failing = { ...(nodes(4, 5)[3] as { metadata: { annotations: Record<string, string> } }) };
  failing.metadata.annotations[Sim.FailPods] = 'true';
  await submit(engine, [asEvent(failing as unknown as Record<string, unknown>)]);
  // Let the failing pod be replaced a few times (backoff), then stop.
  await new Promise((r) => setTimeout(r, 2_500));
}

/** An export rewritten in the v1 shape (see packages/eventlog/src/upcast.ts). */
function asV1(text: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const stored = JSON.parse(line) as Record<string, unknown>;
      if (stored.v !== LogSchemaVersion) throw new Error(`unexpected version ${String(stored.v)}`);
      // Whole, as v1 wrote it (v3 writes a pass's pods by difference).
      const { v: _v, ...entry } = upcastEntry(stored) as unknown as Record<string, unknown>;
      if (entry.kind === 'event') {
        const { at, applied: _a, ignored: _i, ...rest } = entry;
        return JSON.stringify({ ...rest, acceptedAt: at });
      }
      const { at, causes: _c, ...rest } = entry;
      return JSON.stringify({ ...rest, time: at });
    })
    .map((l) => `${l}\n`)
    .join('');
}

const seedLog = await record('seed', seed);
await record('rollout', rollout);
writeFileSync(new URL('../fixtures/history-v1.jsonl', import.meta.url), asV1(seedLog));
process.exit(0);
