/**
 * How a snapshot is stored: the state as a list of JSON texts of about a
 * megabyte each, nodes and pods written with the parts they share written
 * once.
 *
 * Why: a snapshot of 20,000 nodes and 20,000 pods is ~32 MB of plain JSON;
 * read as one string it took ioredis ~0.3–0.6 s before parsing began, and
 * parsing it longer than replaying the whole log it stands for. Read as a
 * list of 1 MB strings the same bytes take ~40 ms. And the objects of a
 * cluster repeat themselves: a DaemonSet's pods have the same containers,
 * tolerations, labels and owner; a node pool's nodes the same conditions,
 * capacity and images. Each array of a node or pod one level down, and each
 * object or array two levels down (`spec.containers`, `status.conditions`),
 * whose JSON is long and seen more than once is written once, in `shared`,
 * and where it stood the object holds `0` and a ref says which — `[key,
 * index]` or `[key, key, index]`. Read back, those objects are shared
 * (as `newDaemonPod` shares its template's): nothing mutates state objects in
 * place.
 *
 * The list: first `{"format":2,"shared":[…],"daemonSets":[…],"versions":[…]}`,
 * then `{"nodes":[…]}` and `{"pods":[…]}` texts, each record
 * `[key, object]` or `[key, object, refs]`, in the maps' order.
 */
import type { ControllerRevision, DaemonSet, Node, Pod } from '@everynode/api';
import { type ClusterState, type ControllerRecord, emptyClusterState, type ObjectVersion } from '@everynode/daemonset';

/** The whole-JSON form: export's snapshot line, and the snapshots older engines stored. */
interface SerializedState extends Rest {
  nodes: [string, Node][];
  pods: [string, Pod][];
}

/** What both forms write alike. */
interface Rest {
  versions: [string, ObjectVersion][];
  daemonSets: [string, { daemonSet: DaemonSet; controller: ControllerRecord; deleted: boolean; revisions: [string, ControllerRevision][] }][];
}

export function serializeState(state: ClusterState): string {
  const out: SerializedState = { nodes: [...state.nodes], pods: [...state.pods], ...restOf(state) };
  return JSON.stringify(out);
}

export function deserializeState(json: string): ClusterState {
  return stateOf(JSON.parse(json));
}

/** A state from the whole-JSON form already parsed; throws naming the field that is not a list. */
export function stateOf(data: unknown): ClusterState {
  assertSerializedState(data);
  const state = stateWith(data);
  for (const [k, v] of data.nodes) state.nodes.set(k, v);
  for (const [k, v] of data.pods) state.pods.set(k, v);
  return state;
}

/**
 * Check that `data` is the whole-JSON form: its four fields are lists (the
 * first that is not is named). The one trusted conversion of that form: the
 * records in the lists are as `serializeState` wrote them.
 */
function assertSerializedState(data: unknown): asserts data is SerializedState {
  for (const field of ['nodes', 'pods', 'versions', 'daemonSets'] as const) {
    if (!isJson(data) || !Array.isArray(data[field])) throw new TypeError(`state.${field} is missing or not a list`);
  }
}

function restOf(state: ClusterState): Rest {
  return {
    versions: [...state.versions],
    daemonSets: [...state.daemonSets].map(([key, r]) => [key, { daemonSet: r.daemonSet, controller: r.controller, deleted: r.deleted, revisions: [...r.revisions] }]),
  };
}

/** A state with `rest`'s versions and DaemonSets, no nodes or pods yet. */
function stateWith(rest: Rest): ClusterState {
  const state = emptyClusterState();
  for (const [k, v] of rest.versions) state.versions.set(k, v);
  for (const [k, r] of rest.daemonSets) state.daemonSets.set(k, { ...r, revisions: new Map(r.revisions) });
  return state;
}

/** Shorter than this, a shared part is written where it stands (a ref would save little). */
const MinSharedLength = 32;
/** Characters per text of the list, about. */
const ChunkLength = 1 << 20;

type Json = Record<string, unknown>;
type Ref = [string, number] | [string, string, number];

const isPart = (v: unknown): v is object => typeof v === 'object' && v !== null;
/** An object read by its keys (from JSON, or a part of one). */
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null;

/** The state as the texts of a snapshot list (see the module's comment). */
export function encodeSnapshot(state: ClusterState): string[] {
  const parts = new SharedParts();
  for (const node of state.nodes.values()) parts.count(node);
  for (const pod of state.pods.values()) parts.count(pod);
  const chunks: string[] = [];
  const records = (field: string, map: ReadonlyMap<string, Json>) => {
    let batch: string[] = [];
    let length = 0;
    const flush = () => {
      if (batch.length > 0) chunks.push(`{"${field}":[${batch.join(',')}]}`);
      batch = [];
      length = 0;
    };
    for (const [key, value] of map) {
      const record = parts.record(key, value);
      batch.push(record);
      length += record.length;
      if (length >= ChunkLength) flush();
    }
    flush();
  };
  records('nodes', state.nodes);
  records('pods', state.pods);
  const rest = JSON.stringify(restOf(state)).slice(1);
  return [`{"format":2,"shared":[${parts.texts.join(',')}],${rest}`, ...chunks];
}

/** The first text of a snapshot list. */
interface Head extends Rest {
  format: 2;
  shared: unknown[];
}

/** A records text of a snapshot list: nodes or pods, each with the refs to put the shared parts back. */
type Records = { nodes: StoredRecord<Node>[]; pods?: undefined } | { nodes?: undefined; pods: StoredRecord<Pod>[] };
type StoredRecord<T> = [key: string, object: T, refs?: Ref[]];

/**
 * The texts of a snapshot list, parsed: the one trusted conversion of a
 * stored snapshot. What is checked is that the texts are a snapshot list
 * (the format, a list of records in each); the records are as
 * `encodeSnapshot` wrote them, and are not walked (a snapshot is read to
 * save time: 40,000 objects in some 40 ms).
 */
function parseSnapshotList(texts: readonly string[]): { head: Head; records: Records[] } {
  const [headText, ...recordTexts] = texts;
  const head: unknown = JSON.parse(headText ?? 'null');
  if (!isHead(head)) {
    const format = isJson(head) ? head.format : undefined;
    throw new Error(format === 2 ? 'snapshot: the head of the list is not valid' : `snapshot: not a snapshot list (format ${JSON.stringify(format)})`);
  }
  const records = recordTexts.map((text, i): Records => {
    const chunk: unknown = JSON.parse(text);
    if (isRecords(chunk)) return chunk;
    throw new Error(`snapshot: text ${i + 1} of the list holds neither nodes nor pods`);
  });
  return { head, records };
}

function isHead(value: unknown): value is Head {
  return isJson(value) && value.format === 2 && Array.isArray(value.shared) && Array.isArray(value.versions) && Array.isArray(value.daemonSets);
}

function isRecords(value: unknown): value is Records {
  return isJson(value) && (Array.isArray(value.nodes) || Array.isArray(value.pods));
}

/** A state from the texts of a snapshot list. */
export function decodeSnapshot(texts: readonly string[]): ClusterState {
  const { head, records } = parseSnapshotList(texts);
  const state = stateWith(head);
  const { shared } = head;
  for (const chunk of records) {
    if (chunk.nodes) for (const [key, node, refs] of chunk.nodes) state.nodes.set(key, withShared(node, refs, shared));
    else for (const [key, pod, refs] of chunk.pods) state.pods.set(key, withShared(pod, refs, shared));
  }
  return state;
}

/** `object` with the shared parts its refs name put back where it holds `0`. */
function withShared<T extends Json>(object: T, refs: readonly Ref[] | undefined, shared: readonly unknown[]): T {
  if (refs === undefined) return object;
  const json: Json = object;
  for (const ref of refs) {
    if (ref.length === 2) json[ref[0]] = shared[ref[1]];
    else {
      const inner = json[ref[0]];
      if (isJson(inner)) inner[ref[1]] = shared[ref[2]];
    }
  }
  return object;
}

/** The parts of nodes and pods seen more than once, and the records that refer to them. */
class SharedParts {
  readonly texts: string[] = [];
  readonly #seen = new Map<string, number>();
  readonly #index = new Map<string, number>();
  readonly #json = new WeakMap<object, string>();

  /** JSON of `part`, once per object (parts shared in memory are many); '' when it writes none (a `toJSON` giving undefined). */
  #jsonOf(part: object): string {
    let json = this.#json.get(part);
    if (json === undefined) this.#json.set(part, (json = (JSON.stringify(part) as string | undefined) ?? ''));
    return json;
  }

  #isShared(json: string): boolean {
    return json.length >= MinSharedLength && (this.#seen.get(json) ?? 0) > 1;
  }


  #indexOf(json: string): number {
    let index = this.#index.get(json);
    if (index === undefined) {
      this.#index.set(json, (index = this.texts.length));
      this.texts.push(json);
    }
    return index;
  }

  /**
   * Count the parts of `object`: arrays one level down, objects and arrays
   * two levels down. An object one level down (`metadata`, `spec`, `status`)
   * is only looked into: it is rarely the same whole, and writing each once
   * more to find out was a third of the work.
   */
  count(object: object): void {
    for (const value of Object.values(object)) {
      if (!isPart(value)) continue;
      if (Array.isArray(value)) this.#countOne(value);
      else for (const inner of Object.values(value)) if (isPart(inner)) this.#countOne(inner);
    }
  }

  #countOne(part: object): void {
    const json = this.#jsonOf(part);
    if (json.length >= MinSharedLength) this.#seen.set(json, (this.#seen.get(json) ?? 0) + 1);
  }

  /** `[key, object]` or `[key, object, refs]` as JSON, the shared parts replaced by `0`. */
  record(key: string, object: Json): string {
    const refs: Ref[] = [];
    // Without a prototype, a key `__proto__` is an own property, as JSON.parse made it (and the
    // placeholder JSON.parse makes for it is one, so the ref's assignment sets it).
    const out = Object.create(null) as Json;
    for (const [k1, value] of Object.entries(object)) {
      if (!isPart(value)) {
        out[k1] = value;
        continue;
      }
      if (Array.isArray(value)) {
        const json = this.#jsonOf(value);
        if (this.#isShared(json)) {
          out[k1] = 0;
          refs.push([k1, this.#indexOf(json)]);
        } else out[k1] = value;
        continue;
      }
      const inner = Object.create(null) as Json;
      for (const [k2, v2] of Object.entries(value)) {
        if (isPart(v2) && this.#isShared(this.#jsonOf(v2))) {
          inner[k2] = 0;
          refs.push([k1, k2, this.#indexOf(this.#jsonOf(v2))]);
        } else inner[k2] = v2;
      }
      out[k1] = inner;
    }
    return JSON.stringify(refs.length > 0 ? [key, out, refs] : [key, out]);
  }
}
