/**
 * The live cluster: each kind listed once, then watched from the list's
 * resourceVersion (the kube-style `?watch=1` stream), so the page changes
 * when the cluster does and never polls. A watch that ends, fails (the
 * server restarted) or says ERROR (the version is too old) is replaced by a
 * fresh list and watch after a second; events arriving together are
 * applied together, at most once per animation frame.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { applyWatchEvents, type ClusterView, type Kind, keyOf, newestSeq, type WatchEvent } from './cluster-model.ts';

const paths: Record<Kind, string> = {
  nodes: '/api/v1/nodes',
  daemonSets: '/apis/apps/v1/daemonsets',
  pods: '/api/v1/pods',
};

interface List<T> {
  readonly metadata: { readonly resourceVersion?: string };
  readonly items: T[];
}

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
    const pending: { kind: Kind; events: WatchEvent<Node | DaemonSet | Pod>[] }[] = [];
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

    const follow = async (kind: Kind): Promise<void> => {
      while (!stop.signal.aborted) {
        try {
          const list = await api.get<List<Node | DaemonSet | Pod>>(paths[kind], stop.signal);
          view = { ...view, [kind]: new Map(list.items.map((item) => [keyOf(item), item])) };
          seq = Math.max(seq, Number(list.metadata.resourceVersion ?? 0));
          loaded.add(kind);
          publish();
          const rv = list.metadata.resourceVersion ?? '0';
          // This watch alone ends on an ERROR event (410 Expired: the version fell behind the log's horizon): list again.
          const watch = new AbortController();
          const endWatch = () => watch.abort();
          stop.signal.addEventListener('abort', endWatch);
          try {
            await api.watch<Node | DaemonSet | Pod>(
              `${paths[kind]}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`,
              (events) => {
                if (events.some((e) => e.type === 'ERROR')) watch.abort();
                pending.push({ kind, events });
                if (!scheduled) {
                  scheduled = true;
                  requestAnimationFrame(flush);
                }
              },
              watch.signal,
            );
          } finally {
            stop.signal.removeEventListener('abort', endWatch);
          }
        } catch (error) {
          if (stop.signal.aborted) return;
          publish((error as Error).message);
        }
        // The stream ended or failed: list again, after a pause so a server that is down is not hammered.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    for (const kind of Object.keys(paths) as Kind[]) void follow(kind);
    return () => stop.abort();
  }, [api]);

  return state;
}
