/**
 * Versioned entries, export and import against a real Redis: every entry is
 * stored with its version; an export imported into an empty prefix gives the
 * same log, idempotency and projection, publishes nothing, and verifies; a
 * v1 history reads as today's.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent } from '@everynode/api';
import { AllNodes, diffStates, EventStore, exportLog, importLog, ImportRefused, liveState, LogFormatError, LogSchemaVersion, verify } from '@everynode/eventlog/internal';
import { acceptEvents } from './internal.ts';
import { settle } from './testing.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const t0 = Date.parse('2026-03-01T00:00:00Z');
let redis: RedisClient;
let source: EventStore;
let target: EventStore;
let n = 0;

const prefix = (name: string) => `test-archive-${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const event = (type: string, data: unknown, at = t0 + n): ClusterEvent =>
  ({ specversion: '1.0', id: `e${++n}`, source: 'test', type, time: new Date(at).toISOString(), data }) as ClusterEvent;
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd', namespace: 'kube-system' }, spec: { selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'f', image: 'fluentd:v1' }] } } } };

const settleAll = (on: EventStore, now = t0 + 10_000) => settle(on, now);

/** A small history in `source`: two nodes, a DaemonSet and its pods, a stale event, a node removed. */
async function recordHistory(): Promise<void> {
  await acceptEvents(source, [event('io.everynode.node.joined', node('a')), event('io.everynode.node.joined', node('b')), event('io.everynode.daemonset.applied', ds)], t0);
  await settleAll(source);
  await acceptEvents(source, [event('io.everynode.node.joined', node('a'), t0 - 1000)], t0 + 1); // stale: recorded, not applied
  await acceptEvents(source, [event('io.everynode.node.removed', { metadata: { name: 'b' } })], t0 + 2);
  await settleAll(source, t0 + 20_000);
}

async function exported(store: EventStore): Promise<string> {
  let text = '';
  for await (const lines of exportLog(store, { batch: 3 })) text += lines;
  return text;
}

beforeEach(() => {
  redis = openRedis(url);
  source = new EventStore(redis, prefix('source'));
  target = new EventStore(redis, prefix('target'));
});
afterEach(async () => {
  await source.destroy();
  await target.destroy();
  await redis.quit();
});

describe('versioned entries', () => {
  it(`stores every event and pass with v: ${LogSchemaVersion}, a pass's pods by difference`, async () => {
    await recordHistory();
    const rows = await redis.xrange(source.keys.log, '-', '+');
    expect(rows.length).toBeGreaterThan(5);
    const kinds = rows.map(([, fields]) => JSON.parse(fields[1] as string) as { v: number; kind: string; podBase?: object; decisions?: { type: string; pod?: object }[] });
    expect(new Set(kinds.map((k) => k.kind))).toEqual(new Set(['event', 'pass']));
    expect(kinds.every((k) => k.v === LogSchemaVersion)).toBe(true);
    const creating = kinds.filter((k) => k.decisions?.some((d) => d.type === 'PodCreateRequested'));
    expect(creating.length).toBeGreaterThan(0);
    for (const pass of creating) {
      expect(pass.podBase).toBeDefined();
      expect(pass.decisions?.filter((d) => d.type === 'PodCreateRequested').every((d) => d.pod === undefined)).toBe(true);
    }
    // Read back whole: every creation has its pod.
    const read = (await source.readLog({ limit: 1000 })).filter((e) => e.kind === 'pass');
    expect(read.flatMap((e) => e.decisions).filter((d) => d.type === 'PodCreateRequested').every((d) => d.pod.metadata.uid !== undefined)).toBe(true);
  });
});

describe('export and import', () => {
  it('exports one line per entry, seq and v first, in order', async () => {
    await recordHistory();
    const lines = (await exported(source)).trimEnd().split('\n');
    expect(lines).toHaveLength(await source.lastSeq());
    lines.forEach((line, i) => expect(line.startsWith(`{"seq":${i + 1},"v":${LogSchemaVersion},"kind":`)).toBe(true));
  });

  it('imports into an empty prefix: same log, seq, idempotency and projection; no commands; verify clean', async () => {
    await recordHistory();
    const text = await exported(source);
    // Chunks cut mid-line, as a request body arrives.
    const chunks = text.match(/[\s\S]{1,777}/g) as string[];
    const result = await importLog(target, chunks, { batch: 4 });
    expect(result).toMatchObject({ entries: await source.lastSeq(), lastSeq: await source.lastSeq(), nodes: 1, daemonSets: 1 });

    expect(await redis.xrange(target.keys.log, '-', '+')).toEqual(await redis.xrange(source.keys.log, '-', '+'));
    expect(await target.lastSeq()).toBe(await source.lastSeq());
    expect(await redis.hgetall(target.keys.seen)).toEqual(await redis.hgetall(source.keys.seen));
    expect(diffStates(await liveState(source), await liveState(target))).toEqual([]);
    for (const key of ['node-pods:a', 'node-pods:b', 'ds-pods:kube-system/fluentd', 'orphans:kube-system']) {
      expect((await redis.smembers(`${target.keys.tag}:${key}`)).sort(), key).toEqual((await redis.smembers(`${source.keys.tag}:${key}`)).sort());
    }
    expect(await verify(target)).toMatchObject({ consistent: true, differences: [] });
    // Each object's resourceVersion is the import's last seq (it changed at or before it), recorded as a commit records it.
    expect(await redis.hmget(target.keys.rv, 'node/a', 'ds/kube-system/fluentd')).toEqual([String(result.lastSeq), String(result.lastSeq)]);
    const { items, lastSeq } = await target.readVersioned('nodes');
    expect({ items, lastSeq }).toEqual({ items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'a', resourceVersion: String(result.lastSeq) }) })], lastSeq: result.lastSeq });
    const pods = (await target.readVersioned('pods', { namespace: 'kube-system' })).items;
    expect(pods.map((p) => p.metadata.resourceVersion)).toEqual([String(result.lastSeq)]);
    expect(await redis.xlen(target.keys.outbox)).toBe(0);
    // Every DaemonSet gets a full pass, which finds nothing to do: the state is what it wants.
    expect(await redis.hgetall(target.keys.dirty('kube-system/fluentd'))).toEqual({ [AllNodes]: '1' });
    expect(await settleAll(target, t0 + 20_000)).toBe(0);
    expect(await redis.xlen(target.keys.outbox)).toBe(0);
    // An imported event is known: sending it again is a duplicate.
    const first = JSON.parse(text.split('\n')[0] as string) as { event: ClusterEvent };
    expect((await acceptEvents(target, [first.event], t0 + 30_000)).results[0]).toMatchObject({ duplicate: true, seq: 1 });
  });

  it('refuses a prefix whose log is not empty, writing nothing', async () => {
    await recordHistory();
    const before = await source.lastSeq();
    await expect(importLog(source, [await exported(source)])).rejects.toThrow(ImportRefused);
    await expect(importLog(source, [''])).rejects.toThrow(/is not empty \(\d+ entries, last seq \d+\): import only into an empty prefix/);
    expect(await source.lastSeq()).toBe(before);
  });

  it('names the line that is not an entry, or whose seq does not increase', async () => {
    await expect(importLog(target, ['{"seq":1,"v":2,"kind":"pass","at":"2026-01-01T00:00:00Z","daemonSet":"a/b","decisions":[],"causes":[]}\nnot json\n'])).rejects.toThrow(
      new LogFormatError('line 2: not JSON: Unexpected token \'o\', "not json" is not valid JSON'),
    );
    await target.destroy();
    const pass = (seq: number) => `{"seq":${seq},"v":2,"kind":"pass","at":"2026-01-01T00:00:00Z","daemonSet":"a/b","decisions":[],"causes":[]}\n`;
    await expect(importLog(target, [pass(2) + pass(2)])).rejects.toThrow('line 2: seq 2 must be an integer greater than the previous line\'s (2)');
    await target.destroy();
    await expect(importLog(target, ['{"seq":1,"v":7,"kind":"pass"}'])).rejects.toThrow('line 1: log entry 1: unknown schema version 7');
  });

  it('names the field of a leading snapshot line that is not a state, writing nothing', async () => {
    const line = '{"kind":"snapshot","seq":5,"at":"2026-01-01T00:00:00Z","state":{"nodes":[],"pods":{},"versions":[],"daemonSets":[]}}\n';
    await expect(importLog(target, [line])).rejects.toThrow(new LogFormatError('line 1: state.pods is missing or not a list'));
    expect(await target.lastSeq()).toBe(0);
    expect(await target.logHorizon()).toBe(0);
  });
});

describe('a recorded v1 history (test/fixtures/history-v1.jsonl)', () => {
  const text = readFileSync(new URL('../../../test/fixtures/history-v1.jsonl', import.meta.url), 'utf8');

  it('is in the v1 shape', () => {
    const entries = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.every((e) => e.v === undefined && e.at === undefined)).toBe(true);
    expect(entries.filter((e) => e.kind === 'event').every((e) => typeof e.acceptedAt === 'string' && e.applied === undefined)).toBe(true);
    expect(entries.filter((e) => e.kind === 'pass').every((e) => typeof e.time === 'string' && e.causes === undefined)).toBe(true);
  });

  it('imports as stored, reads upcast, replays to the seed state, and verifies', async () => {
    const result = await importLog(target, [text]);
    expect(result).toMatchObject({ entries: 20, lastSeq: 20, nodes: 5, daemonSets: 1, pods: 5 });
    // Stored in its own version; read as the current one.
    expect(JSON.parse((await redis.xrange(target.keys.log, '1-0', '1-0'))[0]?.[1][1] as string)).not.toHaveProperty('v');
    const log = await target.readLog({ limit: 100 });
    expect(log.every((e) => e.v === LogSchemaVersion && typeof e.at === 'string')).toBe(true);
    expect(log.filter((e) => e.kind === 'pass').every((e) => Array.isArray(e.causes))).toBe(true);
    expect(await verify(target)).toMatchObject({ consistent: true });
    const ds = await target.getDaemonSet('kube-system', 'fluentd-elasticsearch');
    expect(ds?.status).toMatchObject({ desiredNumberScheduled: 5, currentNumberScheduled: 5, numberReady: 5, updatedNumberScheduled: 5 });
    expect((await target.listPods()).every((p) => p.status?.phase === 'Running')).toBe(true);
    // Exported again, it stays v1: an archive keeps history as written.
    expect((await exported(target)).split('\n')[0]).toMatch(/^\{"seq":1,"v":1,"kind":"event","event":/);
  });
});
