/**
 * Figure 12, the dashboard on a big cluster, in a real headless Chromium
 * (test/support/browser.ts) against the API serving the built dashboard
 * (`npm run bench` builds it first), on a cluster of N nodes (10,000; 1,000
 * quick) running one DaemonSet, every pod Running (the simulated agent):
 *   12.  the page opened → the grid holding all N rows, every cell Running:
 *        seconds, with the JS heap then (CDP `Performance.getMetrics`), the
 *        DOM's size (the grid is virtualised: a screenful of rows) and the
 *        bytes received (the page's files and the watches' initial events)
 *   12b. a node joined → its row on the open page (the watches, no reload),
 *        beside the time the API itself takes to report the pod Ready
 */
import { randomUUID } from 'node:crypto';
import { EventType } from '@everynode/api';
import { startAgent } from '@everynode/agent';
import { buildServer, findDashboard } from '@everynode/server';
import { launchChromium } from '../test/support/browser.ts';
import type { BenchContext } from './context.ts';

export interface DashboardBenchOptions extends Pick<BenchContext, 'redisUrl' | 'logger' | 'report' | 'engineFor' | 'nodeEvent' | 'daemonSet' | 'submitAll' | 'until' | 'cleanup'> {
  readonly n: number;
}

/** What the page-side functions use of the browser (this program's TypeScript has no DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null; getElementsByTagName(name: string): { length: number } };
}

/** When (performance.now()) the watch at `url` first shows a Running pod on `node`. */
async function watchUntilRunning(url: string, node: string, signal: AbortSignal): Promise<number> {
  const response = await fetch(url, { signal });
  if (!response.body) throw new Error('bench: the pods watch has no body');
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const { object } = JSON.parse(line) as { object: { spec?: { nodeName?: string }; status?: { phase?: string } } };
      if (object.spec?.nodeName === node && object.status?.phase === 'Running') return performance.now();
    }
  }
  throw new Error('bench: the pods watch ended first');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function benchDashboard(options: DashboardBenchOptions): Promise<void> {
  const { n, report, until } = options;
  const dashboard = findDashboard();
  if (!dashboard) throw new Error('bench: figure 12 needs the built dashboard: run `npm run build`');
  const engine = await options.engineFor('dashboard');
  const agent = await startAgent({ connection: options.redisUrl, prefix: engine.prefix, logger: options.logger, defaultStartDelayMs: 0, deleteDelayMs: 0, concurrency: 200 });
  const server = buildServer({ ...engine, dashboard, bullQueues: engine.bullQueues });
  const browser = await launchChromium({ width: 1280, height: 900 });
  try {
    await engine.ingress.submit([options.daemonSet], { wait: true });
    await options.submitAll(engine, Array.from({ length: n }, (_, i) => options.nodeEvent(`node-${String(i).padStart(5, '0')}`)));
    await until(async () => ((await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.numberReady ?? 0) >= n, 900_000, `${n} pods ready`, 200);
    const url = await server.listen({ port: 0, host: '127.0.0.1' });

    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // Bytes the page received until it showed every node (its files, and the watches' initial events).
    let received = 0;
    let counting = true;
    await cdp.send('Network.enable');
    cdp.on('Network.dataReceived', (event: { encodedDataLength: number }) => void (counting && (received += event.encodedDataLength)));
    const started = performance.now();
    await page.goto(`${url}/`);
    // Every node a row, every cell Running: the legend counts them all.
    await page.waitForFunction((count) => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="counts"]')?.textContent === `${count} running`, n, {
      timeout: 300_000,
      polling: 50,
    });
    const loadSeconds = (performance.now() - started) / 1000;
    counting = false;
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    const elements = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.getElementsByTagName('*').length);
    report(
      `12. dashboard, page opened → all ${n} nodes on the grid, Running`,
      `${loadSeconds.toFixed(2)} s; JS heap ${mb(metric('JSHeapUsedSize'))} used of ${mb(metric('JSHeapTotalSize'))}; ${elements} DOM elements; ${mb(received)} received`,
    );

    const name = `node-${String(n).padStart(5, '0')}`;
    // A bare watch of the pods, beside the page's: when the API's stream says the new pod is Running.
    const watchStop = new AbortController();
    const watched = watchUntilRunning(`${url}/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, name, watchStop.signal);
    // Its initial events read (the new node's pod is not among them), as the page's are.
    await sleep(3000);
    const joinedAt = performance.now();
    await engine.ingress.submit([{ ...options.nodeEvent(name), id: randomUUID(), type: EventType.NodeJoined }]);
    // Beside it, when the API itself has the pod Running (its DaemonSet's numberReady): the part of the wait that is the engine's, not the page's.
    const [onPage, inApi] = await Promise.all([
      page
        .waitForFunction((count) => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="counts"]')?.textContent === `${count} running`, n + 1, {
          timeout: 60_000,
          polling: 20,
        })
        .then(() => performance.now() - joinedAt),
      until(async () => ((await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.numberReady ?? 0) > n, 60_000, 'the new pod ready', 10).then(() => performance.now() - joinedAt),
    ]);
    const inWatch = (await watched) - joinedAt;
    watchStop.abort();
    report(
      `12b. a node joined → Running on the open page (${n + 1} nodes)`,
      `${Math.round(onPage)} ms (Ready in the API's own status after ${Math.round(inApi)} ms; Running in a bare pods watch after ${Math.round(inWatch)} ms)`,
    );
  } finally {
    await browser.close();
    await server.close();
    await agent.close();
    await engine.close();
    await options.cleanup(engine.prefix);
  }
}
