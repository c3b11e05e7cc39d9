import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision } from '@everynode/daemonset';
import type { LogEntry } from '@everynode/client';
import { cannedServerPerTest, notFound } from '../testing/canned-server.ts';
import { runEverynode } from '../testing/run.ts';

const { serve } = cannedServerPerTest();

describe('everynode node', () => {
  it('join builds a v1 Node from flags and posts it', async () => {
    const { url, requests } = await serve({ 'POST /api/v1/nodes': (r) => ({ status: 201, body: r.body }) });
    const result = await runEverynode([
      'node', 'join', 'worker04', '--label', 'disktype=ssd', '--label', 'zone=a',
      '--taint', 'dedicated=db:NoSchedule', '--taint', 'gpu:NoExecute', '--unschedulable', '--not-ready', '--server', url,
    ]);
    expect(result).toEqual({ code: 0, stdout: 'node/worker04 created\n', stderr: '' });
    expect(requests[0]?.body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker04', labels: { 'kubernetes.io/hostname': 'worker04', disktype: 'ssd', zone: 'a' } },
      spec: { unschedulable: true, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
  });

  it('join refuses a bad taint effect', async () => {
    expect(await runEverynode(['node', 'join', 'n', '--taint', 'k=v:Sometimes'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid taint effect: Sometimes, unsupported taint effect\n',
    });
  });

  it('join reports AlreadyExists from the server', async () => {
    const { url } = await serve({
      'POST /api/v1/nodes': () => ({ status: 409, body: { kind: 'Status', message: 'nodes "n" already exists', reason: 'AlreadyExists', code: 409 } }),
    });
    expect((await runEverynode(['node', 'join', 'n', '--server', url])).stderr).toBe('Error from server (AlreadyExists): nodes "n" already exists\n');
  });

  it('remove deletes the node', async () => {
    const { url, requests } = await serve({ 'DELETE /api/v1/nodes/worker03': () => ({ status: 200, body: { kind: 'Status', status: 'Success' } }) });
    expect(await runEverynode(['node', 'remove', 'worker03', '--server', url])).toEqual({ code: 0, stdout: 'node "worker03" deleted\n', stderr: '' });
    expect(requests).toHaveLength(1);
  });
});

describe('everynode delete', () => {
  it('deletes a DaemonSet', async () => {
    const { url } = await serve({ 'DELETE /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd': () => ({ status: 200, body: { kind: 'Status', status: 'Success' } }) });
    expect(await runEverynode(['delete', 'ds', 'fluentd', '-n', 'kube-system', '--server', url])).toEqual({
      code: 0,
      stdout: 'daemonset.apps "fluentd" deleted\n',
      stderr: '',
    });
  });

  it('reports NotFound', async () => {
    const { url } = await serve({ 'DELETE /apis/apps/v1/namespaces/default/daemonsets/x': () => notFound('daemonsets.apps', 'x') });
    expect(await runEverynode(['delete', 'ds', 'x', '--server', url])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): daemonsets.apps "x" not found\n' });
  });
});

describe('everynode emit', () => {
  const event = (id: string) => JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'io.everynode.node.removed', time: '2026-01-01T00:00:00Z', data: { metadata: { name: 'n' } } });

  it('posts batches of at most 500 and reports refusals by line', async () => {
    const { url, requests } = await serve({
      'POST /events': (r) => {
        const events = r.body as { id: string; source: string }[];
        // Refuse the event with id "bad" wherever it is in the batch.
        const refused = events.flatMap((e, index) => (e.id === 'bad' ? [{ index, id: e.id, reason: 'data.metadata.name: Required' }] : []));
        const accepted = events.filter((e) => e.id !== 'bad').map((e) => ({ id: e.id, source: e.source }));
        return { status: accepted.length > 0 ? 202 : 400, body: { accepted, refused } };
      },
    });
    const lines = Array.from({ length: 600 }, (_, i) => event(`e${i}`));
    lines[3] = event('bad');
    lines[10] = '';
    lines[550] = '{not json';
    const result = await runEverynode(['emit', '-f', '-', '--server', url], { stdin: lines.join('\n') });
    expect(requests.map((r) => (r.body as unknown[]).length)).toEqual([500, 98]);
    expect(requests[0]?.contentType).toBe('application/cloudevents-batch+json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('accepted 597, refused 2\n');
    expect(result.stderr.split('\n')).toEqual([
      'line 4 (id "bad"): data.metadata.name: Required',
      expect.stringMatching(/^line 551: not JSON: /),
      '',
    ]);
  });

  it('exits 0 when everything was accepted', async () => {
    const { url } = await serve({ 'POST /events': () => ({ status: 202, body: { accepted: [{ id: 'a', source: 'test' }], refused: [] } }) });
    expect(await runEverynode(['emit', '-f', '-', '--server', url], { stdin: `${event('a')}\n` })).toEqual({ code: 0, stdout: 'accepted 1, refused 0\n', stderr: '' });
  });
});

describe('everynode log', () => {
  const status = { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 0, numberMisscheduled: 0 };
  const entries: LogEntry[] = [
    {
      seq: 1,
      kind: 'event',
      at: '2026-11-28T11:00:00.000Z',
      applied: true,
      event: { specversion: '1.0', id: 'n1', source: 'cli', type: 'io.everynode.node.joined', time: '2026-11-28T11:00:00Z', data: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker01' } } },
    },
    {
      seq: 2,
      kind: 'pass',
      at: '2026-11-28T11:00:01.000Z',
      daemonSet: 'kube-system/fluentd',
      causes: [1],
      decisions: [
        { type: 'PodCreateRequested', commandId: 'c1', node: 'a', pod: {} },
        { type: 'PodCreateRequested', commandId: 'c2', node: 'b', pod: {} },
        { type: 'PodDeleteRequested', commandId: 'c3', namespace: 'kube-system', name: 'p', node: 'c', reason: 'NodeRemoved', force: true },
        { type: 'DaemonSetStatusUpdated', status },
      ] as unknown as Decision[],
    },
  ];

  it('prints events and passes in a table', async () => {
    const { url, requests } = await serve({ 'GET /log': () => ({ status: 200, body: { items: entries } }) });
    const result = await runEverynode(['log', '--after', '0', '--limit', '2', '--server', url]);
    expect(result.stdout).toBe(
      'SEQ   TIME                       KIND    TYPE                       OBJECT                               DETAIL\n' +
        '1     2026-11-28T11:00:00.000Z   event   io.everynode.node.joined   node/worker01\n' +
        '2     2026-11-28T11:00:01.000Z   pass    reconcile                  daemonset.apps/kube-system/fluentd   create 2, delete 1, status\n',
    );
    expect(requests[0]?.query.toString()).toBe('after=0&limit=2');
  });

  it('prints the entries as JSON with -o json', async () => {
    const { url } = await serve({ 'GET /log': () => ({ status: 200, body: { items: entries } }) });
    expect(JSON.parse((await runEverynode(['log', '-o', 'json', '--server', url])).stdout)).toEqual({ items: entries, next: 2, horizon: 0 });
  });

  it('refuses a non-numeric --after', async () => {
    expect((await runEverynode(['log', '--after', 'x'])).stderr).toBe('error: invalid argument "x" for "--after" flag: must be a non-negative integer\n');
  });
});

describe('everynode replay --verify', () => {
  it('says consistent and exits 0', async () => {
    const { url } = await serve({ 'GET /state/verify': () => ({ status: 200, body: { consistent: true, differences: [], seq: 42 } }) });
    expect(await runEverynode(['replay', '--verify', '--server', url])).toEqual({ code: 0, stdout: 'replay: consistent (42 entries)\n', stderr: '' });
  });

  it('prints each difference and exits 1', async () => {
    const differences = ['pod/default/a: live has Running, log implies Pending'];
    const { url } = await serve({ 'GET /state/verify': () => ({ status: 200, body: { consistent: false, differences, seq: 7 } }) });
    const result = await runEverynode(['replay', '--verify', '--server', url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${differences[0]}\n`);
    expect(result.stderr).toBe('error: replay: the log implies a different state (1 differences after 7 entries)\n');
  });
});

describe('everynode up', () => {
  it('passes its flags to startLocalCluster and stops the cluster on shutdown', async () => {
    const calls: unknown[] = [];
    let stopped = false;
    const startLocalCluster = async (options: unknown) => {
      calls.push(options);
      return { url: 'https://127.0.0.1:7801', stop: async () => void (stopped = true) };
    };
    const config = mkdtempSync(join(tmpdir(), 'everynode-up-flags-'));
    const result = await runEverynode(['up', '--workers', '3', '--simulate', '--port', '7801', '--prefix', 'p1'], {
      env: { REDIS_URL: 'redis://cache:6379', XDG_CONFIG_HOME: config },
      loadEngine: async () => ({ startLocalCluster }),
      untilShutdown: async () => undefined,
    });
    rmSync(config, { recursive: true, force: true });
    expect(result.code).toBe(0);
    expect(calls).toEqual([
      {
        workers: 3,
        simulate: true,
        port: 7801,
        // Safe by default: loopback, a token and a certificate made for the run.
        address: '127.0.0.1',
        auth: { tokens: [{ token: expect.stringMatching(/^[\w-]{43}$/), name: 'admin', permission: 'admin' }], allowedHosts: [], rateLimit: { max: 6000, windowMs: 60_000 } },
        tls: { cert: expect.stringContaining('-----BEGIN CERTIFICATE-----'), key: expect.stringContaining('PRIVATE KEY-----') },
        redisUrl: 'redis://cache:6379',
        prefix: 'p1',
        logger: expect.anything(),
      },
    ]);
    expect(result.stderr).toMatch(/^everynode is up at https:\/\/127\.0\.0\.1:7801 \(3 workers, simulated nodes\)/);
    expect(stopped).toBe(true);
  });

  it('takes the tokens, allowed hosts and rate limit the environment sets, and --address; generates no token then', async () => {
    const calls: { address: string; auth: unknown }[] = [];
    const config = mkdtempSync(join(tmpdir(), 'everynode-up-flags-'));
    const result = await runEverynode(['up', '--address', '0.0.0.0'], {
      env: { XDG_CONFIG_HOME: config, EVERYNODE_TOKEN: 'configured-token-0123456789', EVERYNODE_ALLOWED_HOSTS: 'everynode.lan, 10.0.0.5', EVERYNODE_RATE_LIMIT: '0' },
      loadEngine: async () => ({ startLocalCluster: async (options: { address: string; auth: unknown }) => void calls.push(options) }),
      untilShutdown: async () => undefined,
    });
    rmSync(config, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(calls.map(({ address, auth }) => ({ address, auth }))).toEqual([
      { address: '0.0.0.0', auth: { tokens: [{ token: 'configured-token-0123456789', name: 'admin', permission: 'admin' }], allowedHosts: ['everynode.lan', '10.0.0.5'], rateLimit: false } },
    ]);
    expect(result.stderr).not.toContain('configured-token-0123456789');
    expect(result.stderr).toContain('Generated for this run: a self-signed certificate.');
  });

  it('refuses a certificate without its key, and a bad token, before anything starts', async () => {
    let started = false;
    const loadEngine = async () => ({ startLocalCluster: async () => void (started = true) });
    expect(await runEverynode(['up', '--tls-cert', 'tls.crt'], { loadEngine })).toEqual({ code: 1, stdout: '', stderr: 'error: --tls-cert and --tls-key go together: --tls-key is missing\n' });
    expect(await runEverynode(['up'], { env: { EVERYNODE_TOKEN: 'short' }, loadEngine })).toEqual({ code: 1, stdout: '', stderr: 'error: EVERYNODE_TOKEN: must be at least 16 characters\n' });
    expect(started).toBe(false);
  });

  it('explains when the engine has no startLocalCluster', async () => {
    const result = await runEverynode(['up'], { loadEngine: async () => ({}) });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: the local cluster module does not export startLocalCluster\n' });
  });
});

describe('help', () => {
  it.each([['get'], ['apply'], ['delete'], ['node'], ['node', 'join'], ['node', 'remove'], ['emit'], ['log'], ['replay'], ['up']])(
    'everynode %s --help shows an example',
    async (...command) => {
      const result = await runEverynode([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Examples?:\n {2}everynode /);
    },
  );
});
