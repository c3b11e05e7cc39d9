/**
 * `everynode export` and `everynode import` through the HTTP API of two
 * running engines: a golden history imported into one, exported, and
 * imported (from stdin) into the other gives the same log and a clean
 * `replay --verify`; a non-empty log is refused; a terminal gets a progress bar.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '@everynode/server';
import { processIO, runCli, type CliIO } from '@everynode/cli';
import type { Engine } from './support/cluster.ts';
import { destroyPrefix, testEngine } from './support/cluster.ts';

const seedPath = fileURLToPath(new URL('./fixtures/golden/seed.jsonl', import.meta.url));
const seed = readFileSync(seedPath, 'utf8');

interface Peer {
  engine: Engine;
  server: FastifyInstance;
  url: string;
}
let source: Peer;
let target: Peer;

async function peer(name: string): Promise<Peer> {
  const engine = await testEngine(name);
  const server = buildServer(engine);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { engine, server, url };
}

async function run(url: string, args: string[], overrides: Partial<CliIO> = {}) {
  let stdout = '';
  let stderr = '';
  const io = processIO({ env: { EVERYNODE_SERVER: url }, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), progressStream: undefined, ...overrides });
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  [source, target] = await Promise.all([peer('export-src'), peer('export-dst')]);
});
afterAll(async () => {
  for (const p of [source, target]) {
    await p.server.close();
    await p.engine.close();
    await destroyPrefix(p.engine.prefix);
  }
});

describe('everynode export / import', () => {
  it('imports a file, exports it back identical, imports that from stdin elsewhere, and both verify', async () => {
    const imported = await run(source.url, ['import', seedPath]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toBe('imported 20 log entries (last seq 20): 5 nodes, 1 daemonsets, 5 pods\n');

    const exported = await run(source.url, ['export']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toBe(seed);

    const again = await run(target.url, ['import', '-'], { readStdin: async () => exported.stdout });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    for (const p of [source, target]) {
      const verified = await run(p.url, ['replay', '--verify']);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    }
    expect((await run(target.url, ['get', 'pods', '-A'])).stdout).toBe((await run(source.url, ['get', 'pods', '-A'])).stdout);
    // Nothing re-published: the commands ran where the history was recorded.
    expect(await target.engine.store.redis.xlen(target.engine.store.keys.outbox)).toBe(0);
  });

  it('refuses to import into an engine whose log is not empty', async () => {
    const refused = await run(target.url, ['import', seedPath]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error from server \(Conflict\): the log under prefix "[^"]+" is not empty \(20 entries, last seq 20\): import only into an empty prefix\n$/);
  });

  it('refuses a line that is not a log entry, naming it', async () => {
    const fresh = await peer('import-bad');
    try {
      const bad = await run(fresh.url, ['import', '-'], { readStdin: async () => `${seed.split('\n')[0]}\n{"seq":1}\n` });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('Error from server (BadRequest): line 2: seq 1 must be an integer greater than the previous line\'s (1)');
    } finally {
      await fresh.server.close();
      await fresh.engine.close();
      await destroyPrefix(fresh.engine.prefix);
    }
  });

  it('serves GET /log/export as ndjson with the last seq', async () => {
    const response = await fetch(`${source.url}/log/export`);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('x-everynode-last-seq')).toBe('20');
    expect(await response.text()).toBe(seed);
  });

  it('draws a progress bar when stderr is a terminal, and none otherwise', async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const exported = await run(source.url, ['export'], { progressStream: terminal });
    expect(exported.stdout).toBe(seed);
    expect(drawn).toContain('export ');
    expect(drawn).toContain('100% | 20/20 entries');
    expect(exported.stderr).toBe('');

    const pipe = new PassThrough();
    let piped = '';
    pipe.on('data', (chunk: Buffer) => (piped += chunk.toString()));
    expect((await run(source.url, ['export'], { progressStream: pipe })).stdout).toBe(seed);
    expect(piped).toBe('');
  });

  it('says which path does not exist', async () => {
    expect(await run(target.url, ['import', 'no-such.jsonl'])).toMatchObject({ code: 1, stderr: 'error: the path "no-such.jsonl" does not exist\n' });
  });
});
