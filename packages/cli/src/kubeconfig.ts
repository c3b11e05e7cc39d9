/**
 * A kubeconfig that points kubectl (and every Kubernetes client) at an
 * everynode API: one cluster, context and user, all named `everynode`, the
 * context current. The user holds the bearer token when one is known, and
 * the cluster the CA to trust for an https server when one is given.
 */
import { yaml } from './yaml.ts';
import type { Credentials } from './credentials.ts';
import { CliError } from './errors.ts';

/** The name of the cluster, context and user the kubeconfig declares. */
export const KubeconfigName = 'everynode';

/**
 * The kubeconfig YAML for the API at `server` (`https://127.0.0.1:7700`), with
 * `credentials.token` as the user's token and `credentials.ca` as the
 * cluster's `certificate-authority-data`; a URL that is not http(s) is an error.
 */
export function kubeconfigFor(server: string, credentials: Credentials = {}): string {
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
  return yaml().stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: server.replace(/\/+$/, ''), ...(credentials.ca ? { 'certificate-authority-data': Buffer.from(credentials.ca).toString('base64') } : {}) } }],
    users: [{ name, user: credentials.token ? { token: credentials.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}
