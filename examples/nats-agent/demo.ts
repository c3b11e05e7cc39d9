/**
 * `npx tsx examples/nats-agent/demo.ts`: the seed's demo driven entirely over
 * NATS. Starts everynode without its simulated agent (prefix
 * `everynode-nats-demo`, reset first) with a NATS bridge in and a NATS
 * bridge out, and the NATS-only agent; publishes the six nodes and the
 * fluentd DaemonSet as CloudEvents on NATS subjects; prints `get ds` until
 * it reads 6 6 6 6 6, then the pods, and stops.
 *
 * NATS_URL (default nats://127.0.0.1:4222, JetStream on); REDIS_URL (default
 * 127.0.0.1:6379, else a private redis-server). The streams
 * EVERYNODE_DEMO_IN and EVERYNODE_DEMO_COMMANDS are deleted at the start and
 * left afterwards for you to look at (`nats stream view …`).
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { parseConfig, startBridges } from '@everynode/bridges';
import { processIO, runCli } from '@everynode/cli';
import { startLocalCluster } from '@everynode/cli/local-cluster';
import { startNatsAgent } from './agent.ts';
import { bridgesYaml, overNats, publishSeed } from './over-nats.ts';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const names = overNats('demo');

const nc = await connect({ servers: natsUrl });
const jsm = await jetstreamManager(nc);
for (const stream of [names.inStream, names.commandsStream]) await jsm.streams.delete(stream).catch(() => false);

const cluster = await startLocalCluster({ simulate: false, port: 0, prefix: 'everynode-nats-demo', fresh: true, logger, ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}) });
const bridges = await startBridges(parseConfig(bridgesYaml(natsUrl, names)), cluster.engine, logger);
const agent = await startNatsAgent({
  servers: natsUrl,
  commands: { stream: names.commandsStream, subject: names.commandsSubject },
  eventsSubject: names.podsSubject,
  log: (line) => console.log(`  [nats-agent] ${line}`),
});
console.log(`everynode is up at ${cluster.url}; NATS at ${natsUrl}
  in:  ${names.inSubjects} (stream ${names.inStream})
  out: ${names.commandsSubject} (stream ${names.commandsStream})\n`);

console.log(`publishing 6 × io.everynode.node.joined on ${names.nodesSubject}, io.everynode.daemonset.applied on ${names.daemonSetsSubject}`);
await publishSeed(nc, names, 'demo');

let output = '';
const capture = processIO({ env: { ...process.env, EVERYNODE_SERVER: cluster.url }, stdout: (text) => void (output += text) });
const get = async (...args: string[]) => {
  output = '';
  await runCli(['get', ...args], capture);
  return output;
};
let table = '';
for (let i = 0; i < 200 && !/fluentd-elasticsearch\s+6\s+6\s+6\s+6\s+6\s/.test(table); i++) {
  await new Promise((r) => setTimeout(r, 250));
  table = await get('ds', '-n', 'kube-system');
}
console.log(`\n$ everynode get ds -n kube-system\n${table}`);
console.log(`$ everynode get pods -n kube-system -o wide\n${await get('pods', '-n', 'kube-system', '-o', 'wide')}`);
console.log(`the NATS agent carried out ${agent.executed} commands`);

await agent.close();
await Promise.all(bridges.map((b) => b.close()));
await cluster.stop();
await nc.close();
process.exit(/ 6\s+6\s+6\s+6\s+6\s/.test(table) ? 0 : 1);
