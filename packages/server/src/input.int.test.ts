/**
 * Bad input can't hurt (issue 13), through the HTTP API on a real engine:
 * every refusal is a 4xx naming what was wrong, a refused event never takes
 * down the good events beside it, and no answer sends back the megabyte it
 * refused. (The fuzz test, `fuzz.int.test.ts`, throws thousands of
 * generated bodies at the same paths.)
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await testEngine('input');
  app = buildServer(engine);
});
afterAll(async () => {
  await app.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const node = (name: string, metadata: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, ...metadata } });
const joined = (name: string, extra: Record<string, unknown> = {}) => ({ ...cloudEvent('io.everynode.node.joined', node(name)), ...extra });
const post = (payload: string | Buffer, contentType = 'application/cloudevents-batch+json', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/events', headers: { 'content-type': contentType, ...headers }, payload });

/** `{"a":{"a":…}}` nested `n` deep, as JSON text. */
const deepJson = (n: number) => `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}`;

/** Invalid UTF-8: a lone continuation byte in the middle of a JSON string. */
const invalidUtf8 = (json: string) => {
  const at = json.indexOf('worker');
  return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0x80, 0xff]), Buffer.from(json.slice(at))]);
};

describe('a batch mixing good and bad events', () => {
  it('accepts the good ones and refuses each bad one alone with no 5xx, quoting nothing whole', async () => {
    const good = [joined('mix-a'), joined('mix-b')];
    const bad = [
      `{"specversion":"1.0","id":"deep","source":"fuzz","type":"io.everynode.node.joined","time":"2026-01-01T00:00:00Z","data":${deepJson(10_000)}}`,
      JSON.stringify(joined('mix-x', { id: 'to-string', type: { toString: 1 } })),
      JSON.stringify(joined('mix-y', { id: 'x'.repeat(1_000_000) })),
      '{"specversion":"1.0","id":"proto","source":"fuzz","type":"io.everynode.node.joined","time":"2026-01-01T00:00:00Z","data":{"metadata":{"name":"p"},"__proto__":{"polluted":true}}}',
      JSON.stringify(joined('mix-z', { id: 'unknown-field', data: { ...node('mix-z'), filler: 'f'.repeat(10_000_000) } })),
      JSON.stringify(joined('mix-w', { id: 'ext', deepext: { a: { b: 1 } } })),
    ];
    const body = `[${JSON.stringify(good[0])},${bad.join(',')},${JSON.stringify(good[1])}]`;
    const res = await post(body);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(202);
    expect(res.body.length).toBeLessThan(4000);
    const result = res.json() as { accepted: { id: string }[]; refused: { index: number; id?: string; reason: string }[] };
    expect(result.accepted.map((a) => a.id)).toEqual(good.map((g) => g.id));
    expect(result.refused.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    const reasons = result.refused.map((r) => r.reason);
    expect(reasons[0]).toMatch(/^data\.a\.a.*: nests deeper than 64/);
    expect(reasons[1]).toMatch(/^type: /);
    expect(reasons[2]).toBe('id: must be at most 256 characters');
    expect(result.refused[2]?.id).toBe(`${'x'.repeat(256)}…(1000000 bytes)`);
    expect(reasons[3]).toMatch(/^data\.__proto__: forbidden key/);
    expect(reasons[4]).toMatch(/^the event: \d+ bytes of JSON, more than the limit of 1048576$/);
    expect(reasons[5]).toBe('deepext: an extension attribute must be a string, a number or a boolean, not an object');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await engine.reader.getNode('mix-a')).toBeDefined();
    expect(await engine.reader.getNode('mix-b')).toBeDefined();
  });

  it('a structured event whose type String() cannot convert is a 400 naming the attribute, not a 503', async () => {
    const res = await post(JSON.stringify(joined('ts', { type: { toString: 1 } })), 'application/cloudevents+json');
    expect(res.statusCode).toBe(400);
    expect(res.json().refused[0].reason).toMatch(/^type: /);
  });

  it('refusing a 1 MB label quotes a short piece of it, in POST /events and in PUT', async () => {
    const labelled = node('labelled', { labels: { app: 'v'.repeat(1_000_000) } });
    const event = await post(JSON.stringify(cloudEvent('io.everynode.node.joined', labelled)), 'application/cloudevents+json');
    expect(event.statusCode).toBe(400);
    expect(event.body.length).toBeLessThan(5000);
    expect(event.body).toContain('…(1000002 bytes)');
    const put = await app.inject({ method: 'PUT', url: '/api/v1/nodes/labelled', payload: labelled });
    expect(put.statusCode).toBe(422);
    expect(put.body.length).toBeLessThan(5000);
  });
});

describe('UTF-8', () => {
  it('refuses invalid bytes with a 400 naming the body and where, in every content mode and on resource paths', async () => {
    const event = JSON.stringify(joined('worker-utf8'));
    for (const [type, payload] of [
      ['application/cloudevents+json', invalidUtf8(event)],
      ['application/cloudevents-batch+json', invalidUtf8(`[${event}]`)],
      ['application/json', invalidUtf8(event)],
    ] as const) {
      const res = await post(payload, type);
      expect(res.statusCode, type).toBe(400);
      expect(res.json().message).toMatch(/^the request body is not valid UTF-8 \(an invalid byte sequence at byte \d+\)/);
    }
    const binary = await post(invalidUtf8(JSON.stringify(node('worker-bin'))), 'application/json', { 'ce-specversion': '1.0', 'ce-id': 'bin', 'ce-source': 's', 'ce-type': 'io.everynode.node.joined' });
    expect(binary.statusCode).toBe(400);
    const text = await post(invalidUtf8('plain worker text'), 'text/plain', { 'ce-specversion': '1.0', 'ce-id': 'bin', 'ce-source': 's', 'ce-type': 'io.everynode.node.joined' });
    expect(text.statusCode).toBe(400);
    const put = await app.inject({ method: 'PUT', url: '/api/v1/nodes/worker-utf8', headers: { 'content-type': 'application/json' }, payload: invalidUtf8(JSON.stringify(node('worker-utf8'))) });
    expect(put.statusCode).toBe(400);
    expect(put.json().message).toMatch(/not valid UTF-8/);
    expect(await engine.reader.getNode('worker-utf8')).toBeUndefined();
  });

  it('takes well-formed UTF-8 (and a byte order mark) as it is', async () => {
    const event = joined('utf8-ok', { subject: 'ünïcødé 😀' });
    const res = await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(event))]), 'application/cloudevents+json');
    expect(res.statusCode, res.body).toBe(202);
  });
});

describe('resource bodies', () => {
  it('refuses a body nested deeper than 64 with a 400 naming where', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/nodes/deep', headers: { 'content-type': 'application/json' }, payload: `{"metadata":{"name":"deep"},"spec":${deepJson(10_000)}}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^the request body: spec\.a\.a.*: nests deeper than 64 levels/);
  });

  it('refuses annotations with a bad key or more than 256 KiB, as Kubernetes does', async () => {
    const badKey = await app.inject({ method: 'PUT', url: '/api/v1/nodes/annotated', payload: node('annotated', { annotations: { 'not a key': 'v' } }) });
    expect(badKey.statusCode).toBe(422);
    expect(badKey.json().details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.annotations' });
    const big = await app.inject({ method: 'PUT', url: '/api/v1/nodes/annotated', payload: node('annotated', { annotations: { a: 'x'.repeat(300_000) } }) });
    expect(big.statusCode).toBe(422);
    expect(big.json().details.causes).toEqual([{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes', field: 'metadata.annotations' }]);
  });

  it("quotes a kind String() cannot convert instead of failing with a 500", async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/nodes/k', payload: { ...node('k'), kind: { toString: 1 } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('the kind in the data ({"toString":1}) does not match the expected kind (Node)');
  });
});
