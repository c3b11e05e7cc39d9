import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadBridges, parseConfig, redact } from './config.ts';

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
    expect(nats).toMatchObject({ name: 'nodes', kind: 'nats', direction: 'in', mode: 'binary', maxInFlight: 16, types: ['io.everynode.node.joined'] });
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

describe('redact', () => {
  it('hides the password of a URL and keeps the rest', () => {
    expect(redact('amqp://user:pw@rabbit:5672/vhost')).toBe('amqp://user:redacted@rabbit:5672/vhost');
    expect(redact('nats://nats:4222')).toBe('nats://nats:4222');
  });
});
