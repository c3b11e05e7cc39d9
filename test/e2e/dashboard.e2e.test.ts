/**
 * The dashboard in a real headless Chromium against a real local cluster
 * (simulated nodes, tokens on), driven through the CLI as a user would:
 * the seed's cluster is 6 green cells; a node joined from the CLI appears
 * without a reload; a rollout's bars move; the scrubber at the seq before
 * `node remove worker01` shows worker01 again; clicking a pod shows its
 * causes; and the queues' depths, a parked event retried from the page,
 * bull-board's own page. Each run takes the screenshots the README shows;
 * `npm run screenshots:update` writes them to docs/images/, other runs to a
 * scratch directory (a test run leaves the checkout as it was).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import { type Browser, launchChromium } from '../support/browser.ts';
import { everynode } from '../support/cli.ts';
import { cloudEvent, destroyPrefix, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const token = 'dashboard-admin-token-0123456789';
const ds = 'kube-system/fluentd-elasticsearch';
const scratch = mkdtempSync(join(tmpdir(), 'everynode-dashboard-e2e-'));
const images = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : join(scratch, 'images');

let cluster: LocalCluster;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let server: string;
const previousToken = process.env.EVERYNODE_TOKEN;

/** The CLI, as the test's user (the token in its environment). */
async function cli(...args: string[]): Promise<string> {
  const result = await everynode(server, ...args);
  expect(result.code, `everynode ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** GET `path` from the API as the test's user. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/**
 * What the functions run in the page use of its globals, typed here: this
 * program's TypeScript has no DOM library (it is Node's), and the casts
 * compile away.
 */
interface PageGlobals {
  location: { hash: string };
  document: { querySelector(selector: string): { textContent: string | null } };
  getComputedStyle(element: unknown): { backgroundColor: string };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
  sameDocument?: boolean;
  seen?: string[];
}

const cells = (state: string) => page.locator(`.content .cell[data-ds="${ds}"][data-state="${state}"]`);

beforeAll(async () => {
  process.env.EVERYNODE_TOKEN = token;
  cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('dashboard'), redisUrl, logger: quietLogger, auth: { tokens: [{ token, name: 'admin', permission: 'admin' }] } });
  server = cluster.url;
  expect(cluster.dashboardUrl).toBe(`${server}/`);
  browser = await launchChromium();
  page = await browser.context.newPage();
  // What the page says went wrong: a script or style its policy blocked, a failed load, an uncaught error.
  page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(`${message.text()} (${message.location().url})`)));
  page.on('pageerror', (error) => void pageErrors.push(error.message));
  page.on('response', (response) => void (response.status() >= 400 && pageErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`)));
  mkdirSync(images, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const prefix = cluster?.engine.prefix;
  await cluster?.stop();
  if (prefix) await destroyPrefix(prefix);
  rmSync(scratch, { recursive: true, force: true });
  if (previousToken === undefined) delete process.env.EVERYNODE_TOKEN;
  else process.env.EVERYNODE_TOKEN = previousToken;
});

describe('the dashboard in Chromium', () => {
  it("shows the seed's cluster as 6 green cells", async () => {
    await page.goto(`${cluster.dashboardUrl}#token=${token}`);
    // The token left the address bar for the tab's storage.
    await page.waitForFunction(() => !(globalThis as unknown as PageGlobals).location.hash.includes('token'));
    await cli('apply', '-f', fixture('cluster-6-nodes.yaml'));
    await cli('apply', '-f', fixture('fluentd-daemonset.yaml'));
    await expect.poll(() => cells('running').count(), { timeout: 20_000 }).toBe(6);
    expect(await page.locator('.content .cell').count()).toBe(6);
    const nodes = await cells('running').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(nodes.sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
    // Green: the running colour, as the page paints it.
    expect(await cells('running').first().evaluate((e) => (globalThis as unknown as PageGlobals).getComputedStyle(e).backgroundColor)).toBe('rgb(46, 157, 79)');
    // A node's taints and conditions on hover.
    expect(await page.locator('[data-row="master01"] .node-name').getAttribute('title')).toContain('taint node-role.kubernetes.io/master:NoSchedule');
    await page.screenshot({ path: join(images, 'dashboard-cluster.png') });
  });

  it('shows a node joined from the CLI without a reload', async () => {
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).sameDocument = true));
    await cli('node', 'join', 'worker04');
    await expect.poll(() => page.locator(`.content .cell[data-node="worker04"][data-state="running"]`).count(), { timeout: 20_000 }).toBe(1);
    expect(await cells('running').count()).toBe(7);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sameDocument)).toBe(true);
  });

  it("moves a rollout's bars as it happens", async () => {
    await page.locator('[data-tab="rollouts"]').click();
    const rollout = page.locator(`.rollout[data-ds="${ds}"]`);
    await expect.poll(() => rollout.locator('[data-bar="up-to-date"]').textContent()).toBe('7');
    // Every value the up-to-date bar shows, as the page shows it.
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const seen: string[] = [];
      g.seen = seen;
      const bar = g.document.querySelector('.rollout [data-bar="up-to-date"]');
      new g.MutationObserver(() => seen.push(bar.textContent ?? '')).observe(bar, { childList: true, characterData: true, subtree: true });
    });
    const manifest = readFileSync(fixture('fluentd-daemonset.yaml'), 'utf8').replace('fluentd:v2.5.2', 'fluentd:v2.6.0');
    expect(manifest).toContain('fluentd:v2.6.0');
    writeFileSync(join(scratch, 'fluentd-v2.6.0.yaml'), manifest);
    await cli('apply', '-f', join(scratch, 'fluentd-v2.6.0.yaml'));
    await rollout.and(page.locator('[data-in-progress="true"]')).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(images, 'dashboard-rollout.png') });
    await expect.poll(() => rollout.getAttribute('data-in-progress'), { timeout: 60_000 }).toBe('false');
    expect(await rollout.locator('[data-bar="up-to-date"]').textContent()).toBe('7');
    const seen = await page.evaluate(() => ((globalThis as unknown as PageGlobals).seen ?? []).map(Number));
    // The bar went down as the new template replaced the old one, and back up to all seven.
    expect(seen.some((n) => n < 7)).toBe(true);
    expect(seen.at(-1)).toBe(7);
    expect(await rollout.locator('[data-testid="revisions"] li').count()).toBe(2);
  });

  it('shows worker01 again with the scrubber at the seq before `node remove worker01`', async () => {
    await page.locator('[data-tab="cluster"]').click();
    await cli('node', 'remove', 'worker01');
    await expect.poll(() => page.locator('.content [data-row="worker01"]').count(), { timeout: 20_000 }).toBe(0);
    const removals = await api<{ items: { seq: number }[] }>('/log?type=node.removed&object=node/worker01');
    expect(removals.items).toHaveLength(1);
    const before = (removals.items[0]?.seq ?? 0) - 1;

    await page.locator('[data-tab="history"]').click();
    await page.locator('[data-testid="scrub-seq"]').fill(String(before));
    await page.locator('[data-testid="scrub-seq"]').press('Enter');
    await page.locator(`[data-testid="as-of"][data-seq="${before}"]`).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.content [data-row="worker01"]').count()).toBe(1);
    expect(await page.locator('.content .cell[data-node="worker01"]').getAttribute('data-state')).toBe('running');
    // The timeline marks where the scrubber stands, and the removal after it.
    expect(await page.locator(`.log-line.here[data-seq="${before}"]`).count()).toBe(1);
    expect(await page.locator(`.log-line.later[data-seq="${before + 1}"] .type`).textContent()).toBe('node.removed');
    await page.screenshot({ path: join(images, 'dashboard-history.png') });

    // One entry later, worker01 is gone.
    await page.locator('[data-testid="scrub-seq"]').fill(String(before + 1));
    await page.locator('[data-testid="scrub-seq"]').press('Enter');
    await page.locator(`[data-testid="as-of"][data-seq="${before + 1}"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator('.content [data-row="worker01"]').count()).toBe(0);
  });

  it("shows a pod's causes when it is clicked", async () => {
    await page.locator('[data-tab="cluster"]').click();
    const cell = page.locator(`.content .cell[data-ds="${ds}"][data-node="worker04"]`);
    await cell.click();
    const panel = page.locator('[data-testid="explain"]');
    await panel.waitFor();
    const entries = panel.locator('.explain-entry');
    await expect.poll(() => entries.count(), { timeout: 20_000 }).toBeGreaterThan(1);
    // The pass that created the pod names its causes, and each cause is an entry of the list it links to.
    const causes = panel.locator('a.cause');
    expect(await causes.count()).toBeGreaterThan(0);
    for (const href of await causes.evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
      expect(await panel.locator(href as string).count(), href as string).toBe(1);
    }
    expect(await panel.textContent()).toMatch(/worker04/);
    await causes.first().click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).location.hash)).toMatch(/^#explain-\d+$/);
    await page.screenshot({ path: join(images, 'dashboard-explain.png') });
  });

  it("shows the queues' depths and retries a parked event; bull-board opens with the page's token", async () => {
    const parked = cloudEvent('io.everynode.node.joined', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'parked01' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await cluster.engine.ingress.park(parked, 'engine unreachable', { bus: 'nats', subject: 'cluster.nodes', offset: '7' });
    await page.locator('[data-tab="queues"]').click();
    const depths = page.locator('[data-testid="depths"]');
    await depths.waitFor();
    expect(await depths.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue')))).toEqual(['commands', 'dead-letter', 'events', 'reconcile']);
    expect(await depths.locator('[data-queue="dead-letter"] [data-state="waiting"]').textContent()).toBe('1');
    const letter = page.locator('tr[data-letter]');
    expect(await letter.count()).toBe(1);
    expect(await letter.textContent()).toContain('engine unreachable');
    await page.screenshot({ path: join(images, 'dashboard-queues.png') });
    await letter.locator('button').click();
    await expect.poll(() => page.locator('[data-testid="dlq-total"]').textContent(), { timeout: 20_000 }).toBe('0 dead letters');
    // The event went in: its node is on the grid, Running.
    await page.locator('[data-tab="cluster"]').click();
    await expect.poll(() => page.locator(`.content .cell[data-node="parked01"][data-state="running"]`).count(), { timeout: 20_000 }).toBe(1);

    // bull-board, in the same browser: the cookie the page traded its token for opens it.
    const board = await browser.context.newPage();
    await board.goto(`${server}/queues`);
    expect(await board.title()).toBe('everynode queues');
    await board.getByText('reconcile').first().waitFor({ timeout: 20_000 });
    await board.close();
  });

  it('logged no error on the way: nothing its Content-Security-Policy blocked, no failed load, no exception', () => {
    expect(pageErrors).toEqual([]);
  });
});
