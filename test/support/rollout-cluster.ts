/**
 * A cluster for one rollout scenario: `up --simulate`'s cluster on its own
 * prefix, a temp dir for manifests, and the few CLI steps the scenarios
 * share. `stop` stops the cluster and deletes its keys and files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startLocalCluster, type LocalCluster } from '@everynode/cli/local-cluster';
import type { ClusterReader } from '@everynode/engine';
import { everynode, type CliResult } from './cli.ts';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from './cluster.ts';
import { nodes as nodeManifests, writeManifest } from './rollout-manifests.ts';
import { currentHash, isRolledOut, sample } from './rollout.ts';

export interface RolloutCluster {
  readonly server: string;
  readonly reader: ClusterReader;
  /** The node names, `node-01`…. */
  readonly nodes: readonly string[];
  /** `everynode …args` against this cluster. */
  cli(...args: string[]): Promise<CliResult>;
  /** `everynode apply -f` of `objects`, written to `file` in the temp dir; fails the test unless it exits 0. */
  apply(file: string, objects: readonly object[]): Promise<CliResult>;
  /** `everynode emit -f` of `events`, written to `file` as JSONL; fails the test unless it exits 0. */
  emit(file: string, events: readonly object[]): Promise<CliResult>;
  /** Wait until ds/`name` in `default` runs one available pod of its current revision per node; returns that hash. */
  rolledOut(name: string, minReadySeconds?: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Start a cluster named after `scenario` with `nodeCount` nodes that start pods after `startDelayMs`. */
export async function startRolloutCluster(scenario: string, nodeCount: number, startDelayMs: number): Promise<RolloutCluster> {
  const cluster: LocalCluster = await startLocalCluster({
    simulate: true,
    port: 0,
    prefix: uniquePrefix(`rollout-${scenario}`),
    redisUrl,
    logger: quietLogger,
  });
  const dir = mkdtempSync(join(tmpdir(), `everynode-rollout-${scenario}-`));
  const reader = cluster.engine.reader;
  const cli = (...args: string[]) => everynode(cluster.url, ...args);
  const apply = async (file: string, objects: readonly object[]) => {
    const result = await cli('apply', '-f', writeManifest(dir, file, objects));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result;
  };
  const emit = async (file: string, events: readonly object[]) => {
    const path = join(dir, file);
    writeFileSync(path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const result = await cli('emit', '-f', path);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result;
  };
  const objects = nodeManifests(nodeCount, startDelayMs);
  await apply('nodes.yaml', objects);
  const nodes = (await reader.listNodes()).map((n) => n.metadata.name);
  return {
    server: cluster.url,
    reader,
    nodes,
    cli,
    apply,
    emit,
    async rolledOut(name, minReadySeconds = 0, timeoutMs = 30_000) {
      const hash = await currentHash(reader, 'default', name);
      await eventually(async () => isRolledOut(await sample(reader, 'default', name), nodes, hash, minReadySeconds), timeoutMs, `ds/${name} rolled out to ${hash}`);
      return hash;
    },
    async stop() {
      const prefix = cluster.engine.prefix;
      await cluster.stop();
      await destroyPrefix(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
