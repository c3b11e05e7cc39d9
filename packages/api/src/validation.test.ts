import { describe, expect, it } from 'vitest';
import type { DaemonSet } from './daemonset.ts';
import { withDaemonSetDefaults } from './defaults.ts';
import { jsonCopy } from './text.ts';
import type { FieldError } from './validation.ts';
import { formatFieldError, invalidMessage, parseDaemonSet, parseNode, validateDaemonSet } from './validation.ts';

// The seed's fixtures/fluentd-daemonset.yaml and only-master03-daemonset.yaml, inlined.
function fluentd(): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd-elasticsearch', namespace: 'kube-system', labels: { 'k8s-app': 'fluentd-logging' } },
    spec: {
      selector: { matchLabels: { name: 'fluentd-elasticsearch' } },
      template: {
        metadata: { labels: { name: 'fluentd-elasticsearch' } },
        spec: {
          tolerations: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'fluentd-elasticsearch',
              image: 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2',
              resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m', memory: '200Mi' } },
              volumeMounts: [
                { name: 'varlog', mountPath: '/var/log' },
                { name: 'varlibdockercontainers', mountPath: '/var/lib/docker/containers', readOnly: true },
              ],
            },
          ],
          terminationGracePeriodSeconds: 30,
          volumes: [
            { name: 'varlog', hostPath: { path: '/var/log' } },
            { name: 'varlibdockercontainers', hostPath: { path: '/var/lib/docker/containers' } },
          ],
        },
      },
    },
  };
}

function onlyMaster03(): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-exporter-master03', namespace: 'monitoring' },
    spec: {
      selector: { matchLabels: { app: 'node-exporter-master03' } },
      template: {
        metadata: { labels: { app: 'node-exporter-master03' } },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['master03'] }] }],
              },
            },
          },
          tolerations: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }],
          containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
        },
      },
    },
  };
}

/** A copy of `base` with each dotted path (`spec.template.spec.containers.0.name`) set; `undefined` deletes. */
function patched(base: unknown, patches: Record<string, unknown>): unknown {
  const out = jsonCopy(base) as Record<string, unknown>;
  for (const [path, value] of Object.entries(patches)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let at = out;
    for (const k of keys) at = (at[k] ??= {}) as Record<string, unknown>;
    if (value === undefined) delete at[last];
    else at[last] = value;
  }
  return out;
}

/** The rendered errors of a parse: what a user would read. */
function errorsOf(input: unknown, old?: DaemonSet): string[] {
  const result = parseDaemonSet(input, old);
  return result.ok ? [] : result.errors.map(formatFieldError);
}

const DNS_SUBDOMAIN = String.raw`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const RU = 'spec.updateStrategy.rollingUpdate';
const TOLERATION = 'spec.template.spec.tolerations[0]';
const TERMS = 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';

describe('formatFieldError', () => {
  it.each<[FieldError, string]>([
    [{ type: 'Required', field: 'metadata.name' }, 'metadata.name: Required value'],
    [{ type: 'Required', field: 'a', detail: 'why' }, 'a: Required value: why'],
    [{ type: 'Invalid', field: 'a', value: 'x', detail: 'bad' }, 'a: Invalid value: "x": bad'],
    [{ type: 'Invalid', field: 'a', value: -1, detail: 'bad' }, 'a: Invalid value: -1: bad'],
    [{ type: 'Invalid', field: 'a', value: { k: ['v'] }, detail: 'bad' }, 'a: Invalid value: {"k":["v"]}: bad'],
    [{ type: 'Invalid', field: 'a', value: undefined, detail: 'bad' }, 'a: Invalid value: null: bad'],
    [{ type: 'Invalid', field: 'a', value: '30%', bare: true, detail: 'bad' }, 'a: Invalid value: 30%: bad'],
    [{ type: 'NotSupported', field: 'a', value: 'X', supported: ['P', 'Q'] }, 'a: Unsupported value: "X": supported values: "P", "Q"'],
    [{ type: 'Forbidden', field: 'a', value: 'ignored', detail: 'no' }, 'a: Forbidden: no'],
    [{ type: 'Duplicate', field: 'a', value: 'x' }, 'a: Duplicate value: "x"'],
  ])('renders %j as Kubernetes does', (error, text) => {
    expect(formatFieldError(error)).toBe(text);
  });
});

describe('invalidMessage', () => {
  const one: FieldError = { type: 'Required', field: 'a' };
  const two: FieldError = { type: 'Required', field: 'b' };

  it('given one error, then prints it after the object', () => {
    expect(invalidMessage('DaemonSet', 'ds', [one])).toBe('The DaemonSet "ds" is invalid: a: Required value');
  });

  it('given several errors, then lists them in brackets without repeats', () => {
    expect(invalidMessage('DaemonSet', 'ds', [one, two, one])).toBe(
      'The DaemonSet "ds" is invalid: [a: Required value, b: Required value]',
    );
  });
});

describe('parseDaemonSet: valid manifests', () => {
  it('given the fluentd fixture, then it is accepted, defaulted, and its unknown fields are kept', () => {
    const result = parseDaemonSet(fluentd());

    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    const spec = result.value.spec;
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.template.spec.volumes).toEqual(fluentd().spec.template.spec.volumes);
    expect(spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.template.spec.containers?.[0]).toEqual(fluentd().spec.template.spec.containers?.[0]);
  });

  it('given the only-master03 fixture (matchFields on metadata.name), then it is accepted', () => {
    expect(errorsOf(onlyMaster03())).toEqual([]);
  });

  it('given no namespace, then it is accepted into "default"', () => {
    const result = parseDaemonSet(patched(fluentd(), { 'metadata.namespace': undefined }));

    expect(result.ok && result.value.metadata.namespace).toBe('default');
  });

  it('given a refused manifest, then the message is the API server\'s 422 text', () => {
    const result = parseDaemonSet(patched(fluentd(), { 'spec.minReadySeconds': -1, 'spec.revisionHistoryLimit': -1 }));

    expect(result.ok ? '' : result.message).toBe(
      'The DaemonSet "fluentd-elasticsearch" is invalid: [spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0, ' +
        'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0]',
    );
  });
});

describe('parseDaemonSet: metadata', () => {
  it('when the name is missing, then Required', () => {
    expect(errorsOf(patched(fluentd(), { 'metadata.name': undefined }))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('when the name is not a DNS-1123 subdomain, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'metadata.name': 'Fluentd_ES' }))).toEqual([
      `metadata.name: Invalid value: "Fluentd_ES": ${DNS_SUBDOMAIN}`,
    ]);
  });

  it('when the name is longer than 253 characters, then Invalid', () => {
    const name = 'a'.repeat(254);
    expect(errorsOf(patched(fluentd(), { 'metadata.name': name }))).toEqual([
      `metadata.name: Invalid value: "${name}": must be no more than 253 characters`,
    ]);
  });

  it('when the namespace is not a DNS-1123 label, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'metadata.namespace': 'kube.system' }))).toEqual([
      'metadata.namespace: Invalid value: "kube.system": must not contain dots',
    ]);
    expect(errorsOf(patched(fluentd(), { 'metadata.namespace': 'Kube' }))).toEqual([
      `metadata.namespace: Invalid value: "Kube": ${DNS_LABEL}`,
    ]);
  });
});

describe('parseDaemonSet: selector', () => {
  it('when the selector is missing, then Required (and, as upstream, the template no longer matches)', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.selector': undefined }))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: {"name":"fluentd-elasticsearch"}: `selector` does not match template `labels`',
    ]);
  });

  it('when the selector is empty, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.selector': {} }))).toEqual([
      'spec.selector: Invalid value: {}: empty selector is invalid for daemonset',
    ]);
  });

  it('when the selector does not match the template labels, then Invalid on the labels', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.metadata.labels': { name: 'other' } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"name":"other"}: `selector` does not match template `labels`',
    ]);
  });

  it('when a matchLabels key is not a qualified name, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.selector.matchLabels': { 'bad key': 'x' } }))).toEqual([
      `spec.selector.matchLabels: Invalid value: "bad key": ${NAME_PART}`,
    ]);
  });

  it('when a matchExpressions operator is unknown, then Invalid', () => {
    const selector = { matchExpressions: [{ key: 'name', operator: 'Has', values: ['x'] }] };
    expect(errorsOf(patched(fluentd(), { 'spec.selector': selector }))).toEqual([
      'spec.selector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator',
    ]);
  });

  it('when In has no values, then Required', () => {
    const selector = { matchExpressions: [{ key: 'name', operator: 'In' }] };
    expect(errorsOf(patched(fluentd(), { 'spec.selector': selector }))).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ]);
  });

  it('when Exists has values, then Forbidden', () => {
    const selector = { matchExpressions: [{ key: 'name', operator: 'Exists', values: ['x'] }] };
    expect(errorsOf(patched(fluentd(), { 'spec.selector': selector }))).toEqual([
      "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ]);
  });

  it('when matchExpressions select the template, then it is accepted', () => {
    const selector = { matchExpressions: [{ key: 'name', operator: 'In', values: ['fluentd-elasticsearch'] }] };
    expect(errorsOf(patched(fluentd(), { 'spec.selector': selector }))).toEqual([]);
  });
});

describe('parseDaemonSet: pod template', () => {
  it('when there are no containers, then Required', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.containers': [] }))).toEqual([
      'spec.template.spec.containers: Required value',
    ]);
  });

  it('when a container has no name, then Required', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.containers.0.name': undefined }))).toEqual([
      'spec.template.spec.containers[0].name: Required value',
    ]);
  });

  it('when a container name is not a DNS-1123 label, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.containers.0.name': 'Fluentd' }))).toEqual([
      `spec.template.spec.containers[0].name: Invalid value: "Fluentd": ${DNS_LABEL}`,
    ]);
  });

  it('when a container has no image, then Required', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.containers.0.image': undefined }))).toEqual([
      'spec.template.spec.containers[0].image: Required value',
    ]);
  });

  it('when two containers share a name, then Duplicate', () => {
    const containers = [
      { name: 'fluentd-elasticsearch', image: 'a' },
      { name: 'fluentd-elasticsearch', image: 'b' },
    ];
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.containers': containers }))).toEqual([
      'spec.template.spec.containers[1].name: Duplicate value: "fluentd-elasticsearch"',
    ]);
  });

  it('when restartPolicy is not Always, then NotSupported', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.restartPolicy': 'OnFailure' }))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  });

  it('when activeDeadlineSeconds is set, then Forbidden', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template.spec.activeDeadlineSeconds': 60 }))).toEqual([
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported',
    ]);
  });
});

describe('parseDaemonSet: tolerations', () => {
  const withToleration = (toleration: object) => patched(fluentd(), { 'spec.template.spec.tolerations': [toleration] });

  it('when Exists has a value, then Invalid', () => {
    const toleration = { key: 'k', operator: 'Exists', value: 'v', effect: 'NoSchedule' };
    expect(errorsOf(withToleration(toleration))).toEqual([
      `${TOLERATION}.operator: Invalid value: ${JSON.stringify(toleration)}: value must be empty when \`operator\` is 'Exists'`,
    ]);
  });

  it('when the operator is unknown, then NotSupported', () => {
    expect(errorsOf(withToleration({ key: 'k', operator: 'In', value: 'v' }))).toEqual([
      `${TOLERATION}.operator: Unsupported value: "In": supported values: "Equal", "Exists"`,
    ]);
  });

  it('when the effect is unknown, then NotSupported', () => {
    expect(errorsOf(withToleration({ key: 'k', effect: 'Sometimes' }))).toEqual([
      `${TOLERATION}.effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`,
    ]);
  });

  it('when the key is empty and the operator is not Exists, then Invalid', () => {
    expect(errorsOf(withToleration({ operator: 'Equal', value: 'v' }))).toEqual([
      `${TOLERATION}.operator: Invalid value: "Equal": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`,
    ]);
  });

  it('when everything is tolerated ({operator: Exists}), then it is accepted', () => {
    expect(errorsOf(withToleration({ operator: 'Exists' }))).toEqual([]);
  });
});

describe('parseDaemonSet: node affinity', () => {
  const withTerms = (terms: object[]) =>
    patched(onlyMaster03(), {
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms': terms,
    });

  it('when there are no terms, then Required', () => {
    expect(errorsOf(withTerms([]))).toEqual([`${TERMS}: Required value: must have at least one node selector term`]);
  });

  it('when a matchExpressions operator is unknown, then Invalid', () => {
    expect(errorsOf(withTerms([{ matchExpressions: [{ key: 'zone', operator: 'Like', values: ['a'] }] }]))).toEqual([
      `${TERMS}[0].matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator`,
    ]);
  });

  it('when Gt has more than one value, then Required', () => {
    expect(errorsOf(withTerms([{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['1', '2'] }] }]))).toEqual([
      `${TERMS}[0].matchExpressions[0].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
    ]);
  });

  it('when matchFields uses a key other than metadata.name, then Invalid', () => {
    expect(errorsOf(withTerms([{ matchFields: [{ key: 'metadata.labels', operator: 'In', values: ['x'] }] }]))).toEqual([
      `${TERMS}[0].matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key`,
    ]);
  });

  it('when matchFields In has two values, then Required', () => {
    expect(errorsOf(withTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }]))).toEqual([
      `${TERMS}[0].matchFields[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
    ]);
  });
});

describe('parseDaemonSet: counters', () => {
  it('when minReadySeconds is negative, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.minReadySeconds': -1 }))).toEqual([
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('when revisionHistoryLimit is negative, then Invalid', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.revisionHistoryLimit': -1 }))).toEqual([
      'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('when both are 0, then it is accepted', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.minReadySeconds': 0, 'spec.revisionHistoryLimit': 0 }))).toEqual([]);
  });
});

describe('parseDaemonSet: update strategy', () => {
  const withRollingUpdate = (rollingUpdate: object) => patched(fluentd(), { 'spec.updateStrategy': { rollingUpdate } });

  it('when the type is unknown, then NotSupported', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.updateStrategy': { type: 'Recreate' } }))).toEqual([
      'spec.updateStrategy: Unsupported value: "Recreate": supported values: "RollingUpdate", "OnDelete"',
    ]);
  });

  it('when RollingUpdate has no rollingUpdate (only possible undefaulted), then Required', () => {
    const ds = patched(fluentd(), {
      'spec.updateStrategy': { type: 'RollingUpdate' },
      'spec.template.spec.restartPolicy': 'Always',
    }) as DaemonSet;
    expect(validateDaemonSet(ds).map(formatFieldError)).toEqual(['spec.updateStrategy.rollingUpdate: Required value']);
  });

  it('when OnDelete carries a nonsensical rollingUpdate, then it is not validated', () => {
    const strategy = { type: 'OnDelete', rollingUpdate: { maxUnavailable: 'abc', maxSurge: -1 } };
    expect(errorsOf(patched(fluentd(), { 'spec.updateStrategy': strategy }))).toEqual([]);
  });

  it('when maxUnavailable is "30%", then it is accepted', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: '30%' }))).toEqual([]);
  });

  it('when maxUnavailable is "101%", then Invalid', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: '101%' }))).toEqual([
      `${RU}.maxUnavailable: Invalid value: 101%: must not be greater than 100%`,
    ]);
  });

  it('when maxUnavailable is "abc", then Invalid (and, as Go reads it as 0, Required too)', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: 'abc' }))).toEqual([
      `${RU}.maxUnavailable: Invalid value: abc: ${PERCENT}`,
      `${RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`,
    ]);
  });

  it('when maxUnavailable is -1, then Invalid', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: -1 }))).toEqual([
      `${RU}.maxUnavailable: Invalid value: -1: must be greater than or equal to 0`,
    ]);
  });

  it('when maxSurge is "150%", then Invalid', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: 0, maxSurge: '150%' }))).toEqual([
      `${RU}.maxSurge: Invalid value: 150%: must not be greater than 100%`,
    ]);
  });

  it('when only maxSurge: 1 is set, then refused, because maxUnavailable defaults to 1', () => {
    expect(errorsOf(withRollingUpdate({ maxSurge: 1 }))).toEqual([
      `${RU}.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero`,
    ]);
  });

  it('when maxSurge: 1 and maxUnavailable: 0, then it is accepted', () => {
    expect(errorsOf(withRollingUpdate({ maxSurge: 1, maxUnavailable: 0 }))).toEqual([]);
  });

  it.each([0, '0%'])('when both are zero (maxUnavailable %j), then Required', (maxUnavailable) => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable, maxSurge: 0 }))).toEqual([
      `${RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`,
    ]);
  });

  it('when both are zero (maxUnavailable "0", not a percent either), then Required', () => {
    expect(errorsOf(withRollingUpdate({ maxUnavailable: '0', maxSurge: '0%' }))).toEqual([
      `${RU}.maxUnavailable: Invalid value: 0: ${PERCENT}`,
      `${RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`,
    ]);
  });
});

describe('parseDaemonSet: update', () => {
  const stored = withDaemonSetDefaults(fluentd());

  it('when the selector changes, then Invalid: field is immutable', () => {
    const changed = patched(fluentd(), {
      'spec.selector': { matchLabels: { name: 'other' } },
      'spec.template.metadata.labels': { name: 'other' },
    });
    expect(errorsOf(changed, stored)).toEqual(['spec.selector: Invalid value: {"matchLabels":{"name":"other"}}: field is immutable']);
  });

  it('when the selector is unchanged (an empty list counting as absent), then the update is accepted', () => {
    expect(errorsOf(fluentd(), stored)).toEqual([]);
    expect(errorsOf(patched(fluentd(), { 'spec.selector.matchExpressions': [] }), stored)).toEqual([]);
  });
});

describe('parseDaemonSet: shape (zod)', () => {
  it('when apiVersion is not apps/v1, then NotSupported', () => {
    expect(errorsOf(patched(fluentd(), { apiVersion: 'apps/v1beta2' }))).toEqual([
      'apiVersion: Unsupported value: "apps/v1beta2": supported values: "apps/v1"',
    ]);
  });

  it('when the template is missing, then Required', () => {
    expect(errorsOf(patched(fluentd(), { 'spec.template': undefined }))).toEqual(['spec.template: Required value']);
  });

  it('when a field has the wrong type, then Invalid naming the expected type', () => {
    expect(
      errorsOf(
        patched(fluentd(), {
          'spec.template.spec.containers.0.name': 3,
          'spec.minReadySeconds': 1.5,
          'spec.updateStrategy': { rollingUpdate: { maxUnavailable: true } },
        }),
      ),
    ).toEqual([
      'spec.template.spec.containers[0].name: Invalid value: 3: must be of type string',
      `${RU}.maxUnavailable: Invalid value: true: must be of type number or string`,
      'spec.minReadySeconds: Invalid value: 1.5: must be of type integer',
    ]);
  });

  it('when the input is not an object at all, then it is refused without throwing', () => {
    const result = parseDaemonSet('nonsense');
    expect(result.ok ? '' : result.message).toBe('The DaemonSet "" is invalid: Invalid value: "nonsense": must be of type object');
  });
});

describe('parseNode', () => {
  const master01 = () => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'master01', labels: { 'kubernetes.io/hostname': 'master01', 'node-role.kubernetes.io/master': '' } },
    spec: { taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const nodeErrors = (input: unknown) => {
    const result = parseNode(input);
    return result.ok ? [] : result.errors.map(formatFieldError);
  };

  it('given a node from the cluster fixture, then it is accepted as is', () => {
    expect(parseNode(master01())).toEqual({ ok: true, value: master01() });
  });

  it('when the name is not a DNS-1123 subdomain, then Invalid, in the API server\'s words', () => {
    const result = parseNode(patched(master01(), { 'metadata.name': 'Master01' }));
    expect(result.ok ? '' : result.message).toBe(`The Node "Master01" is invalid: metadata.name: Invalid value: "Master01": ${DNS_SUBDOMAIN}`);
  });

  it('when the name is missing, then Required', () => {
    expect(nodeErrors(patched(master01(), { 'metadata.name': undefined }))).toEqual(['metadata.name: Required value']);
  });

  it('when it has a namespace, then Forbidden', () => {
    expect(nodeErrors(patched(master01(), { 'metadata.namespace': 'default' }))).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  it('when a taint effect is unknown, then NotSupported', () => {
    expect(nodeErrors(patched(master01(), { 'spec.taints.0.effect': 'Sometimes' }))).toEqual([
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it('when a taint key is not a qualified name, then Invalid', () => {
    expect(nodeErrors(patched(master01(), { 'spec.taints.0.key': 'bad key' }))).toEqual([
      `spec.taints[0].key: Invalid value: "bad key": ${NAME_PART}`,
    ]);
  });

  it('when two taints share key and effect, then Duplicate', () => {
    const taint = { key: 'dedicated', value: 'a', effect: 'NoSchedule' };
    expect(nodeErrors(patched(master01(), { 'spec.taints': [taint, { ...taint, value: 'b' }] }))).toEqual([
      'spec.taints[1]: Duplicate value: {"key":"dedicated","value":"b","effect":"NoSchedule"}: taints must be unique by key and effect pair',
    ]);
  });
});
