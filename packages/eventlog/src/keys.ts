/**
 * The key layout under a prefix. Every key carries the hash tag `{prefix}`,
 * so a Redis Cluster keeps one cluster's keys in one slot and the commit
 * script can touch them atomically.
 *
 * | key                      | type   | holds                                                    |
 * |--------------------------|--------|----------------------------------------------------------|
 * | `{p}:log`                | stream | the log: entry id `<seq>-0`, field `e` = entry JSON       |
 * | `{p}:index:<n>`          | string | lines `<seq> <header>` of seqs n×1000 … n×1000+999 (log-index.ts) |
 * | `{p}:seq`                | string | the last sequence number                                  |
 * | `{p}:seen`               | hash   | `source\nid` → seq of every accepted event (idempotency)  |
 * | `{p}:seen-expiry`        | zset   | seen fields of trimmed entries, by acceptance time (dedupe-window.ts) |
 * | `{p}:rv`                 | hash   | object key → seq of its last change (optimistic checks)   |
 * | `{p}:versions`           | hash   | object key → newest event time applied (staleness)        |
 * | `{p}:nodes`              | hash   | node name → Node JSON                                     |
 * | `{p}:pods`               | hash   | `ns/name` → the pod's record: its JSON, or what is its own against a base (pod-record.ts) |
 * | `{p}:pod-bases`          | hash   | base id → the JSON of a base pods are stored against      |
 * | `{p}:pod-base-refs`      | hash   | base id → how many pods refer to it (none: the sweep drops it) |
 * | `{p}:dss`                | hash   | `ns/name` → DaemonSet record JSON (object + bookkeeping)  |
 * | `{p}:revs:<ns/name>`     | hash   | revision name → ControllerRevision JSON                   |
 * | `{p}:node-pods:<node>`   | set    | pod keys targeting the node                               |
 * | `{p}:ds-pods:<ns/name>`  | set    | pod keys the DaemonSet controls                           |
 * | `{p}:orphans:<ns>`       | set    | pod keys in the namespace with no controller              |
 * | `{p}:contrib:<ns/name>`  | hash   | node → status contribution; `*old` → nodes on old pods    |
 * | `{p}:dirty:<ns/name>`    | hash   | node → marks a pass must answer; `*` = all nodes          |
 * | `{p}:causes:<ns/name>`   | hash   | seq of an event the next pass answers → its node (`*`: all) |
 * | `{p}:outbox`             | stream | passes whose commands are not yet published (field `seq`) |
 * | `{p}:checkpoints`        | hash   | outbound bridge name → last log seq it delivered          |
 *
 * Object keys (in `rv` and `versions`): `node/NAME`, `pod/NS/NAME`, `ds/NS/NAME`.
 */
export class Keys {
  readonly tag: string;

  constructor(readonly prefix: string) {
    this.tag = `{${prefix}}`;
  }

  get log() { return `${this.tag}:log`; }
  get seq() { return `${this.tag}:seq`; }
  get seen() { return `${this.tag}:seen`; }
  get rv() { return `${this.tag}:rv`; }
  get versions() { return `${this.tag}:versions`; }
  get nodes() { return `${this.tag}:nodes`; }
  get pods() { return `${this.tag}:pods`; }
  get podBases() { return `${this.tag}:pod-bases`; }
  get podBaseRefs() { return `${this.tag}:pod-base-refs`; }
  get daemonSets() { return `${this.tag}:dss`; }
  get outbox() { return `${this.tag}:outbox`; }
  get checkpoints() { return `${this.tag}:checkpoints`; }
  revisions(ds: string) { return `${this.tag}:revs:${ds}`; }
  nodePods(node: string) { return `${this.tag}:node-pods:${node}`; }
  daemonSetPods(ds: string) { return `${this.tag}:ds-pods:${ds}`; }
  orphans(namespace: string) { return `${this.tag}:orphans:${namespace}`; }
  contributions(ds: string) { return `${this.tag}:contrib:${ds}`; }
  dirty(ds: string) { return `${this.tag}:dirty:${ds}`; }
  causes(ds: string) { return `${this.tag}:causes:${ds}`; }
  /** Log index block `block` (seqs block×1000 … block×1000+999): the one place it is named; the commit script is passed these keys. */
  indexBlock(block: number) { return `${this.tag}:index:${block}`; }
  /** Every key of this prefix, for clean-up (`SCAN MATCH`). */
  get pattern() { return `${this.tag}:*`; }
}

/**
 * The field of `{p}:dirty:*` that asks for a full pass. Marks are counted, so
 * a pass takes back only the marks it read: one added during the pass stays.
 */
export const AllNodes = '*';
/** The field of `{p}:contrib:*` holding how many nodes run a pod of an older template. */
export const OldTotalField = '*old';
