/**
 * A commit under construction: the arguments of `scripts/commit.lua`, built
 * up operation by operation, then sent in one call.
 */
import type { UnsequencedEntry } from './entries.ts';
import { entryHeader } from './header.ts';
import type { Keys } from './keys.ts';
import { IndexBlockSize, indexBlockOf } from './log-index.ts';

/**
 * How far past the caller's last seq the index blocks passed to the script
 * reach beyond the commit's own entries: room for other writers' commits
 * the caller has not seen. Further behind, the script answers `moved`.
 */
export const SeqMargin = IndexBlockSize;

export class CommitBuilder {
  private readonly k: Keys;
  private readonly keys: string[];
  private readonly keyIndex = new Map<string, number>();
  private readonly entries: string[] = [];
  private readonly checks = new Map<string, string>();
  private readonly rvUpdates = new Set<string>();
  private readonly ops: string[] = [];
  private opCount = 0;
  /** HSET fields and SADD members per key, sent as one variadic op each. */
  private readonly hashWrites = new Map<string, string[]>();
  private readonly setAdds = new Map<string, string[]>();

  constructor(k: Keys) {
    this.k = k;
    this.keys = [k.seen, k.rv, k.log, k.seq];
    this.keys.forEach((key, i) => this.keyIndex.set(key, i + 1));
  }

  /** Append a log entry (with its header); `dedupe` (`source\nid`) makes it idempotent. Returns its index. */
  entry(body: UnsequencedEntry, dedupe = ''): number {
    return this.entryJson(body, JSON.stringify(body), dedupe);
  }

  /** Append a log entry already serialised as `json`. */
  entryJson(body: UnsequencedEntry, json: string, dedupe = ''): number {
    this.entries.push(dedupe, json, entryHeader(body));
    return this.entries.length / 3 - 1;
  }

  get entryCount(): number {
    return this.entries.length / 3;
  }

  /** Commit only if `objectKey` still has the rv it had when read. */
  check(objectKey: string, expectedRv: string): void {
    if (!this.checks.has(objectKey)) this.checks.set(objectKey, expectedRv);
  }

  /** Mark an object changed: its rv becomes this commit's seq. */
  touch(objectKey: string): void {
    this.rvUpdates.add(objectKey);
  }

  hset(key: string, field: string, value: string): void {
    let pending = this.hashWrites.get(key);
    if (!pending) this.hashWrites.set(key, (pending = []));
    pending.push(field, value);
  }
  hdel(key: string, field: string): void {
    this.op('hdel', key, [field]);
  }
  sadd(key: string, member: string): void {
    let pending = this.setAdds.get(key);
    if (!pending) this.setAdds.set(key, (pending = []));
    pending.push(member);
  }
  srem(key: string, member: string): void {
    this.op('srem', key, [member]);
  }
  /** Count one more mark on `field`. */
  hincr(key: string, field: string, by = 1): void {
    this.op('hincr', key, [field, String(by)]);
  }
  /** Take back `by` marks from `field`, dropping it when none remain. */
  hdecr(key: string, field: string, by: number): void {
    this.op('hdecr', key, [field, String(by)]);
  }
  del(key: string): void {
    this.op('del', key);
  }
  /** Set field <the seq of entry `entryIndex`> of the hash `key` to `value`. */
  hsetSeq(key: string, entryIndex: number, value: string): void {
    this.op('hsetseq', key, [String(entryIndex), value]);
  }
  /**
   * Note in the outbox `key` that entry `entryIndex` (a pass) has commands to
   * publish: the publisher derives them from the logged decisions, so they
   * are written once, in the log.
   */
  outboxPass(key: string, entryIndex: number): void {
    this.op('xaddseq', key, [String(entryIndex)]);
  }

  private op(code: string, key: string, args: readonly string[] = []): void {
    let index = this.keyIndex.get(key);
    if (index === undefined) {
      this.keys.push(key);
      index = this.keys.length;
      this.keyIndex.set(key, index);
    }
    this.ops.push(code, String(index), String(args.length));
    for (const arg of args) this.ops.push(arg);
    this.opCount++;
  }

  /** The buffered HSETs and SADDs as variadic ops (no commit writes and removes the same field). */
  private flushBuffered(): void {
    for (const [key, args] of this.hashWrites) this.op('hset', key, args);
    for (const [key, args] of this.setAdds) this.op('sadd', key, args);
    this.hashWrites.clear();
    this.setAdds.clear();
  }

  /**
   * `KEYS` and `ARGV` for the script, passing the index blocks the entries
   * fall in if the last seq is `lastSeq` or up to `SeqMargin` more. Built with
   * loops: a big pass has 100,000s of arguments, too many to spread.
   */
  args(lastSeq = 0): { keys: string[]; argv: string[] } {
    this.flushBuffered();
    const keys = this.keys.slice();
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) lastSeq = 0;
    const first = indexBlockOf(lastSeq + 1);
    const blocks = this.entryCount === 0 ? 0 : indexBlockOf(lastSeq + this.entryCount + SeqMargin) - first + 1;
    for (let b = 0; b < blocks; b++) keys.push(this.k.indexBlock(first + b));
    const argv: string[] = [String(first), String(blocks), String(this.entryCount)];
    const append = (items: Iterable<string>) => {
      for (const item of items) argv.push(item);
    };
    append(this.entries);
    argv.push(String(this.checks.size));
    for (const [key, rv] of this.checks) argv.push(key, rv);
    argv.push(String(this.rvUpdates.size));
    append(this.rvUpdates);
    argv.push(String(this.opCount));
    append(this.ops);
    return { keys, argv };
  }
}

export type CommitOutcome =
  | { readonly kind: 'ok'; readonly seqs: number[] }
  | { readonly kind: 'dup'; readonly entries: number[] }
  | { readonly kind: 'conflict'; readonly objectKey: string };

/** The script's replies: an outcome, or `moved` (the index blocks passed were not the new entries': nothing written), which `EventStore.commit` retries from `seq`, the last seq now. */
export type CommitReply = CommitOutcome | { readonly kind: 'moved'; readonly seq: number };

/**
 * A commit the script refused before writing anything: a malformed commit
 * (an unknown opcode, a key index out of range, a wrong argument count) or a
 * key holding a type its write cannot take. Permanent: retrying does not help.
 */
export class CommitRefused extends Error {
  override readonly name = 'CommitRefused';
}

/** The script's reply, typed; `invalid` is thrown as `CommitRefused`. */
export function parseReply(reply: unknown): CommitReply {
  const [kind, ...rest] = reply as [string, ...(string | number)[]];
  if (kind === 'ok') return { kind, seqs: rest.map(Number) };
  if (kind === 'dup') return { kind, entries: rest.map(Number) };
  if (kind === 'conflict') return { kind, objectKey: String(rest[0]) };
  if (kind === 'moved') return { kind, seq: Number(rest[0]) };
  if (kind === 'invalid') throw new CommitRefused(`commit refused, nothing written: ${String(rest[0])}`);
  throw new Error(`commit: unexpected reply ${JSON.stringify(reply)}`);
}

/** The script's reply as an outcome (`moved` is not one: `EventStore.commit` retries it). */
export function parseOutcome(reply: unknown): CommitOutcome {
  const parsed = parseReply(reply);
  if (parsed.kind === 'moved') throw new Error(`commit: the index blocks passed were not the new entries' (the last seq is ${parsed.seq}): nothing written`);
  return parsed;
}
