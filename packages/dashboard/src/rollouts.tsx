/**
 * Rollouts: per DaemonSet the numbers `kubectl get ds` prints, as bars
 * against the desired count, and its revision history. The bars follow the
 * DaemonSet's watch, so a rollout moves as the controller reports it; the
 * revisions are read again only when the DaemonSet changes.
 */
import type { ControllerRevision, DaemonSet } from '@everynode/api';
import { controllerOf } from '@everynode/api';
import type { Api } from './api.ts';
import { useAnswer } from './use-answer.ts';
import { rolloutBars, rolloutNumbers } from './rollout-model.ts';

function Revisions({ api, ds }: { api: Api; ds: DaemonSet }) {
  const { namespace = 'default', name = '', resourceVersion } = ds.metadata;
  const list = useAnswer<{ items: ControllerRevision[] }>(api, `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/controllerrevisions`, { refresh: resourceVersion });
  if (typeof list === 'string') return <p class="error">{list}</p>;
  const revisions = (list?.items ?? []).filter((r) => controllerOf(r.metadata)?.name === name).sort((a, b) => b.revision - a.revision);
  return (
    <ol class="revisions" data-testid="revisions">
      {revisions.map((r) => (
        <li key={r.metadata.name}>
          revision {r.revision}: <code>{r.metadata.name}</code> {r.metadata.creationTimestamp ?? ''}
        </li>
      ))}
    </ol>
  );
}

export function Rollouts({ api, daemonSets }: { api: Api; daemonSets: readonly DaemonSet[] }) {
  if (daemonSets.length === 0) return <p>No DaemonSets.</p>;
  return (
    <div class="rollouts">
      {daemonSets.map((ds) => {
        const key = `${ds.metadata.namespace}/${ds.metadata.name}`;
        const numbers = rolloutNumbers(ds);
        const scale = Math.max(1, numbers.desired, numbers.current);
        const inProgress = numbers['up-to-date'] < numbers.desired || numbers.available < numbers.desired;
        return (
          <section key={key} class="rollout" data-ds={key} data-in-progress={String(inProgress)}>
            <h3>
              {key} <small>generation {ds.metadata.generation ?? '?'}{inProgress ? ' — rolling out' : ''}</small>
            </h3>
            {rolloutBars.map(([label]) => (
              <div key={label} class="bar-row">
                <span class="bar-label">{label}</span>
                <span class="bar">
                  <span class={`bar-fill ${label}`} style={{ width: `${(100 * numbers[label]) / scale}%` }} />
                </span>
                <span class="bar-value" data-bar={label}>
                  {numbers[label]}
                </span>
              </div>
            ))}
            <h4>Revisions</h4>
            <Revisions api={api} ds={ds} />
          </section>
        );
      })}
    </div>
  );
}
