/**
 * `npm start`: the seed's cluster, locally. Starts everynode with simulated
 * nodes on the embedded defaults, joins the six nodes of the seed article,
 * applies its fluentd DaemonSet, and shows `get ds -n kube-system` until it
 * reads 6 6 6 6 6 — then keeps running for you to play with until Ctrl-C.
 *
 * Uses the prefix `everynode-demo` (reset at every start) on REDIS_URL, or
 * 127.0.0.1:6379, or a private redis-server; the API on 127.0.0.1, port 7700
 * (EVERYNODE_PORT to change it), protected as `everynode up` is: the token
 * EVERYNODE_TOKEN (or EVERYNODE_TOKENS_FILE) configures, else one generated
 * for the run, which the demo's own CLI calls send and which it prints.
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { processIO, runCli } from '@everynode/cli';
import { startLocalCluster } from '@everynode/cli/local-cluster';
import { localProtection } from '@everynode/server';

const fixtures = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const level = process.env.LOG_LEVEL ?? 'warn';
const logger = process.stderr.isTTY
  ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
  : pino({ level }, pino.destination(2));

const prefix = process.env.EVERYNODE_PREFIX ?? 'everynode-demo';
const { auth, tls, generatedToken } = localProtection(process.env);
const cluster = await startLocalCluster({
  simulate: true,
  port: Number(process.env.EVERYNODE_PORT ?? 7700),
  prefix,
  logger,
  auth,
  ...(tls ? { tls } : {}),
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  fresh: true,
});
console.log(`everynode is up at ${cluster.url} (Redis: ${cluster.redis.how}, prefix ${prefix})\n`);

let output = '';
// The demo's CLI calls send the generated token (a configured one is in the environment already).
const io = processIO({ env: { ...process.env, EVERYNODE_SERVER: cluster.url, ...(generatedToken ? { EVERYNODE_TOKEN: generatedToken } : {}) } });
const capture = processIO({ env: io.env, stdout: (text) => void (output += text) });
const run = (...args: string[]) => runCli(args, io);

console.log('$ everynode apply -f cluster-6-nodes.yaml');
await run('apply', '-f', fixtures('cluster-6-nodes.yaml'));
console.log('$ everynode apply -f fluentd-daemonset.yaml');
await run('apply', '-f', fixtures('fluentd-daemonset.yaml'));

console.log('$ everynode get ds -n kube-system');
let table = '';
for (let i = 0; i < 200; i++) {
  output = '';
  await runCli(['get', 'ds', '-n', 'kube-system'], capture);
  if (output !== table) process.stdout.write(output);
  table = output;
  if (/fluentd-elasticsearch\s+6\s+6\s+6\s+6\s+6\s/.test(output)) break;
  await new Promise((r) => setTimeout(r, 250));
}

console.log(`
Six nodes, six pods (the masters' NoSchedule taint is tolerated). Try, in another terminal:
  export EVERYNODE_SERVER=${cluster.url}${generatedToken ? `\n  export EVERYNODE_TOKEN=${generatedToken}   # generated for this run` : ''}
  npx everynode get pods -n kube-system -o wide
  npx everynode node join worker04        # a seventh pod
  npx everynode node remove worker01      # its pod deleted at once
  npx everynode log                       # every event and decision
  npx everynode replay --verify           # the log rebuilds exactly this state
Ctrl-C stops everynode.`);

await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
await cluster.stop();
process.exit(0);
