/**
 * A kubeconfig that points kubectl (and every Kubernetes client) at an
 * everynode API: one cluster, context and user, all named `everynode`, the
 * context current. everynode asks for no credentials, so the user is empty.
 */
import { stringify } from 'yaml';
import { CliError } from './errors.ts';

/** The name of the cluster, context and user the kubeconfig declares. */
export const KubeconfigName = 'everynode';

/** The kubeconfig YAML for the API at `server` (`http://127.0.0.1:7700`); a URL that is not http(s) is an error. */
export function kubeconfigFor(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`error: invalid server URL ${JSON.stringify(server)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`error: invalid server URL ${JSON.stringify(server)}: the scheme must be http or https`);
  }
  const name = KubeconfigName;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: server.replace(/\/+$/, '') } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}
