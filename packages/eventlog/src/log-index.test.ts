/**
 * The index reader without Redis: blocks are read as bytes and decoded by
 * the reader (a one-byte copy for ASCII, UTF-8 otherwise), and the cursor
 * reads a header's fields, its extras compared in place, exactly.
 */
import { describe, expect, it } from 'vitest';
import { EventType } from '@everynode/api';
import { type IndexSource, indexLine, readIndexPage } from './log-index.ts';
import { Keys } from './keys.ts';

/** A source whose index blocks are `blocks` (block number → text, stored as UTF-8 bytes) and whose stream is empty. */
function source(blocks: Record<number, string>): IndexSource {
  const keys = new Keys('test-log-index');
  const bytes = new Map(Object.entries(blocks).map(([block, text]) => [keys.indexBlock(Number(block)), Buffer.from(text, 'utf8')]));
  const redis = {
    mgetBuffer: async (names: string[]) => names.map((name) => bytes.get(name) ?? null),
    pipeline: () => ({ xrange: () => undefined, exec: async () => [] }),
  };
  return { keys, redis: redis as unknown as IndexSource['redis'] };
}

const at = Date.parse('2026-04-01T00:00:00Z');
const report = (seq: number, pod: string, uid: string, labels: boolean) =>
  indexLine(seq, `${at + seq} ${EventType.PodStatus} ${at} pod/default/${pod} ${uid} ${labels ? 'labels' : '-'}`);

describe('readIndexPage', () => {
  it('reads blocks of ASCII and of other text exactly, across blocks', async () => {
    const store = source({
      0: report(998, 'a', 'uid-a', false) + report(999, 'ünïcode-pod', 'uid-ü', true),
      1: report(1000, 'b', '-', false) + indexLine(1001, `${at} ${EventType.NodeJoined} ${at} node/nœud-1 2026-04-01T00:00:00Z`),
    });
    const cursor = await readIndexPage(store, 998, 1001, [EventType.PodStatus, EventType.NodeJoined]);
    const read: unknown[] = [];
    while (cursor.next()) {
      read.push({ seq: cursor.seq, at: cursor.at, headerOnly: cursor.headerOnly, object: cursor.object, uid: cursor.extra(0), labels: cursor.extraIs(1, 'labels') });
    }
    expect(read).toEqual([
      { seq: 998, at: at + 998, headerOnly: true, object: 'pod/default/a', uid: 'uid-a', labels: false },
      { seq: 999, at: at + 999, headerOnly: true, object: 'pod/default/ünïcode-pod', uid: 'uid-ü', labels: true },
      { seq: 1000, at: at + 1000, headerOnly: true, object: 'pod/default/b', uid: '-', labels: false },
      { seq: 1001, at, headerOnly: true, object: 'node/nœud-1', uid: '2026-04-01T00:00:00Z', labels: false },
    ]);
  });

  it('reads a block that lacks its last newline apart from the next one', async () => {
    const store = source({ 0: report(998, 'a', 'uid-a', false) + report(999, 'b', 'uid-b', true).trimEnd(), 1: report(1000, 'c', '-', false), 2: '' });
    const cursor = await readIndexPage(store, 998, 2001, [EventType.PodStatus]);
    const read: unknown[] = [];
    while (cursor.next()) read.push([cursor.seq, cursor.headerOnly, cursor.object, cursor.extraIs(1, 'labels')]);
    // 1001…2001 have no line and are not in the stream: nothing to read.
    expect(read).toEqual([
      [998, true, 'pod/default/a', false],
      [999, true, 'pod/default/b', true],
      [1000, true, 'pod/default/c', false],
    ]);
  });

  it('compares an extra in place: equal, a prefix, longer, missing', async () => {
    const store = source({ 0: report(1, 'a', 'uid-a', true) + indexLine(2, `${at} ${EventType.NodeJoined} ${at} node/n1`) });
    const cursor = await readIndexPage(store, 1, 2, [EventType.PodStatus, EventType.NodeJoined]);
    expect(cursor.next()).toBe(true);
    expect([cursor.extraIs(0, 'uid-a'), cursor.extraIs(0, 'uid-'), cursor.extraIs(0, 'uid-ab'), cursor.extraIs(1, 'labels'), cursor.extraIs(2, 'labels')]).toEqual([true, false, false, true, false]);
    expect(cursor.next()).toBe(true);
    expect([cursor.extraIs(0, ''), cursor.extra(0)]).toEqual([false, undefined]);
    expect(cursor.next()).toBe(false);
  });
});
