/**
 * Kubernetes' validation of DaemonSets and Nodes, with the API server's field
 * paths and message texts (`field.Error`, `ValidateDaemonSet`,
 * `ValidatePodTemplateSpec`, `ValidateNode`, apimachinery's name and label
 * checks, ~v1.30–1.32), so a refused manifest reads as it would from a real
 * cluster. zod checks shape first; this module adds the semantic rules.
 *
 * Bad values render like Go's `field.Error` where JavaScript can: numbers and
 * booleans bare, strings in double quotes (`%q`), `intstr.IntOrString` bare
 * (it is a `fmt.Stringer`), missing values as `null`. Go prints structs and
 * maps with `%#v` (`map[string]string{"app":"x"}`); we print them as compact
 * JSON (`{"app":"x"}`) instead, which is what a user wrote.
 */
import type { z } from 'zod';
import type { DaemonSet, IntOrString, LabelSelector } from './daemonset.ts';
import { DaemonSetSchema, UpdateStrategyType } from './daemonset.ts';
import { withDaemonSetDefaults } from './defaults.ts';
import { isEmptySelector, selectorMatches } from './labels.ts';
import type { Node, Taint } from './node.ts';
import { echo, truncateText, utf8Length } from './json-limits.ts';
import { NodeSchema } from './node.ts';
import type { Container, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, PodTemplateSpec, Toleration } from './pod.ts';

// ---------------------------------------------------------------------------
// Field errors and their rendering

export type FieldErrorType = 'Required' | 'Invalid' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong';

/** One rejected field, as apimachinery's `field.Error`. */
export interface FieldError {
  type: FieldErrorType;
  /** Kubernetes field path: `spec.template.spec.containers[0].image`. */
  field: string;
  /** The bad value (not shown for Required and Forbidden). */
  value?: unknown;
  detail?: string;
  /** For NotSupported: the accepted values; they become the detail. */
  supported?: string[];
  /** Render `value` unquoted, as Go does for `fmt.Stringer`s such as `intstr.IntOrString` (`30%`). */
  bare?: boolean;
}

const typeText: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  Duplicate: 'Duplicate value',
  TooLong: 'Too long',
};

/**
 * Characters of a bad value a message quotes before it cuts the rest and
 * notes the size (Go quotes it whole): the longest Kubernetes name (253)
 * still reads as upstream's, and a megabyte label value is not sent back.
 */
export const FieldValueEchoChars = 256;

function renderValue(value: unknown, bare: boolean): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return bare ? truncateText(value, FieldValueEchoChars) : echo(value, FieldValueEchoChars);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return echo(value, FieldValueEchoChars);
}

/** `field.Error.Error()`: `<field>: <type>[: <value>][: <detail>]`. */
export function formatFieldError(e: FieldError): string {
  let body = typeText[e.type];
  // Go omits the value for these types.
  if (e.type !== 'Required' && e.type !== 'Forbidden' && e.type !== 'TooLong') body += `: ${renderValue(e.value, e.bare === true)}`;
  const detail = e.supported?.length
    ? `supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}`
    : e.detail;
  if (detail) body += `: ${detail}`;
  // Only a wrong top-level value (not an object at all) has no path.
  return e.field === '' ? body : `${e.field}: ${body}`;
}

/**
 * The text of Kubernetes' 422 Invalid error: `The DaemonSet "NAME" is invalid: <err>`,
 * or `[<err1>, <err2>]` for several (duplicate messages dropped, as Go's aggregate does).
 */
export function invalidMessage(kind: string, name: string, errors: FieldError[]): string {
  const head = `The ${kind} ${JSON.stringify(name)} is invalid`;
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length === 0) return head;
  if (messages.length === 1) return `${head}: ${messages[0]}`;
  return `${head}: [${messages.join(', ')}]`;
}

// ---------------------------------------------------------------------------
// Name, label and percent formats (apimachinery `util/validation`): each
// returns Kubernetes' messages, empty when the value is valid.

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Go's RegexError really does put ",  or " between examples.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number) => `must be no more than ${n} characters`;
// Go measures length in bytes.
const byteLength = utf8Length;

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123Label = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFmt}$`);

/** `IsDNS1123Subdomain`: at most 253 characters, lower-case alphanumerics, '-' and '.'. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!dns1123Subdomain.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  }
  return errs;
}

/** `IsDNS1123Label`: at most 63 characters, lower-case alphanumerics and '-'. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!dns1123Label.test(value)) {
    errs.push(
      dns1123Subdomain.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            dns1123LabelFmt,
            'my-name',
            '123-abc',
          ),
    );
  }
  return errs;
}

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedName = new RegExp(`^${qualifiedNameFmt}$`);

/** `IsQualifiedName` (label keys): `[prefix/]name`, prefix a DNS subdomain, name ≤ 63. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  const nameError = regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc');
  if (parts.length > 2) {
    // v1.33+ words this "a valid label key …"; we follow the v1.30–1.32 text.
    return [`a qualified name ${nameError} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  const name = parts.length === 2 ? (parts[1] as string) : value;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === '') errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedName.test(name)) errs.push(`name part ${nameError}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValue = new RegExp(`^${labelValueFmt}$`);

/** `IsValidLabelValue`: empty, or ≤ 63 alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!labelValue.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

const percentFmt = '[0-9]+%';
const percent = new RegExp(`^${percentFmt}$`);

/** `IsValidPercent`: digits followed by `%`. */
export function isValidPercent(value: string): string[] {
  if (percent.test(value)) return [];
  return [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
}

// ---------------------------------------------------------------------------
// Reusable field validators

const child = (path: string, ...names: string[]) => [path, ...names].filter((p) => p !== '').join('.');
const index = (path: string, i: number) => `${path}[${i}]`;

// Constructors named as Go's `field.Required`, `field.Invalid`, … so the rules read like upstream's.
const required = (field: string, detail?: string): FieldError => ({ type: 'Required', field, detail });
const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'Invalid', field, value, detail });
const duplicate = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'Duplicate', field, value, detail });
/** `field.TooLong` (v1.30+ wording): the value is never shown. */
const tooLong = (field: string, maxBytes: number): FieldError => ({ type: 'TooLong', field, detail: `may not be more than ${maxBytes} bytes` });
const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'NotSupported',
  field,
  value,
  supported,
});
/** An `intstr.IntOrString` value, which Go prints bare. */
const bare = (error: FieldError): FieldError => ({ ...error, bare: true });

function invalidEach(field: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((detail) => invalid(field, value, detail));
}

function validateNonnegative(value: number | undefined, field: string): FieldError[] {
  if (value === undefined || value >= 0) return [];
  return [invalid(field, value, 'must be greater than or equal to 0')];
}

/** `ValidateLabels`: every key a qualified name, every value a label value (errors on the map's path). */
function validateLabels(labels: Readonly<Record<string, string>> | undefined, field: string): FieldError[] {
  return Object.entries(labels ?? {}).flatMap(([key, value]) => [
    ...invalidEach(field, key, isQualifiedName(key)),
    ...invalidEach(field, value, isValidLabelValue(value)),
  ]);
}

/** `TotalAnnotationSizeLimitB`: every key and value of an object's annotations together. */
export const TotalAnnotationSizeLimitBytes = 256 * 1024;

/**
 * `ValidateAnnotations`: every key a qualified name (case does not matter),
 * and keys and values together at most 256 KiB.
 */
function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, field: string): FieldError[] {
  const entries = Object.entries(annotations ?? {});
  const errs = entries.flatMap(([key]) => invalidEach(field, key, isQualifiedName(key.toLowerCase())));
  const size = entries.reduce((sum, [key, value]) => sum + byteLength(key) + byteLength(value), 0);
  if (size > TotalAnnotationSizeLimitBytes) errs.push(tooLong(field, TotalAnnotationSizeLimitBytes));
  return errs;
}

/** `ValidateLabelSelector` (strict label values, as on create). */
function validateLabelSelector(selector: LabelSelector | undefined, field: string): FieldError[] {
  if (selector === undefined) return [];
  const errs = validateLabels(selector.matchLabels, child(field, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const at = index(child(field, 'matchExpressions'), i);
    errs.push(...validateRequirementOperator(req, at, false));
    errs.push(...invalidEach(child(at, 'key'), req.key, isQualifiedName(req.key)));
    (req.values ?? []).forEach((v, j) => errs.push(...invalidEach(index(child(at, 'values'), j), v, isValidLabelValue(v))));
  });
  return errs;
}

/** The operator/values rules shared by label selectors and node selectors (which add Gt/Lt). */
function validateRequirementOperator(
  req: { operator: string; values?: string[] | undefined },
  at: string,
  allowGtLt: boolean,
): FieldError[] {
  const count = req.values?.length ?? 0;
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      return count === 0
        ? [required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'")]
        : [];
    case 'Exists':
    case 'DoesNotExist':
      return count > 0
        ? [forbidden(child(at, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")]
        : [];
    case 'Gt':
    case 'Lt':
      if (!allowGtLt) break;
      return count !== 1
        ? [required(child(at, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'")]
        : [];
  }
  return [invalid(child(at, 'operator'), req.operator, 'not a valid selector operator')];
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

// ---------------------------------------------------------------------------
// Pod template (`ValidatePodTemplateSpec`, the parts the DaemonSet controller reads)

function validateContainers(containers: Container[] | undefined, field: string): FieldError[] {
  if (!containers?.length) return [required(field)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = index(field, i);
    const name = c.name ?? '';
    if (name === '') errs.push(required(child(at, 'name')));
    else errs.push(...invalidEach(child(at, 'name'), name, isDNS1123Label(name)));
    if (!c.image) errs.push(required(child(at, 'image')));
    if (name !== '' && seen.has(name)) errs.push(duplicate(child(at, 'name'), name));
    seen.add(name);
  });
  return errs;
}

/** `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, `In`/`NotIn`, exactly one value. */
function validateNodeFieldRequirement(req: NodeSelectorRequirement, at: string): FieldError[] {
  const errs: FieldError[] = [];
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if (req.values?.length !== 1) {
      errs.push(required(child(at, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(invalid(child(at, 'operator'), req.operator, 'not a valid selector operator'));
  }
  if (req.key !== 'metadata.name') {
    errs.push(invalid(child(at, 'key'), req.key, 'not a valid field selector key'));
  } else {
    (req.values ?? []).forEach((v, i) => errs.push(...invalidEach(index(child(at, 'values'), i), v, isDNS1123Subdomain(v))));
  }
  return errs;
}

/** `ValidateNodeSelectorTerm`: label expressions (with Gt/Lt) and field expressions. */
function validateNodeSelectorTerm(term: NodeSelectorTerm, at: string): FieldError[] {
  const expressions = (term.matchExpressions ?? []).flatMap((req, j) => {
    const reqPath = index(child(at, 'matchExpressions'), j);
    return [...validateRequirementOperator(req, reqPath, true), ...invalidEach(child(reqPath, 'key'), req.key, isQualifiedName(req.key))];
  });
  const fields = (term.matchFields ?? []).flatMap((req, j) => validateNodeFieldRequirement(req, index(child(at, 'matchFields'), j)));
  return [...expressions, ...fields];
}

/** `ValidateNodeSelector` for `requiredDuringSchedulingIgnoredDuringExecution` (preferred terms are not read). */
function validateRequiredNodeAffinity(spec: PodSpec, field: string): FieldError[] {
  const selector = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (selector === undefined) return [];
  const termsPath = child(field, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  if (selector.nodeSelectorTerms.length === 0) return [required(termsPath, 'must have at least one node selector term')];
  return selector.nodeSelectorTerms.flatMap((term, i) => validateNodeSelectorTerm(term, index(termsPath, i)));
}

/** `ValidateTolerations`. */
function validateTolerations(tolerations: Toleration[] | undefined, field: string): FieldError[] {
  return (tolerations ?? []).flatMap((t, i) => {
    const at = index(field, i);
    const errs: FieldError[] = [];
    const key = t.key ?? '';
    const operator = t.operator ?? '';
    const value = t.value ?? '';
    if (key !== '') errs.push(...invalidEach(child(at, 'key'), key, isQualifiedName(key)));
    if (key === '' && operator !== 'Exists') {
      const detail = 'operator must be Exists when `key` is empty, which means "match all values and all keys"';
      errs.push(invalid(child(at, 'operator'), operator, detail));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(at, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === '' || operator === 'Equal') {
      const messages = isValidLabelValue(value);
      // Upstream reports a bad value on the operator path, all messages joined by ";".
      if (messages.length > 0) errs.push(invalid(child(at, 'operator'), value, messages.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '') errs.push(invalid(child(at, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(at, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (t.effect && !taintEffects.includes(t.effect)) {
      errs.push(notSupported(child(at, 'effect'), t.effect, taintEffects));
    }
    return errs;
  });
}

function validatePodTemplate(template: PodTemplateSpec, field: string): FieldError[] {
  const spec = template.spec;
  const specPath = child(field, 'spec');
  const errs: FieldError[] = [
    // Upstream's paths really are `template.labels` and `template.annotations`, not `template.metadata.…`.
    ...validateLabels(template.metadata?.labels, child(field, 'labels')),
    ...validateAnnotations(template.metadata?.annotations, child(field, 'annotations')),
    ...validateContainers(spec.containers, child(specPath, 'containers')),
  ];
  const restartPolicy = spec.restartPolicy ?? '';
  if (restartPolicy === '') errs.push(required(child(specPath, 'restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) {
    errs.push(notSupported(child(specPath, 'restartPolicy'), restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(specPath, 'nodeSelector')));
  errs.push(...validateRequiredNodeAffinity(spec, specPath));
  errs.push(...validateTolerations(spec.tolerations, child(specPath, 'tolerations')));
  return errs;
}

// ---------------------------------------------------------------------------
// DaemonSet

/** `ValidatePositiveIntOrPercent` + `IsNotMoreThan100Percent` for one rolling-update field. */
function validateIntOrPercent(value: IntOrString | undefined, field: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'number') return validateNonnegative(value, field);
  const errs = invalidEach(field, value, isValidPercent(value)).map(bare);
  if (errs.length === 0 && intOrPercentValue(value) > 100) {
    errs.push(bare(invalid(field, value, 'must not be greater than 100%')));
  }
  return errs;
}

/**
 * `getIntOrPercentValue`: a percent's number, else the integer (a string that
 * is neither parses as Go's `Atoi` would, and counts as 0 when it cannot).
 */
function intOrPercentValue(value: IntOrString | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (percent.test(value)) return Number(value.slice(0, -1));
  return /^[+-]?\d+$/.test(value) ? Number(value) : 0;
}

function validateUpdateStrategy(ds: DaemonSet, field: string): FieldError[] {
  const strategy = ds.spec.updateStrategy ?? {};
  if (strategy.type === UpdateStrategyType.OnDelete) return [];
  if (strategy.type !== UpdateStrategyType.RollingUpdate) {
    return [notSupported(field, strategy.type ?? '', ['RollingUpdate', 'OnDelete'])];
  }
  const ru = strategy.rollingUpdate;
  const ruPath = child(field, 'rollingUpdate');
  if (ru === undefined) return [required(ruPath)];
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, child(ruPath, 'maxUnavailable')),
    ...validateIntOrPercent(ru.maxSurge, child(ruPath, 'maxSurge')),
  ];
  // Exactly one of the two may be non-zero: surge replaces before deleting, unavailability deletes first.
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(bare(invalid(child(ruPath, 'maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero')));
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(required(child(ruPath, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

function validateSelector(ds: DaemonSet): FieldError[] {
  const { selector, template } = ds.spec;
  const errs: FieldError[] = [];
  // apps/v1 requires a selector; upstream only reports the label mismatch below.
  if (selector === undefined) errs.push(required('spec.selector'));
  const selectorErrs = validateLabelSelector(selector, 'spec.selector');
  errs.push(...selectorErrs);
  // A selector that does not parse is not matched (`LabelSelectorAsSelector` fails); a missing one matches nothing.
  if (selectorErrs.length === 0 && !selectorMatches(selector, template.metadata?.labels)) {
    const labels = template.metadata?.labels;
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (isEmptySelector(selector)) {
    errs.push(invalid('spec.selector', selector, 'empty selector is invalid for daemonset'));
  }
  return errs;
}

function validateMetadata(meta: DaemonSet['metadata'] | Node['metadata'], namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = meta.name ?? '';
  if (name === '') errs.push(required('metadata.name', 'name or generateName is required'));
  else errs.push(...invalidEach('metadata.name', name, isDNS1123Subdomain(name)));
  const namespace = meta.namespace ?? '';
  if (namespaced) {
    if (namespace === '') errs.push(required('metadata.namespace'));
    else errs.push(...invalidEach('metadata.namespace', namespace, isDNS1123Label(namespace)));
  } else if (namespace !== '') {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  return errs;
}

/**
 * The object an event names without carrying it whole (a pod's status
 * report, a removal): `ValidateObjectMeta`'s rules for its name (a DNS
 * subdomain, as for pods, nodes and DaemonSets), its namespace when it has
 * one (a DNS label), labels and annotations. The events' schemas already
 * require the name.
 */
export function validateObjectReference(meta: { name?: string | undefined; namespace?: string | undefined; labels?: Readonly<Record<string, string>> | undefined; annotations?: Readonly<Record<string, string>> | undefined }): FieldError[] {
  const errs = invalidEach('metadata.name', meta.name, isDNS1123Subdomain(meta.name ?? ''));
  if (meta.namespace !== undefined) errs.push(...invalidEach('metadata.namespace', meta.namespace, isDNS1123Label(meta.namespace)));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  return errs;
}

/**
 * Kubernetes' `ValidateDaemonSet` (and, with `old`, the apps/v1 update rule
 * that `spec.selector` is immutable). Expects a defaulted DaemonSet
 * (`withDaemonSetDefaults`), as the API server validates after defaulting.
 * Returns every error, in Kubernetes' order; empty means valid.
 */
export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): FieldError[] {
  const spec = ds.spec;
  const podSpecPath = 'spec.template.spec';
  const errs = [
    ...validateMetadata(ds.metadata, true),
    ...validateSelector(ds),
    ...validatePodTemplate(spec.template, 'spec.template'),
  ];
  if (spec.template.spec.restartPolicy !== 'Always') {
    errs.push(notSupported(child(podSpecPath, 'restartPolicy'), spec.template.spec.restartPolicy ?? '', ['Always']));
  }
  if (spec.template.spec.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(child(podSpecPath, 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(ds, 'spec.updateStrategy'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old !== undefined && !semanticEqual(spec.selector, old.spec.selector)) {
    errs.push(invalid('spec.selector', spec.selector, 'field is immutable'));
  }
  return errs;
}

function isEmptyCollection(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0);
}

/**
 * `apiequality.Semantic.DeepEqual` for JSON data: below the top level, an
 * absent list or map equals an empty one (Go cannot tell them apart either).
 */
function semanticEqual(a: unknown, b: unknown, nested = false): boolean {
  if (nested && isEmptyCollection(a) && isEmptyCollection(b)) return true;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], true));
}

// ---------------------------------------------------------------------------
// Node

/** `validateNodeTaints`: key a qualified name, value a label value, unique by (key, effect). */
function validateTaints(taints: Taint[] | undefined, field: string): FieldError[] {
  const seen = new Set<string>();
  return (taints ?? []).flatMap((t, i) => {
    const at = index(field, i);
    const errs = invalidEach(child(at, 'key'), t.key, isQualifiedName(t.key));
    const messages = isValidLabelValue(t.value ?? '');
    if (messages.length > 0) errs.push(invalid(child(at, 'value'), t.value ?? '', messages.join(';')));
    const id = JSON.stringify([t.key, t.effect]);
    if (seen.has(id)) errs.push(duplicate(at, t, 'taints must be unique by key and effect pair'));
    seen.add(id);
    return errs;
  });
}

/** The parts of Kubernetes' `ValidateNode` that everynode reads: name, labels, taints. */
export function validateNode(node: Node): FieldError[] {
  return [...validateMetadata(node.metadata, false), ...validateTaints(node.spec?.taints, 'spec.taints')];
}

// ---------------------------------------------------------------------------
// zod at the boundary

const typeNames: Record<string, string> = { int: 'integer', record: 'object', map: 'object' };
const typeName = (expected: string) => typeNames[expected] ?? expected;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? index(acc, k) : child(acc, String(k))), '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function issueToFieldError(issue: z.core.$ZodIssue, input: unknown): FieldError {
  const field = fieldPath(issue.path);
  const value = 'input' in issue ? issue.input : valueAt(input, issue.path);
  // JSON null is "unset" to Kubernetes, as is an absent key or an empty required string.
  if (value === undefined || value === null || (issue.code === 'too_small' && value === '')) return required(field);
  switch (issue.code) {
    case 'invalid_type':
      return invalid(field, value, `must be of type ${typeName(issue.expected)}`);
    case 'invalid_union': {
      const expected = [...new Set(issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [typeName(i.expected)] : [])))];
      return invalid(field, value, expected.length ? `must be of type ${expected.join(' or ')}` : issue.message);
    }
    case 'invalid_value':
      return notSupported(field, value, issue.values.map(String));
    default:
      return invalid(field, value, issue.message);
  }
}

/**
 * zod issues as Kubernetes field errors (`spec.template.spec.containers[0].name`):
 * a missing or null field is Required, a wrong type is Invalid naming the
 * expected type, an enum or literal mismatch is NotSupported. Pass the parsed
 * `input` (or parse with `reportInput: true`) so the errors carry the bad
 * values; without either, every issue reads as Required.
 */
export function zodIssuesToFieldErrors(error: z.ZodError, input?: unknown): FieldError[] {
  return error.issues.map((issue) => issueToFieldError(issue, input));
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; message: string };

function nameOf(input: unknown): string {
  const name = valueAt(input, ['metadata', 'name']);
  return typeof name === 'string' ? name : '';
}

function refused<T>(kind: string, input: unknown, errors: FieldError[]): ParseResult<T> {
  return { ok: false, errors, message: invalidMessage(kind, nameOf(input), errors) };
}

/**
 * A DaemonSet as the API server admits it: shape-checked with zod, defaulted
 * (`withDaemonSetDefaults`), then validated (`validateDaemonSet`, with `old`
 * for an update). On success `value` is the defaulted DaemonSet, unknown
 * fields kept; on failure `message` is the 422 text and nothing is returned
 * to store. Never throws.
 */
export function parseDaemonSet(input: unknown, old?: DaemonSet): ParseResult<DaemonSet> {
  const parsed = DaemonSetSchema.safeParse(input);
  if (!parsed.success) return refused('DaemonSet', input, zodIssuesToFieldErrors(parsed.error, input));
  const value = withDaemonSetDefaults(parsed.data);
  const errors = validateDaemonSet(value, old);
  return errors.length > 0 ? refused('DaemonSet', input, errors) : { ok: true, value };
}

/**
 * A Node as the API server admits it: shape-checked with zod (a taint's
 * effect must be NoSchedule, PreferNoSchedule or NoExecute), then
 * `validateNode`. Unknown fields are kept. Never throws.
 */
export function parseNode(input: unknown): ParseResult<Node> {
  const parsed = NodeSchema.safeParse(input);
  if (!parsed.success) return refused('Node', input, zodIssuesToFieldErrors(parsed.error, input));
  const errors = validateNode(parsed.data);
  return errors.length > 0 ? refused('Node', input, errors) : { ok: true, value: parsed.data };
}
