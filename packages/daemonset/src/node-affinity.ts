/**
 * Required node affinity: whether a pod's `nodeSelector` and
 * `requiredDuringSchedulingIgnoredDuringExecution` admit a node, and the
 * per-node affinity the controller writes into every daemon pod.
 *
 * Mirrors staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go.
 * A requirement Kubernetes cannot parse makes its term match nothing (the
 * controller ignores the parse error). Label key and value syntax is not
 * re-checked here: manifests are validated at the edge, as the API server does.
 */
import type { Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec } from '@everynode/api';

/** `metav1.ObjectNameField`: the only field a node selector term may match on. */
export const ObjectNameField = 'metadata.name';

type Labels = Readonly<Record<string, string>>;

/**
 * Whether `podSpec` may run on `node` by its required node affinity —
 * `nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: every
 * `nodeSelector` pair equals a node label, AND (if a required node selector is
 * set) one of its terms matches. Zero terms match nothing; preferred terms are
 * ignored.
 */
export function requiredNodeAffinityMatches(podSpec: PodSpec, node: Node): boolean {
  const labels: Labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(podSpec.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return required.nodeSelectorTerms.some((term) => termMatches(term, labels, node.metadata.name));
}

/**
 * `nodeSelectorTerm.match`: its `matchExpressions` (on labels) and
 * `matchFields` (on the node's name) all hold. A term with neither matches
 * nothing (`isEmptyNodeSelectorTerm`).
 */
function termMatches(term: NodeSelectorTerm, labels: Labels, nodeName: string): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  // Every requirement is parsed before any is matched: one unparsable requirement spoils the term.
  if (!expressions.every(isValidLabelRequirement) || !fields.every(isValidFieldRequirement)) return false;
  return expressions.every((r) => labelRequirementMatches(r, labels)) && fields.every((r) => fieldRequirementMatches(r, nodeName));
}

/** `labels.NewRequirement`'s checks of operator and values. */
function isValidLabelRequirement(r: NodeSelectorRequirement): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0;
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0;
    case 'Gt':
    case 'Lt':
      return values.length === 1 && parseInt64(values[0] as string) !== undefined;
    default:
      return false;
  }
}

/** `labels.Requirement.Matches` for the node selector operators. */
function labelRequirementMatches(r: NodeSelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, r.key);
  const label = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return present && values.includes(label as string);
    case 'NotIn':
      return !present || !values.includes(label as string);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      // A label that is absent or not an int64 satisfies neither.
      const have = present ? parseInt64(label as string) : undefined;
      const want = parseInt64(values[0] as string) as bigint;
      if (have === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/**
 * `nodeSelectorRequirementsAsFieldSelector`: `In` / `NotIn` with exactly one
 * value. The key must be `metadata.name`: the API server rejects any other
 * (`ValidateNodeFieldSelectorRequirement`), so we treat one as unparsable.
 */
function isValidFieldRequirement(r: NodeSelectorRequirement): boolean {
  return r.key === ObjectNameField && (r.operator === 'In' || r.operator === 'NotIn') && r.values?.length === 1;
}

function fieldRequirementMatches(r: NodeSelectorRequirement, nodeName: string): boolean {
  const equal = r.values?.[0] === nodeName;
  return r.operator === 'In' ? equal : !equal;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, within int64; else `undefined`. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/**
 * `affinity` with its required node selector replaced by the single term
 * `matchFields metadata.name In [nodeName]` —
 * `util.ReplaceDaemonSetPodNodeNameNodeAffinity` (pkg/controller/daemon/util/daemonset_util.go).
 * All existing required terms are dropped, not just `metadata.name` ones (the
 * template's own terms were already checked by `nodeShouldRunDaemonPod`);
 * preferred terms and everything else are kept. Never mutates `affinity`.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const nodeAffinity = affinity?.nodeAffinity;
  const term: NodeSelectorTerm = { matchFields: [{ key: ObjectNameField, operator: 'In', values: [nodeName] }] };
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        ...nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
        nodeSelectorTerms: [term],
      },
    },
  };
}

/**
 * The node a daemon pod is meant for — `util.GetTargetNodeName`: `spec.nodeName`
 * if set, else the value of the first required `matchFields metadata.name In`
 * requirement. `undefined` when there is none or it does not have exactly one
 * value (upstream returns an error).
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  // Plain loops: asked of every pod, several times a pass.
  for (const term of terms) {
    const fields = term.matchFields;
    if (fields === undefined) continue;
    for (const r of fields) {
      if (r.key === ObjectNameField && r.operator === 'In') return r.values?.length === 1 ? r.values[0] : undefined;
    }
  }
  return undefined;
}
