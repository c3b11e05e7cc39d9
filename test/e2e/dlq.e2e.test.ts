/**
 * The dead-letter queue through the CLI: a refused event and a parked
 * message are listed with their reason and origin, shown whole, replayed
 * (accepted now, or parked again under a new id) and dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import { cloudEvent, destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { everynode, rows } from '../support/cli.ts';

let cluster: LocalCluster;
let server: string;

beforeAll(async () => {
  cluster = await startLocalCluster({ port: 0, prefix: uniquePrefix('dlq'), redisUrl, logger: quietLogger });
  server = cluster.url;
});
afterAll(async () => {
  const prefix = cluster.engine.prefix;
  await cluster.stop();
  await destroyPrefix(prefix);
});

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });

describe('everynode dlq', () => {
  it('lists, shows, replays and drops dead letters', async () => {
    const { ingress } = cluster.engine;
    // A message parked as if the engine had been unreachable: a valid event, replayable as it is.
    const good = cloudEvent('io.everynode.node.joined', node('parked-1'));
    await ingress.park(good, 'engine unreachable', { bus: 'nats', subject: 'cluster.nodes', offset: '7' });
    const bad = { ...cloudEvent('io.everynode.node.joined', node('bad-1')), time: 'yesterday' };
    expect((await ingress.submit([bad], { origin: { bus: 'mqtt', subject: 'nodes/joined' } })).refused).toHaveLength(1);

    const list = await everynode(server, 'dlq', 'list');
    expect(list.code).toBe(0);
    const table = rows(list.stdout);
    expect(table.map((r) => r[1])).toEqual(['parked', 'refused']);
    expect(list.stdout).toContain('nats:cluster.nodes@7');
    expect(list.stdout).toContain('mqtt:nodes/joined');
    expect(list.stdout).toContain('time: must be an RFC 3339 timestamp');
    const [parkedId, refusedId] = table.map((r) => r[0] as string);

    const shown = await everynode(server, 'dlq', 'show', refusedId as string, '-o', 'json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: refusedId, kind: 'refused', event: { id: bad.id, time: 'yesterday' }, origin: { bus: 'mqtt' } });

    const replayed = await everynode(server, 'dlq', 'replay', parkedId as string);
    expect(replayed).toMatchObject({ code: 0, stdout: `deadletter/${parkedId} replayed: event ${good.source}/${good.id} accepted\n` });
    await eventually(async () => (await cluster.engine.reader.getNode('parked-1')) !== undefined, 10_000, 'the replayed node');

    const again = await everynode(server, 'dlq', 'replay', refusedId as string);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('refused again (time: must be an RFC 3339 timestamp)');
    const after = rows((await everynode(server, 'dlq', 'list')).stdout);
    expect(after).toHaveLength(1);
    const newId = after[0]?.[0] as string;
    expect(newId).not.toBe(refusedId);

    expect(await everynode(server, 'dlq', 'drop', newId)).toMatchObject({ code: 0, stdout: `deadletter/${newId} dropped\n` });
    expect((await everynode(server, 'dlq', 'list')).stderr).toBe('No dead letters.\n');
    const missing = await everynode(server, 'dlq', 'show', newId);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Error from server (NotFound): dead letter "${newId}" not found`);
  });
});
