import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn, safeLogOptions } from './redact.ts';

describe('redactUrl', () => {
  it('replaces the password, keeps the rest', () => {
    expect(redactUrl('redis://:s3cret@10.0.0.5:6390/2')).toBe('redis://:***@10.0.0.5:6390/2');
    expect(redactUrl('rediss://app:s3cret@cache.example:6380')).toBe('rediss://app:***@cache.example:6380');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('never echoes what it cannot parse', () => {
    expect(redactUrl('redis://:s3cret@[::1')).toBe('<unparseable URL>');
  });
});

describe('redactUrlsIn', () => {
  it('redacts the password of every URL in a text, of any scheme', () => {
    const text = 'from redis://:s3cret@a:1 and amqp://user:p%40ss@b/vhost, not http://example.com/a:b@c';
    expect(redactUrlsIn(text)).toBe('from redis://:***@a:1 and amqp://user:***@b/vhost, not http://example.com/a:b@c');
  });

  it('leaves a URL without a password alone', () => {
    expect(redactUrlsIn('redis://user@host:6379 redis://host')).toBe('redis://user@host:6379 redis://host');
  });
});

describe('safeLogOptions', () => {
  function capture() {
    const lines: string[] = [];
    const logger = pino(
      { ...safeLogOptions },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    return { logger, lines };
  }

  it('censors the arguments of a failed Redis command (AUTH carries the password)', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['s3cret'] } });
    logger.error({ err }, 'connect failed');
    expect(lines.join('')).not.toContain('s3cret');
    expect(JSON.parse(lines[0]!).err.command).toEqual({ name: 'auth', args: '***' });
  });

  it('redacts URL passwords wherever they appear in a line', () => {
    const { logger, lines } = capture();
    logger.info({ url: 'redis://:s3cret@h:1', nested: { why: 'see rediss://u:s3cret@h' } }, 'using redis://:s3cret@h:1');
    expect(lines.join('')).not.toContain('s3cret');
    expect(lines.join('')).toContain('redis://:***@h:1');
  });
});
