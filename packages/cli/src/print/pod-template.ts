/**
 * kubectl's `DescribePodTemplate` (pkg/describe/describe.go): the
 * `Pod Template:` block of `describe ds` and of `rollout history
 * --revision N`. The text keeps kubectl's tabs; `describe` aligns them with
 * the tab writer, `rollout history` prints them raw, as kubectl does.
 *
 * Fields the API server would have defaulted (a port's protocol, a field
 * reference's apiVersion, a hostPath's type) are printed with their
 * defaults, so the block reads as it would against a real cluster.
 */
import type { Container, PodTemplateSpec, Toleration } from '@everynode/api';

/** The container fields kubectl prints that the schema leaves open. */
interface ContainerDetails {
  ports?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { prefix?: string; configMapRef?: OptionalRef; secretRef?: OptionalRef }[];
  volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean; subPath?: string }[];
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
}

interface OptionalRef {
  name?: string;
  key?: string;
  optional?: boolean;
}

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { apiVersion?: string; fieldPath?: string };
    resourceFieldRef?: { resource?: string };
    secretKeyRef?: OptionalRef;
    configMapKeyRef?: OptionalRef;
  };
}

interface Volume {
  name?: string;
  hostPath?: { path?: string; type?: string };
  emptyDir?: { medium?: string; sizeLimit?: string | number };
  secret?: { secretName?: string; optional?: boolean };
  configMap?: { name?: string; optional?: boolean };
  persistentVolumeClaim?: { claimName?: string; readOnly?: boolean };
}

interface SpecDetails {
  initContainers?: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  priorityClassName?: string;
}

/** Longest annotation (key + ": " + value) kubectl prints on one line. */
const maxAnnotationLength = 140;
/** kubectl never shows this one: it is the whole object again. */
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Byte-wise string order, as Go's `<` on strings. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** kubectl's PrefixWriter: two spaces per level. */
function at(level: number, text: string): string {
  return `${'  '.repeat(level)}${text}`;
}

/** `printLabelsMultiline`: `Title:\tk=v`, further labels on `\tk=v` lines, sorted; `<none>` when empty. */
export function labelsBlock(title: string, labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return `${title}:\t<none>\n`;
  return keys.map((key, i) => `${i === 0 ? `${title}:` : ''}\t${key}=${(labels ?? {})[key]}\n`).join('');
}

/** `printAnnotationsMultiline`: like labels, `key: value`; long or multi-line values go below their key, cut at 140. */
export function annotationsBlock(title: string, annotations: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(annotations ?? {})
    .filter((key) => key !== lastAppliedAnnotation)
    .sort();
  if (keys.length === 0) return `${title}:\t<none>\n`;
  return keys
    .map((key, i) => {
      const lead = i === 0 ? `${title}:\t` : '\t';
      const value = ((annotations ?? {})[key] as string).replace(/\n$/, '');
      if (value.length + key.length + 2 <= maxAnnotationLength && !value.includes('\n')) return `${lead}${key}: ${value}\n`;
      const lines = value.split('\n').map((line) => `\t  ${line.length > maxAnnotationLength - 2 ? `${line.slice(0, maxAnnotationLength - 2)}...` : line}\n`);
      return `${lead}${key}:\n${lines.join('')}`;
    })
    .join('');
}

/** `printTolerationsMultilineWithIndent`: `key=value:Effect op=Exists for 300s`, sorted by key. */
export function tolerationsBlock(title: string, tolerations: readonly Toleration[] | undefined): string {
  const sorted = [...(tolerations ?? [])].sort((a, b) => compare(a.key ?? '', b.key ?? ''));
  if (sorted.length === 0) return `${title}:\t<none>\n`;
  return sorted
    .map((t, i) => {
      let text = t.key ?? '';
      if (t.value) text += `=${t.value}`;
      if (t.effect) text += `:${t.effect}`;
      // `operator: Exists` with no value tolerates everything it names (or, bare, everything).
      if (t.operator === 'Exists' && !t.value) text += t.key || t.effect ? ' op=Exists' : 'op=Exists';
      if (t.tolerationSeconds !== undefined) text += ` for ${t.tolerationSeconds}s`;
      return `${i === 0 ? `${title}:` : ''}\t${text}\n`;
    })
    .join('');
}

/** `describeContainerPorts`: `80/TCP, 443/TCP`; the protocol defaults to TCP as the API server sets it. */
function portList(ports: ContainerDetails['ports'], which: 'containerPort' | 'hostPort'): string {
  return (ports ?? []).map((p) => `${p[which] ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
}

function portLines(container: ContainerDetails): string {
  const ports = portList(container.ports, 'containerPort');
  const hostPorts = portList(container.ports, 'hostPort');
  return (
    (ports.includes(',') ? at(2, `Ports:\t${ports}\n`) : at(2, `Port:\t${ports || '<none>'}\n`)) +
    (hostPorts.includes(',') ? at(2, `Host Ports:\t${hostPorts}\n`) : at(2, `Host Port:\t${hostPorts || '<none>'}\n`))
  );
}

function commandLines(container: ContainerDetails): string {
  let text = '';
  for (const [title, items] of [['Command', container.command], ['Args', container.args]] as const) {
    if (items === undefined || items.length === 0) continue;
    text += at(2, `${title}:\n`) + items.flatMap((item) => item.split('\n')).map((line) => at(3, `${line}\n`)).join('');
  }
  return text;
}

/** `describeResources`: limits then requests, each sorted by resource name. */
function resourceLines(container: ContainerDetails): string {
  let text = '';
  for (const [title, list] of [['Limits', container.resources?.limits], ['Requests', container.resources?.requests]] as const) {
    const names = Object.keys(list ?? {}).sort();
    if (names.length === 0) continue;
    text += at(2, `${title}:\n`) + names.map((name) => at(3, `${name}:\t${String((list ?? {})[name])}\n`)).join('');
  }
  return text;
}

function envFromLines(container: ContainerDetails): string {
  if (container.envFrom === undefined || container.envFrom.length === 0) return '';
  const lines = container.envFrom.map((e) => {
    const [from, ref] = e.configMapRef ? ['ConfigMap', e.configMapRef] : e.secretRef ? ['Secret', e.secretRef] : ['', undefined];
    const prefix = e.prefix ? ` with prefix '${e.prefix}'` : '';
    return at(3, `${ref?.name ?? ''}\t${from}${prefix}\tOptional: ${ref?.optional === true}\n`);
  });
  return at(2, 'Environment Variables from:\n') + lines.join('');
}

/** One variable; a field reference has no value to show without a pod, as in kubectl's template view. */
function envLine(e: EnvVar): string {
  const from = e.valueFrom;
  if (from === undefined) {
    return (e.value ?? '')
      .split('\n')
      .map((line, i) => at(3, i === 0 ? `${e.name ?? ''}:\t${line}\n` : `\t${line}\n`))
      .join('');
  }
  if (from.fieldRef) return at(3, `${e.name ?? ''}:\t (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath ?? ''})\n`);
  if (from.resourceFieldRef) return at(3, `${e.name ?? ''}:\t (${from.resourceFieldRef.resource ?? ''})\n`);
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    return at(3, `${e.name ?? ''}:\t<set to the key '${ref.key ?? ''}' in secret '${ref.name ?? ''}'>\tOptional: ${ref.optional === true}\n`);
  }
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    return at(3, `${e.name ?? ''}:\t<set to the key '${ref.key ?? ''}' of config map '${ref.name ?? ''}'>\tOptional: ${ref.optional === true}\n`);
  }
  return '';
}

function envLines(container: ContainerDetails): string {
  const env = container.env ?? [];
  return at(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`) + env.map(envLine).join('');
}

/** `describeContainerVolumes`: `PATH from NAME (ro|rw[,path="sub"])`, sorted by mount path. */
function mountLines(container: ContainerDetails): string {
  const mounts = [...(container.volumeMounts ?? [])].sort((a, b) => compare(a.mountPath ?? '', b.mountPath ?? ''));
  const lines = mounts.map((m) => {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    return at(3, `${m.mountPath ?? ''} from ${m.name ?? ''} (${flags.join(',')})\n`);
  });
  return at(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`) + lines.join('');
}

/** `describeContainers` for a template: no statuses, so no state lines. */
function containersBlock(title: string, containers: readonly Container[]): string {
  let text = `  ${title}:${containers.length === 0 ? ' <none>' : ''}\n`;
  for (const c of containers as readonly (Container & ContainerDetails)[]) {
    text += at(1, ` ${c.name ?? ''}:\n`) + at(2, `Image:\t${c.image ?? ''}\n`) + portLines(c);
    text += commandLines(c) + resourceLines(c) + envFromLines(c) + envLines(c) + mountLines(c);
  }
  return text;
}

function volumeLines(volume: Volume): string {
  if (volume.hostPath) {
    // The API server defaults an unset type to "" (HostPathUnset), which kubectl prints as empty.
    return at(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${volume.hostPath.path ?? ''}\n    HostPathType:\t${volume.hostPath.type ?? ''}\n`);
  }
  if (volume.emptyDir) {
    const size = volume.emptyDir.sizeLimit === undefined ? '<unset>' : String(volume.emptyDir.sizeLimit);
    return at(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${volume.emptyDir.medium ?? ''}\n    SizeLimit:\t${size}\n`);
  }
  if (volume.secret) {
    return at(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${volume.secret.secretName ?? ''}\n    Optional:\t${volume.secret.optional === true}\n`);
  }
  if (volume.configMap) {
    return at(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${volume.configMap.name ?? ''}\n    Optional:\t${volume.configMap.optional === true}\n`);
  }
  if (volume.persistentVolumeClaim) {
    const claim = volume.persistentVolumeClaim;
    return at(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${claim.claimName ?? ''}\n    ReadOnly:\t${claim.readOnly === true}\n`);
  }
  return at(1, '<unknown>\n');
}

function volumesBlock(volumes: readonly Volume[] | undefined): string {
  if (volumes === undefined || volumes.length === 0) return '  Volumes:\t<none>\n';
  return `  Volumes:\n${volumes.map((v) => at(1, ` ${v.name ?? ''}:\n`) + volumeLines(v)).join('')}`;
}

/** The `Pod Template:` block for `template`, with kubectl's tabs, ending in a newline. */
export function describePodTemplate(template: PodTemplateSpec): string {
  const spec = template.spec as PodTemplateSpec['spec'] & SpecDetails;
  const annotations = template.metadata?.annotations ?? {};
  let text = 'Pod Template:\n' + labelsBlock('  Labels', template.metadata?.labels);
  if (Object.keys(annotations).length > 0) text += annotationsBlock('  Annotations', annotations);
  if (spec.serviceAccountName) text += at(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers && spec.initContainers.length > 0) text += containersBlock('Init Containers', spec.initContainers);
  text += containersBlock('Containers', spec.containers ?? []);
  text += volumesBlock(spec.volumes);
  if (spec.priorityClassName) text += at(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  return text + labelsBlock('  Node-Selectors', spec.nodeSelector) + tolerationsBlock('  Tolerations', spec.tolerations);
}
