/**
 * `npm start`: the seed's cluster, locally. Starts everynode with simulated
 * nodes on the embedded defaults, joins the six nodes of the seed article,
 * applies its fluentd DaemonSet, and shows `get ds -n kube-system` until it
 * reads 6 6 6 6 6 — then keeps running for you to play with until Ctrl-C.
 *
 * Uses the prefix `everynode-demo` (reset at every start) on REDIS_URL, or
 * 127.0.0.1:6379, or a private redis-server; the API on 127.0.0.1, port 7700
 * (EVERYNODE_PORT to change it), protected as `everynode up` is: HTTPS (a
 * self-signed certificate made for the run, unless EVERYNODE_TLS_CERT/KEY
 * name one) and a token (EVERYNODE_TOKEN's or EVERYNODE_TOKENS_FILE's, else
 * one generated). What was generated is left in `up`'s credentials file, where
 * the demo's own CLI calls — and the CLI in another terminal — find it, and
 * is printed with the try-it lines.
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { dashboardLink, processIO, removeUpCredentials, runCli, saveUpCredentials, upCertificateFile } from '@everynode/cli';
import { startLocalCluster } from '@everynode/cli/local-cluster';
import { localProtection } from '@everynode/server';

const fixtures = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const level = process.env.LOG_LEVEL ?? 'warn';
const logger = process.stderr.isTTY
  ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2 } } })
  : pino({ level }, pino.destination(2));

const prefix = process.env.EVERYNODE_PREFIX ?? 'everynode-demo';
const { auth, tls, generatedToken, generatedCertificate } = await localProtection(process.env);
const cluster = await startLocalCluster({
  simulate: true,
  port: Number(process.env.EVERYNODE_PORT ?? 7700),
  prefix,
  logger,
  auth,
  tls,
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  fresh: true,
});
console.log(`everynode is up at ${cluster.url} (Redis: ${cluster.redis.how}, prefix ${prefix})`);
const saved = { ...(generatedToken ? { token: generatedToken } : {}), ...(generatedCertificate ? { ca: tls.cert } : {}) };
// The configured token is the user's to paste into the page; only a generated one goes in the link.
const dashboard = cluster.dashboardUrl ? dashboardLink(cluster.dashboardUrl, generatedToken) : undefined;
console.log(dashboard ? `The dashboard: ${dashboard}${saved.ca ? '  (a self-signed certificate: the browser asks you to accept it)' : ''}\n` : '');
const credentialsFile = saved.token || saved.ca ? saveUpCredentials(process.env, cluster.url, saved) : undefined;

let output = '';
// The demo's CLI calls find the generated token and certificate in the credentials file (configured ones are in the environment).
const io = processIO({ env: { ...process.env, EVERYNODE_SERVER: cluster.url } });
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
  export EVERYNODE_SERVER=${cluster.url}   # the token and certificate made for this run are in ${credentialsFile ?? 'your environment'}
  npx everynode get pods -n kube-system -o wide
  npx everynode node join worker04        # a seventh pod
  npx everynode node remove worker01      # its pod deleted at once
  npx everynode log                       # every event and decision
  npx everynode replay --verify           # the log rebuilds exactly this state
  npx everynode kubeconfig > everynode.kubeconfig && KUBECONFIG=everynode.kubeconfig kubectl get ds -A${
    generatedToken ? `\nElsewhere, with the same EVERYNODE_SERVER:\n  export EVERYNODE_TOKEN=${generatedToken}` : ''
  }${credentialsFile && saved.ca ? `\n  export EVERYNODE_CA_FILE=${upCertificateFile(credentialsFile)}` : ''}
${dashboard ? `The dashboard, to watch it happen: ${dashboard}\n` : ''}Ctrl-C stops everynode.`);

await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
if (credentialsFile) removeUpCredentials(credentialsFile, saved);
await cluster.stop();
process.exit(0);
