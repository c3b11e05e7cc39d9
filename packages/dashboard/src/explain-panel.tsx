/**
 * A pod's explanation (`GET …/pods/NAME/explain`): the events and passes
 * that made it what it is, in log order, each pass with links to the
 * entries that caused it (in the list, and as the cluster then).
 */
import type { ExplainEntry, Pod, PodExplanation } from '@everynode/api';
import type { Api } from './api.ts';
import { useAnswer } from './use-answer.ts';

export interface ExplainPanelProps {
  readonly api: Api;
  readonly pod: Pod;
  readonly onClose: () => void;
  /** Show the cluster as it stood after `seq`. */
  readonly onScrub: (seq: number) => void;
}

function EntryView({ entry, onScrub }: { entry: ExplainEntry; onScrub: (seq: number) => void }) {
  return (
    <li id={`explain-${entry.seq}`} class={`explain-entry ${entry.kind}`} data-seq={entry.seq}>
      <button type="button" class="seq" title="show the cluster as it was after this entry" onClick={() => onScrub(entry.seq)}>
        #{entry.seq}
      </button>{' '}
      <span class="at">{entry.at}</span> <span class="summary">{entry.summary}</span>
      {entry.causes && entry.causes.length > 0 && (
        <span class="causes">
          {' '}
          caused by{' '}
          {entry.causes.map((seq) => (
            <a key={seq} href={`#explain-${seq}`} class="cause" data-cause={seq}>
              #{seq}{' '}
            </a>
          ))}
        </span>
      )}
    </li>
  );
}

export function ExplainPanel({ api, pod, onClose, onScrub }: ExplainPanelProps) {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const explanation = useAnswer<PodExplanation>(api, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/explain`, { clear: true });
  return (
    <aside class="explain" data-testid="explain" data-pod={`${namespace}/${name}`}>
      <header>
        <h3>
          pod {namespace}/{name}
        </h3>
        <button type="button" onClick={onClose}>
          close
        </button>
      </header>
      {explanation === undefined && <p>Reading the log…</p>}
      {typeof explanation === 'string' && <p class="error">{explanation}</p>}
      {typeof explanation === 'object' && (
        <ol class="explain-entries">
          {explanation.entries.map((entry) => (
            <EntryView key={entry.seq} entry={entry} onScrub={onScrub} />
          ))}
        </ol>
      )}
    </aside>
  );
}
