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

describe('redact', () => {
  it('hides the password of a URL and keeps the rest', () => {
    expect(redact('amqp://user:pw@rabbit:5672/vhost')).toBe('amqp://user:redacted@rabbit:5672/vhost');
    expect(redact('nats://nats:4222')).toBe('nats://nats:4222');
  });
});
