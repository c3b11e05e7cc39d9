/** Commands out (docs/contract.md §3): CloudEvents with deterministic ids, and the Events describe shows. */
import { describe, expect, it } from 'vitest';
import { PodCommandSchema } from '@everynode/api';
import { commandOf, commandsOf } from './commands.ts';
import { eventsOf } from './controller-events.ts';
import { newDaemonSet, newNode } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

function cluster(): SimCluster {
  return new SimCluster().joinNode(newNode('a')).joinNode(newNode('b')).applyDaemonSet(newDaemonSet('ds'));
}

describe('commands', () => {
  it('a pass\'s creates become valid io.everynode.pod.create commands whose subject is the node', () => {
    const sim = cluster();
    const { decisions } = sim.pass();
    const commands = commandsOf(decisions, sim.now);
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      expect(PodCommandSchema.safeParse(command).success).toBe(true);
      expect(command.type).toBe('io.everynode.pod.create');
    }
    expect(commands.map((c) => c.subject).sort()).toEqual(['a', 'b']);
  });

  it('the same history yields the same command ids; different pods different ids', () => {
    const ids = () => {
      const sim = cluster();
      return commandsOf(sim.pass().decisions, sim.now).map((c) => c.id);
    };
    const first = ids();
    expect(ids()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('a delete command names the pod, its node and the reason', () => {
    const sim = cluster();
    sim.settle();
    sim.removeNode('b');
    const [command] = commandsOf(sim.pass().decisions, sim.now);
    expect(command).toMatchObject({
      type: 'io.everynode.pod.delete',
      subject: 'b',
      data: { metadata: { namespace: 'default' }, spec: { nodeName: 'b' }, reason: 'NodeRemoved' },
    });
    expect(PodCommandSchema.safeParse(command).success).toBe(true);
  });

  it("is commandOf of each decision that emits one, in order, to the JSON key order (the jobs' shape)", () => {
    const sim = cluster();
    const created = sim.pass().decisions;
    sim.settle();
    sim.removeNode('b');
    const decisions = [...created, ...sim.pass().decisions];
    expect(decisions.some((d) => commandOf(d, sim.now) === undefined)).toBe(true);
    const expected = decisions.flatMap((d) => commandOf(d, sim.now) ?? []);
    expect(expected.map((c) => c.type)).toEqual(['io.everynode.pod.create', 'io.everynode.pod.create', 'io.everynode.pod.delete']);
    expect(JSON.stringify(commandsOf(decisions, sim.now))).toBe(JSON.stringify(expected));
    // The jobs executors receive, written out: key order and all.
    const time = new Date(sim.now).toISOString();
    const [create, , remove] = expected;
    const createDecision = decisions.find((d) => d.type === 'PodCreateRequested');
    const deleted = decisions.find((d) => d.type === 'PodDeleteRequested');
    if (createDecision?.type !== 'PodCreateRequested' || deleted?.type !== 'PodDeleteRequested') throw new Error('expected a create and a delete');
    const envelope = `"specversion":"1.0","source":"everynode/daemonset-controller","time":"${time}","datacontenttype":"application/json"`;
    expect(JSON.stringify(create)).toBe(
      `{${envelope},"id":"${createDecision.commandId}","type":"io.everynode.pod.create","subject":"${createDecision.node}","data":${JSON.stringify(createDecision.pod)}}`,
    );
    expect(JSON.stringify(remove)).toBe(
      `{${envelope},"id":"${deleted.commandId}","type":"io.everynode.pod.delete","subject":"b","data":{"metadata":{"namespace":"default","name":"${deleted.name}"},"spec":{"nodeName":"b"},"reason":"${deleted.reason}"}}`,
    );
  });

  it('decisions map to kubectl-visible Events (SuccessfulCreate, FailedDaemonPod, SuccessfulDelete)', () => {
    const sim = cluster();
    const { decisions } = sim.pass();
    expect(eventsOf(decisions[decisions.length - 2]!)).toEqual([
      { type: 'Normal', reason: 'SuccessfulCreate', message: expect.stringMatching(/^Created pod: ds-/) },
    ]);
    sim.startAll();
    const pod = sim.pods('a')[0]!;
    sim.report(pod, 'Failed');
    const failed = sim.pass().decisions.find((d) => d.type === 'PodDeleteRequested')!;
    expect(eventsOf(failed).map((e) => e.reason)).toEqual(['FailedDaemonPod', 'SuccessfulDelete']);
    expect(eventsOf(failed)[0]?.message).toBe(`Found failed daemon pod default/${pod.metadata.name} on node a, will try to kill it`);
  });
});
