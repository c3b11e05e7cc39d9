/**
 * What ships, installed as production installs it: the workspace's
 * package.json files and lockfile with `npm ci --omit=dev` (no TypeScript,
 * no tsx, no test tools — the Dockerfile's runtime stage does the same) and
 * the built programs (`npm run build`, run by the test setup). From that
 * alone: the CLI answers `--help`, `everynode up --simulate` runs the seed's
 * cluster to 6 6 6 6 6, and the services (api, worker, agent, bridge) run a
 * cluster of their own.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { freePort } from '../support/random.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const install = mkdtempSync(join(tmpdir(), 'everynode-built-'));
const fixtures = join(repo, 'test/fixtures');
const children: ChildProcess[] = [];
const prefixes: string[] = [];

/** The environment of a machine that has nothing of everynode's set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('EVERYNODE_') || key.startsWith('npm_') || key === 'NODE_OPTIONS' || key === 'HOST' || key === 'PORT') delete env[key];
  return { ...env, XDG_CONFIG_HOME: join(install, '.config'), REDIS_URL: redisUrl, LOG_LEVEL: 'warn', ...extra };
}

async function run(args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: install, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A long-running program of the install; its stderr so far. */
function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, args, { cwd: install, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

const everynode = ['packages/cli/bin/everynode.mjs'];

beforeAll(async () => {
  // What the Dockerfile's runtime stage copies: manifests, the lockfile, the executables, the built programs.
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) cpSync(join(repo, file), join(install, file));
  for (const dir of ['packages', 'services']) {
    for (const name of readdirSync(join(repo, dir))) {
      const from = join(repo, dir, name);
      if (!existsSync(join(from, 'package.json'))) continue;
      mkdirSync(join(install, dir, name), { recursive: true });
      cpSync(join(from, 'package.json'), join(install, dir, name, 'package.json'));
      for (const sub of ['bin', 'dist']) if (existsSync(join(from, sub))) cpSync(join(from, sub), join(install, dir, name, sub), { recursive: true });
    }
  }
  const npm = await promisify(execFile)('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: install, env: cleanEnv() });
  expect(npm.stderr).not.toMatch(/npm error/);
}, 240_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(prefixes.map(destroyPrefix));
  rmSync(install, { recursive: true, force: true });
});

describe('the built programs on a production install (npm ci --omit=dev)', () => {
  it('installs no development tool', () => {
    for (const tool of ['tsx', 'typescript', 'vitest', 'esbuild', 'eslint']) expect(existsSync(join(install, 'node_modules', tool)), tool).toBe(false);
    expect(existsSync(join(install, 'node_modules', 'bullmq'))).toBe(true);
  });

  it('the CLI: --help and version answer, exit 0', async () => {
    const help = await run([...everynode, '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: everynode \[options\] \[command\]/);
    const version = await run([...everynode, '--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('`everynode up --simulate` runs the seed to 6 6 6 6 6, driven by the same CLI', async () => {
    const port = await freePort();
    const prefix = uniquePrefix('built-up');
    prefixes.push(prefix);
    const up = start([...everynode, 'up', '--simulate', '--port', String(port), '--prefix', prefix], cleanEnv());
    await eventually(async () => up.output().includes('everynode is up at'), 30_000, '`up` to start');
    const env = cleanEnv({ EVERYNODE_SERVER: `https://127.0.0.1:${port}` });
    for (const file of ['cluster-6-nodes.yaml', 'fluentd-daemonset.yaml']) {
      const applied = await run([...everynode, 'apply', '-f', join(fixtures, file)], env);
      expect(applied.code, applied.stderr).toBe(0);
    }
    const row = await eventually(async () => {
      const ds = await run([...everynode, 'get', 'ds', '-n', 'kube-system'], env);
      const line = ds.stdout.split('\n').find((l) => l.startsWith('fluentd-elasticsearch'));
      return line?.split(/\s+/).slice(1, 6).join(' ') === '6 6 6 6 6' && line;
    }, 30_000, 'fluentd-elasticsearch to read 6 6 6 6 6');
    expect(row).toMatch(/^fluentd-elasticsearch\s+6\s+6\s+6\s+6\s+6\s/);
    up.child.kill('SIGTERM');
    await new Promise((resolve) => up.child.once('exit', resolve));
    expect(up.child.exitCode).toBe(0);
  }, 90_000);

  it('the services: api + worker + agent run a cluster; the bridge starts on its configuration', async () => {
    const port = await freePort();
    const prefix = uniquePrefix('built-services');
    prefixes.push(prefix);
    const env = cleanEnv({ EVERYNODE_PREFIX: prefix, HOST: '127.0.0.1', PORT: String(port) });
    const services = ['api', 'worker', 'agent'].map((name) => ({ name, ...start([`services/${name}/dist/main.mjs`], env) }));
    const cli = cleanEnv({ EVERYNODE_SERVER: `http://127.0.0.1:${port}` });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 30_000, 'the api service to be ready');
    for (const file of ['cluster-6-nodes.yaml', 'fluentd-daemonset.yaml']) {
      const applied = await run([...everynode, 'apply', '-f', join(fixtures, file)], cli);
      expect(applied.code, applied.stderr).toBe(0);
    }
    await eventually(async () => {
      const ds = await run([...everynode, 'get', 'ds', '-n', 'kube-system', '-o', 'json'], cli);
      if (ds.code !== 0) return false;
      const status = (JSON.parse(ds.stdout) as { items: { status: { numberReady: number; desiredNumberScheduled: number } }[] }).items[0]?.status;
      return status?.desiredNumberScheduled === 6 && status.numberReady === 6;
    }, 30_000, 'the services to run six ready pods');

    const healthPort = await freePort();
    const bridge = start(['services/bridge/dist/main.mjs'], {
      ...env,
      LOG_LEVEL: 'info',
      EVERYNODE_BRIDGE_HEALTH_PORT: String(healthPort),
      EVERYNODE_BRIDGES: `bridges:\n  - { name: nodes, kind: redis-streams, url: "${redisUrl}", stream: ${prefix}-in, group: built }\n`,
    });
    await eventually(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200, 30_000, 'the bridge to be ready');

    for (const service of [...services, { name: 'bridge', ...bridge }]) {
      service.child.kill('SIGTERM');
      await new Promise((resolve) => service.child.once('exit', resolve));
      expect(service.child.exitCode, `${service.name}: ${service.output()}`).toBe(0);
    }
  }, 120_000);
});
