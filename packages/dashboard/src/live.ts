/**
 * The live cluster: one kube-style watch per kind (`?watch=1`, a stream),
 * starting with the present, so the page changes when the cluster does and
 * never polls. A watch that ends, fails (the server restarted) or says
 * ERROR is started again after a second; events arriving together are
 * applied together, at most once per animation frame.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { applyWatchEvents, type ClusterView, initialEventsEnd, type Kind, keyOf, newestSeq, type WatchEvent } from './cluster-model.ts';

const paths: Record<Kind, string> = {
  nodes: '/api/v1/nodes',
  daemonSets: '/apis/apps/v1/daemonsets',
  pods: '/api/v1/pods',
};

/**
 * One watch per kind that starts with the present (`sendInitialEvents`: every
 * object as ADDED, then a BOOKMARK marking their end): a list and a watch in
 * one read of the collection — a watch from a list's resourceVersion would
 * have the server rebuild the past from the log to find what changed since.
 */
const watchQuery = 'watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';

type Item = Node | DaemonSet | Pod;

/** The live view, the newest seq it reflects, and the last error (cleared by the next success). */
export interface LiveCluster {
  readonly view: ClusterView | undefined;
  readonly seq: number;
  readonly error: string | undefined;
}

const empty: ClusterView = { nodes: new Map(), daemonSets: new Map(), pods: new Map() };

/** Follow the cluster through `api` while mounted. */
export function useLiveCluster(api: Api): LiveCluster {
  const [state, setState] = useState<LiveCluster>({ view: undefined, seq: 0, error: undefined });

  useEffect(() => {
    const stop = new AbortController();
    let view: ClusterView = empty;
    let seq = 0;
    const loaded = new Set<Kind>();
    const pending: { kind: Kind; events: WatchEvent<Item>[] }[] = [];
    let scheduled = false;

    const publish = (error?: string) => {
      if (loaded.size === 3) setState({ view, seq, error });
      else if (error) setState((s) => ({ ...s, error }));
    };
    const flush = () => {
      scheduled = false;
      for (const { kind, events } of pending.splice(0)) {
        view = applyWatchEvents(view, kind, events);
        seq = newestSeq(seq, events.map((e) => e.object));
      }
      publish();
    };
    const later = (kind: Kind, events: WatchEvent<Item>[]) => {
      pending.push({ kind, events });
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(flush);
      }
    };

    const follow = async (kind: Kind): Promise<void> => {
      while (!stop.signal.aborted) {
        // This watch alone ends on an ERROR event: it starts again.
        const watch = new AbortController();
        const endWatch = () => watch.abort();
        stop.signal.addEventListener('abort', endWatch);
        // The kind's objects as the initial events bring them; undefined once they have all come.
        let initial: Map<string, Item> | undefined = new Map();
        try {
          await api.watch<Item>(
            `${paths[kind]}?${watchQuery}`,
            (events) => {
              if (events.some((e) => e.type === 'ERROR')) watch.abort();
              if (!initial) return later(kind, events);
              const end = initialEventsEnd(events);
              for (const event of end === -1 ? events : events.slice(0, end)) {
                if (event.type === 'DELETED') initial.delete(keyOf(event.object));
                else if (event.type === 'ADDED' || event.type === 'MODIFIED') initial.set(keyOf(event.object), event.object);
              }
              if (end === -1) return;
              // The present, whole: it replaces what an earlier watch of the kind left (and its events not yet applied).
              const present: ReadonlyMap<string, Item> = initial;
              initial = undefined;
              const stale = pending.filter((p) => p.kind !== kind);
              pending.splice(0, pending.length, ...stale);
              view = { ...view, [kind]: present };
              seq = newestSeq(seq, [events[end]?.object as Item, ...present.values()]);
              loaded.add(kind);
              publish();
              if (end + 1 < events.length) later(kind, events.slice(end + 1));
            },
            watch.signal,
          );
        } catch (error) {
          if (stop.signal.aborted) return;
          publish((error as Error).message);
        } finally {
          stop.signal.removeEventListener('abort', endWatch);
        }
        // The stream ended or failed: start again, after a pause so a server that is down is not hammered.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    for (const kind of Object.keys(paths) as Kind[]) void follow(kind);
    return () => stop.abort();
  }, [api]);

  return state;
}
