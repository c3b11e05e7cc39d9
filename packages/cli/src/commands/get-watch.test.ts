/** `everynode get -w` against a real HTTP peer that lists, then streams watch events. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pod } from '../testing/objects.ts';
import { runEverynode } from '../testing/run.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve) && s.closeAllConnections())));
});

const running = pod('fluentd-abcde', { namespace: 'kube-system', nodeName: 'w1', phase: 'Running', ready: true });
const pending = pod('fluentd-xyz12', { namespace: 'kube-system', nodeName: 'w2', phase: 'Pending', ready: false });
const withRv = <T extends { metadata: object }>(o: T, rv: string): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: rv } });

/** A peer that answers the pod list (resourceVersion 7) and streams `events` to a watch; records the watch URLs. */
async function peer(events: readonly unknown[]): Promise<{ url: string; watches: URL[] }> {
  const watches: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.searchParams.get('watch') !== 'true') {
      res.end(JSON.stringify(url.pathname.endsWith('/fluentd-abcde') ? withRv(running, '4') : { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '7' }, items: [withRv(running, '4')] }));
      return;
    }
    watches.push(url);
    res.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, watches };
}

/** Run `everynode …args` until its stdout has `lines` lines, then stop it as Ctrl-C would. */
async function watchUntil(args: string[], lines: number): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const result = await runEverynode(args, {
    stdout: (text) => {
      stdout += text;
      if (stdout.split('\n').length > lines) stop();
    },
    untilShutdown: () => stopped,
  });
  return { ...result, stdout };
}

describe('everynode get -w', () => {
  it('prints the list, then a row per change under the same header, watching from the list resourceVersion', async () => {
    const { url, watches } = await peer([
      { type: 'ADDED', object: withRv(pending, '8') },
      { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '9' } } },
      { type: 'MODIFIED', object: withRv({ ...pending, status: { ...pending.status, phase: 'Running' } }, '10') },
    ]);
    const result = await watchUntil(['get', 'pods', '-n', 'kube-system', '-w', '--server', url], 4);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'NAME            READY   STATUS    RESTARTS   AGE\n' +
        'fluentd-abcde   1/1     Running   0          60s\n' +
        'fluentd-xyz12   0/1     Pending   0          60s\n' +
        'fluentd-xyz12   0/1     Running   0          60s\n',
    );
    expect(watches[0]?.pathname).toBe('/api/v1/namespaces/kube-system/pods');
    expect(watches[0]?.searchParams.get('resourceVersion')).toBe('7');
  });

  it('--watch-only prints only the changes, the header with the first; NAME watches that one object from its resourceVersion', async () => {
    const { url, watches } = await peer([{ type: 'DELETED', object: withRv(running, '11') }]);
    const result = await watchUntil(['get', 'pod', 'fluentd-abcde', '-n', 'kube-system', '--watch-only', '--server', url], 2);
    expect(result.stdout).toBe('NAME            READY   STATUS    RESTARTS   AGE\nfluentd-abcde   1/1     Running   0          60s\n');
    expect(watches[0]?.searchParams.get('fieldSelector')).toBe('metadata.name=fluentd-abcde');
    expect(watches[0]?.searchParams.get('resourceVersion')).toBe('4');
  });

  it('-o name prints each change by name', async () => {
    const { url } = await peer([{ type: 'ADDED', object: withRv(pending, '8') }]);
    const result = await watchUntil(['get', 'pods', '-n', 'kube-system', '-w', '-o', 'name', '--server', url], 2);
    expect(result.stdout).toBe('pod/fluentd-abcde\npod/fluentd-xyz12\n');
  });

  it('a 410 from the watch is an error, in kubectl words', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 7 (30)', reason: 'Expired', code: 410 };
    const { url } = await peer([{ type: 'ERROR', object: status }]);
    const result = await runEverynode(['get', 'pods', '-n', 'kube-system', '-w', '--server', url], { untilShutdown: () => new Promise(() => undefined) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error from server (Expired): too old resource version: 7 (30)\n');
  });

  it('-o custom-columns prints the header once, then a row per change; -o jsonpath runs the template on each object', async () => {
    const { url } = await peer([{ type: 'ADDED', object: withRv(pending, '8') }]);
    const columns = await watchUntil(['get', 'pods', '-n', 'kube-system', '-w', '-o', 'custom-columns=Name:.metadata.name,NODE:.spec.nodeName', '--server', url], 3);
    expect(columns.stdout).toBe('Name            NODE\nfluentd-abcde   w1\nfluentd-xyz12   w2\n');
    const { url: again } = await peer([{ type: 'ADDED', object: withRv(pending, '8') }]);
    const template = await watchUntil(['get', 'pods', '-n', 'kube-system', '-w', '-o', 'jsonpath={.metadata.name}{"\\n"}', '--server', again], 2);
    expect(template.stdout).toBe('fluentd-abcde\nfluentd-xyz12\n');
  });

  it('--show-labels and --field-selector reach the watch', async () => {
    const { url, watches } = await peer([{ type: 'MODIFIED', object: withRv(running, '8') }]);
    const result = await watchUntil(['get', 'pods', '-n', 'kube-system', '-w', '--show-labels', '--field-selector', 'spec.nodeName=w1', '--server', url], 3);
    expect(result.stdout.split('\n')[0]).toBe('NAME            READY   STATUS    RESTARTS   AGE   LABELS');
    expect(result.stdout.split('\n').slice(1, 3).every((row) => row.endsWith('60s   <none>'))).toBe(true);
    expect(watches[0]?.searchParams.get('fieldSelector')).toBe('spec.nodeName=w1');
  });
});
