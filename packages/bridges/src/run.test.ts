import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
import { sinkFor } from './run.ts';
import { quietLogger } from '../../../test/support/cluster.ts';

describe('sinkFor', () => {
  it('makes the sink of each outbound bus kind, named by its queue, topic or stream, no credential in sight', async () => {
    const bridges = parseConfig(
      `bridges:
  - { name: to-rabbit, kind: rabbitmq, direction: out, url: "amqp://rabbit:5672", username: bridge, passwordEnv: PW, queue: pod-commands }
  - { name: to-mqtt, kind: mqtt, direction: out, url: "mqtt://m:1883", username: bridge, passwordEnv: PW, topic: everynode/commands }
  - { name: to-redis, kind: redis-streams, direction: out, url: "redis://r:6379", passwordEnv: PW, stream: pod-commands, maxLen: 1000 }
`,
      { env: { PW: 'hunter2' } },
    );
    const sinks = bridges.map((b, i) => sinkFor(b, i, quietLogger));
    try {
      expect(sinks.map((s) => [s.kind, s.target])).toEqual([
        ['rabbitmq', 'pod-commands'],
        ['mqtt', 'everynode/commands'],
        ['redis-streams', 'pod-commands'],
      ]);
      for (const s of sinks) expect(JSON.stringify(s)).not.toContain('hunter2');
    } finally {
      // Nothing was connected: the sinks connect on their first delivery.
      await Promise.all(sinks.map((s) => s.close()));
    }
  });
});
