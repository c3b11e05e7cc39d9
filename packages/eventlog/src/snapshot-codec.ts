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
export function stateOf(parsed: unknown): ClusterState {
  const data = parsed as SerializedState;
  for (const field of ['nodes', 'pods', 'versions', 'daemonSets'] as const) {
    if (!Array.isArray(data?.[field])) throw new TypeError(`state.${field} is missing or not a list`);
  }
  const state = stateWith(data);
  for (const [k, v] of data.nodes) state.nodes.set(k, v);
  for (const [k, v] of data.pods) state.pods.set(k, v);
  return state;
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

/** The state as the texts of a snapshot list (see the module's comment). */
export function encodeSnapshot(state: ClusterState): string[] {
  const parts = new SharedParts();
  for (const node of state.nodes.values()) parts.count(node);
  for (const pod of state.pods.values()) parts.count(pod);
  const chunks: string[] = [];
  const records = (field: string, map: ReadonlyMap<string, object>) => {
    let batch: string[] = [];
    let length = 0;
    const flush = () => {
      if (batch.length > 0) chunks.push(`{"${field}":[${batch.join(',')}]}`);
      batch = [];
      length = 0;
    };
    for (const [key, value] of map) {
      const record = parts.record(key, value as Json);
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

/** A state from the texts of a snapshot list. */
export function decodeSnapshot(texts: readonly string[]): ClusterState {
  const [headText, ...records] = texts;
  const head = JSON.parse(headText ?? 'null') as (Rest & { format: number; shared: unknown[] }) | null;
  if (head?.format !== 2) throw new Error(`snapshot: not a snapshot list (format ${JSON.stringify(head?.format)})`);
  const state = stateWith(head);
  const { shared } = head;
  for (const text of records) {
    const chunk = JSON.parse(text) as { nodes?: [string, Json, Ref[]?][]; pods?: [string, Json, Ref[]?][] };
    const target = chunk.nodes ? (state.nodes as Map<string, unknown>) : (state.pods as Map<string, unknown>);
    for (const [key, value, refs] of chunk.nodes ?? chunk.pods ?? []) {
      if (refs !== undefined) {
        for (const ref of refs) {
          if (ref.length === 2) value[ref[0]] = shared[ref[1]];
          else (value[ref[0]] as Json)[ref[1]] = shared[ref[2]];
        }
      }
      target.set(key, value as unknown as Node & Pod);
    }
  }
  return state;
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
