import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '@everynode/api';
import { utf8Bytes } from '@everynode/api';
import {
  SAFE_ALPHABET,
  canonicalJson,
  computeHash,
  deterministicUid,
  fnv32a,
  fnv64a,
  safeEncodeString,
  shortHash,
} from './hash.ts';

const SAFE = /^[bcdfghjklmnpqrstvwxz2456789]+$/;

const template = (): PodTemplateSpec => ({
  metadata: { labels: { app: 'fluentd', tier: 'logging' } },
  spec: { containers: [{ name: 'fluentd', image: 'fluentd:v1' }], nodeSelector: { disk: 'ssd' } },
});

describe('fnv32a / fnv64a', () => {
  // The published FNV-1a test vectors: they pin the algorithm, not our hashes.
  it('match the FNV-1a reference vectors', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
    expect(fnv64a('')).toBe(0xcbf29ce484222325n);
    expect(fnv64a('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv64a('foobar')).toBe(0x85944171f73967e8n);
  });

  it('hash the UTF-8 bytes of the text', () => {
    expect(utf8Bytes('é')).toEqual([0xc3, 0xa9]);
    expect(utf8Bytes('€')).toEqual([0xe2, 0x82, 0xac]);
    expect(utf8Bytes('😀')).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    const overBytes = [0xc3, 0xa9].reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv32a('é')).toBe(overBytes);
  });
});

describe('canonicalJson', () => {
  it('sorts keys recursively and keeps array order', () => {
    const a = { b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined members as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});

describe('safeEncodeString', () => {
  it('maps each character code modulo 27 onto the safe alphabet', () => {
    const input = '0123456789';
    const expected = [...input].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % 27]).join('');
    expect(safeEncodeString(input)).toBe(expected);
    expect(safeEncodeString('')).toBe('');
  });
});

describe('computeHash (controller.ComputeHash)', () => {
  it('is a short safe-alphabet string', () => {
    const hash = computeHash(template());
    expect(hash).toMatch(SAFE);
    expect(hash.length).toBeGreaterThan(0);
    expect(hash.length).toBeLessThanOrEqual(10);
  });

  it('is the safe-encoded decimal fnv32a of the canonical template', () => {
    expect(computeHash(template())).toBe(safeEncodeString(String(fnv32a(canonicalJson(template())))));
  });

  it('does not depend on key order', () => {
    const reordered: PodTemplateSpec = {
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ image: 'fluentd:v1', name: 'fluentd' }] },
      metadata: { labels: { tier: 'logging', app: 'fluentd' } },
    };
    expect(computeHash(reordered)).toBe(computeHash(template()));
    expect(computeHash(reordered, 3)).toBe(computeHash(template(), 3));
  });

  it('changes with the template', () => {
    const changed = template();
    changed.spec.containers = [{ name: 'fluentd', image: 'fluentd:v2' }];
    expect(computeHash(changed)).not.toBe(computeHash(template()));
  });

  it('changes with collisionCount, and a given 0 differs from none (as upstream)', () => {
    const hashes = [undefined, 0, 1, 2, 3].map((count) => computeHash(template(), count));
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('shortHash', () => {
  it('gives `length` safe-alphabet characters, 5 by default', () => {
    expect(shortHash(['ds-uid', '1'])).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(shortHash(['ds-uid', '1'], 30)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{30}$/);
  });

  it('is deterministic', () => {
    expect(shortHash(['ds-uid', '7'])).toBe(shortHash(['ds-uid', '7']));
    expect(shortHash(['ds-uid', '7'], 30).slice(0, 5)).toBe(shortHash(['ds-uid', '7']));
  });

  it('tells parts apart, including how they are split', () => {
    expect(shortHash(['a', 'bc'], 13)).not.toBe(shortHash(['ab', 'c'], 13));
    const suffixes = new Set(Array.from({ length: 1000 }, (_, i) => shortHash(['ds-uid', String(i)])));
    // 1000 draws from 27^5 ≈ 14.3M: a collision or two is possible, more is a broken spread.
    expect(suffixes.size).toBeGreaterThanOrEqual(998);
  });
});

describe('deterministicUid', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('is UUID-formatted with the version and variant bits set', () => {
    expect(deterministicUid(['default', 'fluentd'])).toMatch(UUID);
    expect(deterministicUid([])).toMatch(UUID);
  });

  it('is deterministic', () => {
    expect(deterministicUid(['default', 'fluentd', '1'])).toBe(deterministicUid(['default', 'fluentd', '1']));
  });

  it('gives the uids it always gave (replay and the golden logs depend on them)', () => {
    // Pinned before deterministicUid was rewritten to write the parts' JSON once.
    const pinned: [string[], string][] = [
      [[], '68e53983-3e36-5b20-be97-6bbc781cc987'],
      [['default', 'fluentd'], 'ad97fb15-2353-55d2-96ba-ac527bfd88ea'],
      [['uid-1', 'pod', '0'], 'ea010115-4034-58e5-b26b-12772bfd892c'],
      [['a"b', 'pod', '12345'], '6e32cbce-de2d-5c23-8c39-00be16519a20'],
      [['ünï', 'x'], '0fa81938-fbf0-5d50-a69b-b60432dab24e'],
      [['', '', ''], '2b50ce73-1d13-5757-b799-5532307ae795'],
    ];
    for (const [parts, uid] of pinned) expect(deterministicUid(parts)).toBe(uid);
  });

  it('is distinct over 100k inputs', () => {
    const uids = new Set<string>();
    for (let i = 0; i < 100_000; i++) uids.add(deterministicUid(['pod', String(i)]));
    expect(uids.size).toBe(100_000);
  });
});
