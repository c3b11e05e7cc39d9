/**
 * Kubernetes `v1 Event`s rebuilt from the log. The DaemonSet controller
 * records an Event for each pod it creates or deletes (`RealPodControl`) and
 * for each failed or succeeded daemon pod it kills; everynode records the
 * decisions instead, so the Events are derived from the pass entries with
 * `eventsOf`. Nothing here reads a clock: a pass's time is the Event's time,
 * so the same log always yields the same Events.
 *
 * As client-go's event correlator does, repeats of the same Event (same
 * object, type, reason and message) are folded into one with a `count` and
 * a `lastTimestamp`.
 */
import type { KubeEvent } from '@everynode/api';
import { type Decision, deterministicUid, eventsOf } from '@everynode/daemonset';
import type { LogEntry, PassEntry } from '@everynode/engine';

/** An Event's name and namespace, and the uid they derive: the same log always gives the same uid. */
function eventMeta(namespace: string, name: string): { name: string; namespace: string; uid: string } {
  return { name, namespace, uid: deterministicUid(['event', namespace, name]) };
}

/** The component that reports every Event here, as the DaemonSet controller names itself. */
export const controllerComponent = 'daemonset-controller';

// The Event's shape is the wire's (`@everynode/api` `replies.ts`), which the client reads too.
export type { KubeEvent } from '@everynode/api';

/** `metav1.Time` precision: RFC 3339 in whole seconds, UTC. */
export function toSeconds(at: string): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

/**
 * `<ds>.<16 hex digits>`, the shape of client-go's Event names (there the
 * digits are a nanosecond clock): here the pass's seq (12 digits) then the
 * Event's index within the pass (4 or more), so every name is unique and
 * stable across rebuilds.
 */
export function eventName(daemonSet: string, seq: number, index: number): string {
  return `${daemonSet}.${seq.toString(16).padStart(12, '0')}${index.toString(16).padStart(4, '0')}`;
}

/** The DaemonSet's uid as a pass's decisions carry it (owner references of pods and revisions). */
function uidInDecisions(decisions: readonly Decision[]): string | undefined {
  for (const d of decisions) {
    if (d.type === 'PodCreateRequested') {
      const owner = d.pod.metadata.ownerReferences?.find((ref) => ref.controller === true);
      if (owner) return owner.uid;
    } else if (d.type === 'RevisionCreated') {
      const owner = d.revision.metadata.ownerReferences?.find((ref) => ref.controller === true);
      if (owner) return owner.uid;
    } else if (d.type === 'PodAdopted') {
      return d.owner.uid;
    }
  }
  return undefined;
}

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Folds log entries, in order, into the Events of one namespace (or of
 * all). Feed every entry from the start: a DaemonSet's uid is learnt from
 * the owner references its passes' decisions carry (every DaemonSet's first
 * pass records its revision) and kept for the passes that carry none — the
 * cascade after a delete included — so that a DaemonSet recreated under the
 * same name gets Events of its own, as `describe` (which selects on
 * `involvedObject.uid`) expects.
 */
export class ControllerEventLog {
  readonly #namespace: string | undefined;
  readonly #uids = new Map<string, string>();
  readonly #events: KubeEvent[] = [];
  /** Index into `#events` by correlation key. */
  readonly #byKey = new Map<string, number>();

  /** @param namespace Keep only Events in this namespace; every namespace when omitted. */
  constructor(namespace?: string) {
    this.#namespace = namespace;
  }

  /** Take the next log entry into account. */
  observe(entry: LogEntry): void {
    // Events in are not the controller's: only its passes record Events.
    if (entry.kind === 'pass') this.#observePass(entry);
  }

  /** The Events so far, oldest first. */
  list(): KubeEvent[] {
    return [...this.#events];
  }

  #observePass(entry: PassEntry): void {
    const uid = uidInDecisions(entry.decisions) ?? this.#uids.get(entry.daemonSet) ?? '';
    this.#uids.set(entry.daemonSet, uid);
    const { namespace, name } = splitKey(entry.daemonSet);
    if (this.#namespace !== undefined && namespace !== this.#namespace) return;
    const at = toSeconds(entry.at);
    let index = 0;
    for (const decision of entry.decisions) {
      for (const event of eventsOf(decision)) {
        const key = [uid, namespace, name, event.type, event.reason, event.message].join('\u0000');
        const seen = this.#byKey.get(key);
        if (seen !== undefined) {
          const previous = this.#events[seen] as KubeEvent;
          this.#events[seen] = { ...previous, count: (previous.count ?? 1) + 1, lastTimestamp: at, metadata: { ...previous.metadata, resourceVersion: String(entry.seq) } };
        } else {
          this.#byKey.set(key, this.#events.length);
          this.#events.push({
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { ...eventMeta(namespace, eventName(name, entry.seq, index)), creationTimestamp: at, resourceVersion: String(entry.seq) },
            involvedObject: { kind: 'DaemonSet', apiVersion: 'apps/v1', namespace, name, uid },
            reason: event.reason,
            message: event.message,
            type: event.type,
            source: { component: controllerComponent },
            reportingComponent: controllerComponent,
            reportingInstance: '',
            firstTimestamp: at,
            lastTimestamp: at,
            count: 1,
          });
        }
        index++;
      }
    }
  }
}
