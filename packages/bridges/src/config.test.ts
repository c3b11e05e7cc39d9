import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, kafkaBrokers, loadBridges, parseConfig, redact } from './config.ts';
import { sinkFor, sourceFor } from './run.ts';
import { quietLogger } from '../../../test/support/cluster.ts';

const problems = (text: string, env: Record<string, string> = {}) => {
  try {
    parseConfig(text, { env, readFile: () => { throw Object.assign(new Error('nope'), { code: 'ENOENT' }); } });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('parseConfig', () => {
  it('reads bridges with defaults and the password from the environment', () => {
    const [nats, redis] = parseConfig(
      `bridges:
  - { name: nodes, kind: nats, url: "nats://nats:4222", username: bridge, passwordEnv: NATS_PW, stream: CLUSTER, subject: cluster.events, types: [io.everynode.node.joined] }
  - { name: pods, kind: redis-streams, url: "redis://redis:6379", stream: pods, passwordFile: /run/secrets/redis, maxInFlight: 4 }
`,
      { env: { NATS_PW: 's3cret' }, readFile: (p) => (p === '/run/secrets/redis' ? 'filepw\n' : '') },
    );
    expect(nats).toMatchObject({ name: 'nodes', kind: 'nats', direction: 'in', mode: 'binary', maxInFlight: 64, types: ['io.everynode.node.joined'] });
    expect(nats?.password?.reveal()).toBe('s3cret');
    expect(redis?.password?.reveal()).toBe('filepw');
    expect(redis).toMatchObject({ maxInFlight: 4 });
  });

  it('never prints a password', () => {
    const [b] = parseConfig('bridges: [{ name: a, kind: mqtt, url: "mqtt://m:1883", topic: t, passwordEnv: P }]', { env: { P: 'hunter2' } });
    expect(JSON.stringify(b)).not.toContain('hunter2');
    expect(inspect(b, { depth: 5 })).not.toContain('hunter2');
    expect(`${b?.password}`).toBe('[redacted]');
  });

  it('names the field of each problem', () => {
    expect(problems(`bridges:
  - { name: ok, kind: nats, url: "nats://n:4222", stream: S, subject: s }
  - { name: Bad_Name, kind: nats, url: "nats://u:pw@n:4222", subject: s }
`)).toEqual([
      'bridges[1].name: must be a DNS label (lower-case letters, digits, -)',
      'bridges[1].url: a password does not belong in the URL: use passwordEnv or passwordFile',
      'bridges[1].stream: required for a nats bridge',
    ]);
    expect(problems('bridges: [{ name: a, kind: smtp, url: "x://y", extra: 1 }]')[0]).toMatch(/^bridges\[0\]\.kind: /);
    expect(problems('bridges: [{ name: a, kind: mqtt, url: "not a url", topic: t }]')).toEqual(['bridges[0].url: not a URL']);
    // A Redis Cluster's URL lists its nodes; each must be a URL, none may carry a password.
    expect(problems('bridges: [{ name: a, kind: redis-streams, url: "redis+cluster://r1:7000,r2:7001", stream: s, passwordEnv: PW }]', { PW: 'pw' })).toEqual([]);
    expect(problems('bridges: [{ name: a, kind: redis-streams, url: "redis+cluster://r1:7000,:pw@r2:7001", stream: s }]')).toEqual([
      'bridges[0].url: a password does not belong in the URL: use passwordEnv or passwordFile',
    ]);
    expect(problems('bridges: [{ name: a, kind: mqtt, url: "mqtt://m", topic: t }, { name: a, kind: mqtt, url: "mqtt://m", topic: t }]')).toEqual(['bridges[1].name: a is the name of an earlier bridge']);
    expect(problems('bridges: [{ name: a, kind: mqtt, url: "mqtt://m", topic: t, passwordEnv: MISSING }]')).toEqual(['bridges[0].passwordEnv: MISSING is not set']);
    expect(problems('bridges: [{ name: a, kind: mqtt, url: "mqtt://m", topic: t, passwordFile: /x }]')).toEqual(['bridges[0].passwordFile: cannot read /x (ENOENT)']);
    expect(problems('bridges: [')[0]).toMatch(/^\(root\): not YAML/);
  });
});

describe('bridge options', () => {
  it('defaults highWaterMark to 10,000 and names it when it is out of range', () => {
    const [b] = parseConfig('bridges: [{ name: a, kind: redis-streams, url: "redis://r:6379", stream: s, ackWaitMs: 500 }]');
    expect(b).toMatchObject({ highWaterMark: 10_000, ackWaitMs: 500 });
    expect(problems('bridges: [{ name: a, kind: redis-streams, url: "redis://r:6379", stream: s, highWaterMark: 0, ackWaitMs: 5 }]')).toEqual([
      'bridges[0].highWaterMark: Too small: expected number to be >=1',
      'bridges[0].ackWaitMs: Too small: expected number to be >=100',
    ]);
  });
});

describe('loadBridges', () => {
  const yaml = 'bridges: [{ name: a, kind: mqtt, url: "mqtt://m:1883", topic: t }]';
  const files: Record<string, string> = { '/etc/b.yaml': yaml.replace('name: a', 'name: from-file'), '/etc/env.yaml': yaml.replace('name: a', 'name: from-env-file') };
  const readFile = (p: string) => {
    if (p in files) return files[p] as string;
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  };
  it('takes the path given, else EVERYNODE_BRIDGES, else EVERYNODE_BRIDGES_FILE; nothing when none is set', () => {
    const names = (path: string | undefined, env: Record<string, string>) => loadBridges(path, { env, readFile })?.map((b) => b.name);
    expect(names('/etc/b.yaml', { EVERYNODE_BRIDGES: yaml, EVERYNODE_BRIDGES_FILE: '/etc/env.yaml' })).toEqual(['from-file']);
    expect(names(undefined, { EVERYNODE_BRIDGES: yaml, EVERYNODE_BRIDGES_FILE: '/etc/env.yaml' })).toEqual(['a']);
    expect(names(undefined, { EVERYNODE_BRIDGES: ' ', EVERYNODE_BRIDGES_FILE: '/etc/env.yaml' })).toEqual(['from-env-file']);
    expect(names(undefined, {})).toBeUndefined();
  });
  it('names a file it cannot read', () => {
    expect(() => loadBridges('/nope.yaml', { env: {}, readFile })).toThrow('(root): cannot read /nope.yaml (ENOENT)');
  });
});

describe('parseConfig — outbound bus bridges', () => {
  it('accepts rabbitmq, mqtt and redis-streams out with the field each writes to', () => {
    const [rabbit, mqtt, redis] = parseConfig(`bridges:
  - { name: to-rabbit, kind: rabbitmq, direction: out, url: "amqp://rabbit:5672", username: bridge, passwordEnv: AMQP_PW, queue: pod-commands }
  - { name: to-mqtt, kind: mqtt, direction: out, url: "mqtt://m:1883", topic: everynode/commands, mode: structured }
  - { name: to-redis, kind: redis-streams, direction: out, url: "redis://r:6379", stream: pod-commands, maxLen: 100000, types: [io.everynode.pod.create] }
`, { env: { AMQP_PW: 'pw' } });
    expect(rabbit).toMatchObject({ kind: 'rabbitmq', direction: 'out', queue: 'pod-commands', mode: 'binary' });
    expect(mqtt).toMatchObject({ kind: 'mqtt', direction: 'out', topic: 'everynode/commands', mode: 'structured' });
    expect(redis).toMatchObject({ kind: 'redis-streams', direction: 'out', stream: 'pod-commands', maxLen: 100000, types: ['io.everynode.pod.create'] });
    expect(parseConfig('bridges: [{ name: r, kind: redis-streams, direction: out, url: "redis://r", stream: s }]')[0]?.maxLen).toBeUndefined();
  });

  it('refuses each with the field named', () => {
    expect(problems('bridges: [{ name: a, kind: rabbitmq, direction: out, url: "amqp://r" }]')).toEqual(['bridges[0].queue: required for a rabbitmq bridge']);
    expect(problems('bridges: [{ name: a, kind: mqtt, direction: out, url: "mqtt://m" }]')).toEqual(['bridges[0].topic: required for a mqtt bridge']);
    expect(problems('bridges: [{ name: a, kind: redis-streams, direction: out, url: "redis://r" }]')).toEqual(['bridges[0].stream: required for a redis-streams bridge']);
    expect(problems('bridges: [{ name: a, kind: mqtt, direction: out, url: "mqtt://m", topic: "nodes/+/commands" }]')).toEqual(['bridges[0].topic: an outbound mqtt bridge publishes to one topic: no + or # wildcards']);
    expect(problems('bridges: [{ name: a, kind: mqtt, direction: out, url: "mqtt://m", topic: "commands/#" }]')).toEqual(['bridges[0].topic: an outbound mqtt bridge publishes to one topic: no + or # wildcards']);
    expect(problems('bridges: [{ name: a, kind: redis-streams, url: "redis://r", stream: s, maxLen: 10 }]')).toEqual(['bridges[0].maxLen: only for an outbound redis-streams bridge']);
    expect(problems('bridges: [{ name: a, kind: rabbitmq, direction: out, url: "amqp://r", queue: q, maxLen: 10 }]')).toEqual(['bridges[0].maxLen: only for an outbound redis-streams bridge']);
    expect(problems('bridges: [{ name: a, kind: redis-streams, direction: out, url: "redis://r", stream: s, maxLen: 0 }]')[0]).toMatch(/^bridges\[0\]\.maxLen: /);
    expect(problems('bridges: [{ name: a, kind: rabbitmq, direction: out, url: "amqp://u:pw@r", queue: q }]')).toEqual(['bridges[0].url: a password does not belong in the URL: use passwordEnv or passwordFile']);
    // An inbound mqtt bridge subscribes to a filter: wildcards are fine there.
    expect(problems('bridges: [{ name: a, kind: mqtt, url: "mqtt://m", topic: "nodes/+/events" }]')).toEqual([]);
  });
});

describe('a kafka bridge', () => {
  it('lists its brokers in the url, kafkas:// for TLS, a broker without a port on 9092', () => {
    expect(kafkaBrokers('kafka://k1:9092,k2:9093,k3')).toEqual({ brokers: ['k1:9092', 'k2:9093', 'k3:9092'], tls: false });
    expect(kafkaBrokers('kafkas://k1.example.com:9094')).toEqual({ brokers: ['k1.example.com:9094'], tls: true });
    const [out, inbound] = parseConfig(
      `bridges:
  - { name: out, kind: kafka, direction: out, url: "kafka://k1:9092,k2:9092", topic: commands, mode: structured }
  - { name: in, kind: kafka, url: "kafkas://k1:9094", topic: events, group: g, username: bridge, passwordEnv: KAFKA_PW }
`,
      { env: { KAFKA_PW: 'kafkapw' } },
    );
    expect(out).toMatchObject({ kind: 'kafka', direction: 'out', url: 'kafka://k1:9092,k2:9092', topic: 'commands', mode: 'structured' });
    expect(inbound).toMatchObject({ kind: 'kafka', direction: 'in', topic: 'events', group: 'g', username: 'bridge' });
    expect(inbound?.password?.reveal()).toBe('kafkapw');
  });

  it('names the field of each problem: not a broker list, a password in the url, a username without a password, no topic', () => {
    expect(problems('bridges: [{ name: a, kind: kafka, url: "nats://n:4222", topic: t }]')).toEqual(['bridges[0].url: a kafka bridge lists its brokers as kafka://host:port[,host:port…] (kafkas:// for TLS)']);
    expect(problems('bridges: [{ name: a, kind: kafka, url: "kafka://k1:9092,", topic: t }]')).toEqual(['bridges[0].url: a kafka bridge lists its brokers as kafka://host:port[,host:port…] (kafkas:// for TLS)']);
    expect(problems('bridges: [{ name: a, kind: kafka, url: "kafka://k1:9092,u:pw@k2:9092", topic: t }]')).toEqual(['bridges[0].url: a password does not belong in the URL: use passwordEnv or passwordFile']);
    expect(problems('bridges: [{ name: a, kind: kafka, url: "kafka://k1:9092,k2:x", topic: t }]')).toContain('bridges[0].url: not a URL');
    expect(problems('bridges: [{ name: a, kind: kafka, url: "kafka://k1", username: u }]')).toEqual([
      'bridges[0].username: SASL PLAIN needs a password too: give passwordEnv or passwordFile',
      'bridges[0].topic: required for a kafka bridge',
    ]);
  });

  it('gets a kafka source and a kafka sink (built, not connected), and no password in what they show', () => {
    const [inbound, out] = parseConfig(
      `bridges:
  - { name: in, kind: kafka, url: "kafka://127.0.0.1:1", topic: events, username: u, passwordEnv: PW }
  - { name: out, kind: kafka, direction: out, url: "kafka://127.0.0.1:1", topic: commands }
`,
      { env: { PW: 'hunter2' } },
    );
    const source = sourceFor(inbound!, 0, quietLogger);
    expect(source.connected()).toBe(false);
    const sink = sinkFor(out!, 1, quietLogger);
    expect(sink).toMatchObject({ kind: 'kafka', target: 'commands' });
    expect(inspect(sink, { depth: 3 }) + JSON.stringify(sink)).not.toContain('hunter2');
    expect(inspect(inbound, { depth: 3 })).not.toContain('hunter2');
  });
});

describe('redact', () => {
  it('hides the password of a URL and keeps the rest', () => {
    expect(redact('amqp://user:pw@rabbit:5672/vhost')).toBe('amqp://user:redacted@rabbit:5672/vhost');
    expect(redact('nats://nats:4222')).toBe('nats://nats:4222');
    expect(redact('kafka://u:pw@k1:9092,k2:9092')).toBe('kafka://u:redacted@k1:9092,k2:9092');
  });
});
