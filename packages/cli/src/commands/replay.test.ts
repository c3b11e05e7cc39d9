import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cannedServerPerTest } from '../testing/canned-server.ts';
import { daemonSet, node, pod } from '../testing/objects.ts';
import { runEverynode } from '../testing/run.ts';
import { withProgress } from '../wait-progress.ts';

const { serve } = cannedServerPerTest();

const joined = { seq: 7, kind: 'event', at: '2026-11-28T11:00:00.000Z', applied: true, event: { type: 'io.everynode.node.joined', data: { metadata: { name: 'worker01' } } } };

describe('everynode log filters', () => {
  it('passes --type, --object, --since (a duration measured from the CLI clock) and --after/--limit to GET /log', async () => {
    const { url, requests } = await serve({ 'GET /log': () => ({ status: 200, body: { items: [joined], next: 40 } }) });
    const result = await runEverynode(['log', '--type', 'node.joined', '--object', 'node/worker01', '--since', '1h', '--after', '5', '--limit', '1', '--server', url]);
    expect(result.code).toBe(0);
    expect(Object.fromEntries(requests[0]?.query ?? [])).toEqual({ after: '5', limit: '1', type: 'node.joined', object: 'node/worker01', since: '2026-11-28T11:00:00.000Z' });
    expect(result.stdout).toContain('io.everynode.node.joined   node/worker01');
    expect(result.stderr).toBe('(more may follow: --after 40)\n');
  });

  it('prints the page with its next with -o json', async () => {
    const { url } = await serve({ 'GET /log': () => ({ status: 200, body: { items: [joined], next: 40 } }) });
    expect(JSON.parse((await runEverynode(['log', '--type', 'pass', '-o', 'json', '--server', url])).stdout)).toEqual({ items: [joined], next: 40, horizon: 0 });
  });

  it('says when nothing matched', async () => {
    const { url } = await serve({ 'GET /log': () => ({ status: 200, body: { items: [], next: 90 } }) });
    expect(await runEverynode(['log', '--object', 'ds/fluentd', '--server', url])).toEqual({ code: 0, stdout: '', stderr: 'No matching log entries after seq 0\n' });
  });

  it('refuses a --since that is neither a time nor a duration, naming the flag', async () => {
    const result = await runEverynode(['log', '--since', 'yesterday']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: invalid argument "yesterday" for "--since" flag: must be an RFC 3339 time/);
  });

  it("shows the server's 400 for a bad --type", async () => {
    const message = 'query parameter "type": unknown type "boom"';
    const { url } = await serve({ 'GET /log': () => ({ status: 400, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'BadRequest', code: 400 } }) });
    const result = await runEverynode(['log', '--type', 'boom', '--server', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

const replayed = {
  seq: 120,
  at: '2026-11-27T12:00:00.000Z',
  nodes: { apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: [node('worker01', { created: '2026-11-27T11:00:00Z' })] },
  daemonSets: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSetList',
    metadata: {},
    items: [
      daemonSet('fluentd', { namespace: 'kube-system', created: '2026-11-27T11:30:00Z', status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 0, numberMisscheduled: 0 } }),
      daemonSet('other', { created: '2026-11-27T11:58:00Z' }),
    ],
  },
  pods: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [pod('fluentd-abc', { namespace: 'kube-system', phase: 'Pending', ready: false, created: '2026-11-27T11:59:00Z' })] },
};

describe('everynode replay --to / --at', () => {
  it('prints DaemonSets, nodes and pods as get tables, AGE measured from the replayed moment', async () => {
    const { url, requests } = await serve({ 'GET /state': () => ({ status: 200, body: replayed }) });
    const result = await runEverynode(['replay', '--to', '120', '-n', 'kube-system', '--server', url]);
    expect(result.code).toBe(0);
    expect(requests[0]?.query.toString()).toBe('to=120');
    expect(result.stdout).toBe(
      'NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n' +
        'fluentd   1         1         0       0            0           <none>          30m\n' +
        '\n' +
        'NAME       STATUS   ROLES    AGE   VERSION\n' +
        'worker01   Ready    <none>   60m   <none>\n' +
        '\n' +
        'NAME          READY   STATUS    RESTARTS   AGE\n' +
        'fluentd-abc   0/1     Pending   0          60s\n',
    );
    expect(result.stderr).toBe('Cluster as of seq 120 (2026-11-27T12:00:00.000Z)\n');
  });

  it('-A adds NAMESPACE and lists every namespace; --at 1h is sent as a time', async () => {
    const { url, requests } = await serve({ 'GET /state': () => ({ status: 200, body: replayed }) });
    const result = await runEverynode(['replay', '--at', '1h', '-A', '--server', url]);
    expect(requests[0]?.query.get('at')).toBe('2026-11-28T11:00:00.000Z');
    expect(result.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DESIRED/);
    expect(result.stdout).toContain('kube-system   fluentd');
    expect(result.stdout).toContain('default       other');
  });

  it('-o json prints one v1 List of every object in scope', async () => {
    const { url } = await serve({ 'GET /state': () => ({ status: 200, body: replayed }) });
    const list = JSON.parse((await runEverynode(['replay', '--to', '120', '-o', 'json', '--server', url])).stdout) as { kind: string; items: { kind: string; metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['DaemonSet/other', 'Node/worker01']);
  });

  it('refuses no point in time, both, and --verify with one', async () => {
    expect((await runEverynode(['replay'])).stderr).toBe('error: say when: --to SEQ, --at TIME, or --verify for the present\n');
    expect((await runEverynode(['replay', '--to', '1', '--at', '1h'])).stderr).toBe('error: --to and --at cannot be used together\n');
    expect((await runEverynode(['replay', '--verify', '--to', '1'])).stderr).toBe('error: --verify rebuilds the present: it takes neither --to nor --at\n');
    expect((await runEverynode(['replay', '--to', 'x'])).stderr).toBe('error: invalid argument "x" for "--to" flag: must be a non-negative integer\n');
  });

  it('writes nothing to a stderr that is not a terminal, however long the wait', async () => {
    const { url } = await serve({ 'GET /state': () => ({ status: 200, body: replayed }) });
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const result = await runEverynode(['replay', '--to', '120', '--server', url], { progressStream: stream, progressDelayMs: 0 });
    expect(result.code).toBe(0);
    expect(written).toBe('');
  });
});

describe('withProgress', () => {
  const slow = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

  function terminal(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 80 });
    const out = { text: '' };
    stream.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
    return { stream, out };
  }

  it('draws a bar on a terminal once the wait passes the delay, and clears it', async () => {
    const { stream, out } = terminal(true);
    expect(await withProgress({ progressStream: stream, progressDelayMs: 10 }, 'replaying the log', slow('done', 300))).toBe('done');
    expect(out.text).toContain('replaying the log');
  });

  it('draws nothing when the answer comes before the delay', async () => {
    const { stream, out } = terminal(true);
    await withProgress({ progressStream: stream, progressDelayMs: 1000 }, 'replaying the log', slow('done', 5));
    expect(out.text).toBe('');
  });

  it('draws nothing on a stream that is not a terminal', async () => {
    const { stream, out } = terminal(false);
    await withProgress({ progressStream: stream, progressDelayMs: 0 }, 'replaying the log', slow('done', 100));
    expect(out.text).toBe('');
  });
});
