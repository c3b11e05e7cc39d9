/**
 * The agent against a real Redis (REDIS_URL, default 127.0.0.1:6379). Each
 * test runs its own agent under its own prefix and deletes its keys after.
 */
import { PodDeletedSchema, PodStatusReportedSchema, type CreatePodCommand, type PodCommand } from '@everynode/api';
import { Queue, type Job } from 'bullmq';
import { openRedis, type RedisClient } from '@everynode/engine';
import { destroyPrefix } from '../../../test/support/cluster.ts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queuePrefix, startAgent, type Agent, type AgentOptions } from './agent.ts';
import { SimAnnotation } from './sim-annotations.ts';
import { createPodCommand, deletePodCommand } from './testing.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let prefix: string;
let redis: RedisClient;
let commands: Queue;
let events: Queue;
let agent: Agent | undefined;

beforeEach(async () => {
  prefix = `test-agent-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  redis = openRedis(redisUrl);
  commands = new Queue('commands', { connection: redis, prefix: queuePrefix(prefix) });
  events = new Queue('events', { connection: redis, prefix: queuePrefix(prefix) });
});

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await commands.close();
  await events.close();
  await destroyPrefix(prefix);
  await redis.quit();
});

async function start(options: Partial<AgentOptions> = {}): Promise<Agent> {
  agent = await startAgent({ connection: redisUrl, prefix, logger: pino({ level: 'silent' }), ...options });
  return agent;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The events reported so far, oldest first (no engine consumes them here). */
async function reported(): Promise<Job[]> {
  const jobs = await events.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.sort((a, b) => a.timestamp - b.timestamp);
}

async function eventsReported(count: number): Promise<Job[]> {
  return eventually(async () => {
    const jobs = await reported();
    return jobs.length >= count ? jobs : undefined;
  });
}

async function finished(job: Job): Promise<Job> {
  return eventually(async () => {
    const state = await job.getState();
    return state === 'completed' || state === 'failed' ? ((await commands.getJob(job.id ?? '')) ?? undefined) : undefined;
  });
}

function send(command: PodCommand | Record<string, unknown>, attempts = 1): Promise<Job> {
  return commands.add(String(command.type ?? 'invalid'), command, { attempts });
}

const annotated = (annotations: Record<string, Record<string, string>>) => async (node: string) => annotations[node];

/** The command with `annotations` on its pod, as a DaemonSet's pod template would put them. */
function annotatedPod(command: CreatePodCommand, annotations: Record<string, string>): CreatePodCommand {
  return { ...command, data: { ...command.data, metadata: { ...command.data.metadata, annotations } } };
}

describe('the simulated agent', () => {
  it('reports a created pod Running and Ready, bound to its node, with its uid', async () => {
    await start();
    await send(createPodCommand('node-1', 'fluentd-abcde'));

    const [job] = await eventsReported(1);
    const event = PodStatusReportedSchema.parse(job?.data);

    expect(event).toMatchObject({ id: 'create-fluentd-abcde-uid/status', source: 'everynode/agent', specversion: '1.0' });
    expect(event.data.metadata).toMatchObject({ namespace: 'kube-system', name: 'fluentd-abcde', uid: 'fluentd-abcde-uid' });
    expect(event.data.spec.nodeName).toBe('node-1');
    expect(event.data.status.phase).toBe('Running');
    expect(event.data.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
    expect(event.data.status.startTime).toBeDefined();
  });

  it('reports Failed on a node annotated fail-pods', async () => {
    await start({ nodeAnnotations: annotated({ 'node-bad': { [SimAnnotation.FailPods]: 'true' } }) });
    await send(createPodCommand('node-bad', 'fluentd-fffff'));

    const [job] = await eventsReported(1);
    const event = PodStatusReportedSchema.parse(job?.data);

    expect(event.data.status.phase).toBe('Failed');
    expect(event.data.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False' })]);
  });

  it('honours the node start delay', async () => {
    await start({ nodeAnnotations: annotated({ 'node-slow': { [SimAnnotation.StartDelayMs]: '400' } }) });
    const sentAt = Date.now();
    await send(createPodCommand('node-slow', 'fluentd-sssss'));

    const [job] = await eventsReported(1);

    expect(job?.timestamp).toBeGreaterThanOrEqual(sentAt + 400);
  });

  it('reports Failed for a pod annotated fail-pods, on a healthy node', async () => {
    await start();
    await send(annotatedPod(createPodCommand('node-1', 'fluentd-podff'), { [SimAnnotation.FailPods]: 'true' }));

    const [job] = await eventsReported(1);
    const event = PodStatusReportedSchema.parse(job?.data);

    expect(event.data.status.phase).toBe('Failed');
    expect(event.data.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False' })]);
  });

  it("lets a pod's start delay override its node's", async () => {
    await start({ nodeAnnotations: annotated({ 'node-slow': { [SimAnnotation.StartDelayMs]: '5000' } }) });
    const sentAt = Date.now();
    await send(annotatedPod(createPodCommand('node-slow', 'fluentd-quick'), { [SimAnnotation.StartDelayMs]: '300' }));

    const [job] = await eventsReported(1);

    expect(job?.timestamp).toBeGreaterThanOrEqual(sentAt + 300);
    expect(job?.timestamp).toBeLessThan(sentAt + 5000);
  });

  it('reports a deleted pod', async () => {
    await start();
    await send(deletePodCommand('node-1', 'fluentd-abcde'));

    const [job] = await eventsReported(1);
    const event = PodDeletedSchema.parse(job?.data);

    expect(event.id).toBe('delete-fluentd-abcde-uid/deleted');
    expect(event.data).toEqual({ metadata: { namespace: 'kube-system', name: 'fluentd-abcde' } });
  });

  it('executes a command delivered twice once', async () => {
    await start();
    const command = createPodCommand('node-1', 'fluentd-twice');
    const first = await send(command);
    const second = await send(command);

    const outcomes = [(await finished(first)).returnvalue, (await finished(second)).returnvalue];
    const jobs = await reported();

    expect(outcomes.sort()).toEqual(['duplicate', 'running']);
    expect(jobs.map((j) => (j.data as { id: string }).id)).toEqual(['create-fluentd-twice-uid/status']);
  });

  it('reports the same event id when another agent executes the command again', async () => {
    const command = createPodCommand('node-1', 'fluentd-again');
    await start();
    await finished(await send(command));
    await agent?.close();
    await start();
    const again = await finished(await send(command));

    const ids = (await reported()).map((j) => (j.data as { id: string }).id);

    // The fresh agent re-executes it; the event's job id, derived from its id, keeps one copy on the queue.
    expect(again.returnvalue).toBe('running');
    expect(ids).toEqual(['create-fluentd-again-uid/status']);
  });

  it('cancels a pending start when the pod is deleted first', async () => {
    await start({ defaultStartDelayMs: 300 });
    const create = await send(createPodCommand('node-1', 'fluentd-gone'));
    await eventually(async () => ((await create.getState()) === 'active' ? true : undefined));
    await send(deletePodCommand('node-1', 'fluentd-gone'));

    expect((await finished(create)).returnvalue).toBe('cancelled');
    expect((await reported()).map((j) => j.name)).toEqual(['io.everynode.pod.deleted']);
  });

  it('fails an invalid command for good and keeps going', async () => {
    await start();
    const invalid = await send({ specversion: '1.0', type: 'io.everynode.pod.create', id: 'x' }, 3);
    await send(createPodCommand('node-1', 'fluentd-after'));

    const failed = await finished(invalid);
    const [job] = await eventsReported(1);

    expect(await failed.getState()).toBe('failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^invalid command: .*source/s);
    expect((job?.data as { id: string }).id).toBe('create-fluentd-after-uid/status');
  });
});
