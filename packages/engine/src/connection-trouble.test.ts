import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConnectionTrouble } from './connection-trouble.ts';

function setup() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  };
  let now = 0;
  const trouble = new ConnectionTrouble(logger, { quietMs: 30_000, now: () => now });
  return { lines, trouble, advance: (ms: number) => (now += ms) };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('ConnectionTrouble', () => {
  it('given an outage, logs its error once however many sources repeat it, then once per quiet period with the count held back', () => {
    const { lines, trouble, advance } = setup();
    const client = new EventEmitter();
    const worker = new EventEmitter();
    trouble.watch('redis', client);
    trouble.watch('events worker', worker);
    for (let i = 0; i < 20; i++) {
      client.emit('error', refused());
      worker.emit('error', refused());
      advance(100);
    }
    expect(lines).toEqual([
      { level: 'warn', obj: { source: 'redis', error: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' }, msg: 'redis: connect ECONNREFUSED 127.0.0.1:6379 (retrying; repeats are held back for 30 s)' },
    ]);
    advance(30_000);
    client.emit('error', refused());
    expect(lines[1]?.obj).toMatchObject({ heldBack: 39 });
  });

  it('when the connection is ready again, says so once, and a new outage is told afresh', () => {
    const { lines, trouble } = setup();
    const client = new EventEmitter();
    trouble.watch('redis', client);
    client.emit('ready');
    expect(lines).toEqual([]); // nothing to recover from
    client.emit('error', refused());
    client.emit('ready');
    client.emit('ready');
    client.emit('error', refused());
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'warn redis: connect ECONNREFUSED 127.0.0.1:6379 (retrying; repeats are held back for 30 s)',
      'info redis: connected again',
      'warn redis: connect ECONNREFUSED 127.0.0.1:6379 (retrying; repeats are held back for 30 s)',
    ]);
  });

  it('logs only the message and code, never the error with the command it carries (AUTH has the password)', () => {
    const { lines, trouble } = setup();
    trouble.error('redis', Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['s3cret'] } }));
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
