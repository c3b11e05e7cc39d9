/**
 * `apps/v1 DaemonSet`. The schema checks shape only (strings are strings,
 * numbers are numbers); Kubernetes' semantic rules live in `validation.ts`
 * so that their messages read as the API server's do.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { ObjectMetaSchema } from './meta.ts';
import { PodTemplateSpecSchema } from './pod.ts';

export const LabelSelectorRequirementSchema = lazySchema(() => z.looseObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
}));
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirementSchema>;

export const LabelSelectorSchema = lazySchema(() => z
  .looseObject({
    matchLabels: z
      .record(z.string(), z.string())
      .optional()
      .describe('A map of {key,value} pairs; each one is a matchExpressions requirement "key In (value)". The requirements are ANDed.'),
    matchExpressions: z
      .array(LabelSelectorRequirementSchema)
      .optional()
      .describe('A list of label selector requirements (key, operator In/NotIn/Exists/DoesNotExist, values). The requirements are ANDed.'),
  })
  .describe('A label query over a set of resources. The results of matchLabels and matchExpressions are ANDed; an empty selector matches all objects.'));
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** An `intstr.IntOrString`: `1` or `"30%"`. */
export const IntOrStringSchema = lazySchema(() => z.union([z.number().int(), z.string()]).describe('An integer or a string (a percentage, "30%").'));
export type IntOrString = z.infer<typeof IntOrStringSchema>;

export const UpdateStrategyType = { RollingUpdate: 'RollingUpdate', OnDelete: 'OnDelete' } as const;
export type UpdateStrategyType = (typeof UpdateStrategyType)[keyof typeof UpdateStrategyType];

export const RollingUpdateDaemonSetSchema = lazySchema(() => z
  .looseObject({
    maxUnavailable: IntOrStringSchema.optional().describe(
      'The most DaemonSet pods that may be unavailable during the update: a number (5) or a percentage of the nodes that should run the pod ("10%", rounded up). ' +
        'Must not be 0 when maxSurge is 0. Default 1.',
    ),
    maxSurge: IntOrStringSchema.optional().describe(
      'The most nodes with an available DaemonSet pod that may run an updated pod beside it during the update: a number or a percentage ("10%", rounded up). ' +
        'The new pod starts first and the old one is deleted once the new one is available. Must not be 0 when maxUnavailable is 0. Default 0.',
    ),
  })
  .describe('Spec to control the desired behavior of a DaemonSet rolling update.'));
export type RollingUpdateDaemonSet = z.infer<typeof RollingUpdateDaemonSetSchema>;

export const DaemonSetUpdateStrategySchema = lazySchema(() => z
  .looseObject({
    type: z
      .string()
      .optional()
      .describe('Type of DaemonSet update: "RollingUpdate" (replace pods node by node, within maxUnavailable and maxSurge) or "OnDelete" (a new pod only where the old one was deleted). Default RollingUpdate.'),
    rollingUpdate: RollingUpdateDaemonSetSchema.optional().describe('Rolling update parameters. Present only if type is "RollingUpdate".'),
  })
  .describe('How a DaemonSet replaces its pods when its template changes.'));
export type DaemonSetUpdateStrategy = z.infer<typeof DaemonSetUpdateStrategySchema>;

export const DaemonSetSpecSchema = lazySchema(() => z
  .looseObject({
    selector: LabelSelectorSchema.optional().describe(
      "A label query over the pods the DaemonSet manages. It must match the pod template's labels, and cannot change once the DaemonSet exists.",
    ),
    template: PodTemplateSpecSchema.describe(
      'The pod the DaemonSet runs on every eligible node (its nodeSelector, affinity and tolerations decide which). ' +
        'Its labels must match the selector; restartPolicy must be Always (the default).',
    ),
    updateStrategy: DaemonSetUpdateStrategySchema.optional().describe('An update strategy to replace existing DaemonSet pods with new pods.'),
    minReadySeconds: z
      .number()
      .int()
      .optional()
      .describe('Seconds a new pod must be ready, with none of its containers crashing, before it counts as available. Default 0 (available as soon as ready).'),
    revisionHistoryLimit: z
      .number()
      .int()
      .optional()
      .describe('How many old ControllerRevisions to keep so that a rollout can be undone. Default 10.'),
  })
  .describe('The specification of a DaemonSet.'));
export type DaemonSetSpec = z.infer<typeof DaemonSetSpecSchema>;

export const DaemonSetStatusSchema = lazySchema(() => z.looseObject({
  currentNumberScheduled: z.number().int(),
  numberMisscheduled: z.number().int(),
  desiredNumberScheduled: z.number().int(),
  numberReady: z.number().int(),
  observedGeneration: z.number().int().optional(),
  updatedNumberScheduled: z.number().int().optional(),
  numberAvailable: z.number().int().optional(),
  numberUnavailable: z.number().int().optional(),
  collisionCount: z.number().int().optional(),
  conditions: z.array(z.unknown()).optional(),
}));
export type DaemonSetStatus = z.infer<typeof DaemonSetStatusSchema>;

export const DaemonSetSchema = lazySchema(() => z
  .looseObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('DaemonSet'),
    metadata: ObjectMetaSchema.describe("Standard object's metadata."),
    spec: DaemonSetSpecSchema.describe('The desired behavior of this DaemonSet.'),
    status: DaemonSetStatusSchema.optional().describe('The current status of this DaemonSet, as the controller last observed it. Read-only.'),
  })
  .describe('DaemonSet represents the configuration of a daemon set: a pod that runs on every eligible node.'));
export type DaemonSet = z.infer<typeof DaemonSetSchema>;

/** The annotation through which apps/v1 exposes the internal `templateGeneration`. */
export const TemplateGenerationAnnotation = 'deprecated.daemonset.template.generation';
/** The label carrying a pod's (and a revision's) template hash. */
export const ControllerRevisionHashLabel = 'controller-revision-hash';
/** The legacy label carrying the template generation a pod was created from. */
export const PodTemplateGenerationLabel = 'pod-template-generation';

export const ControllerRevisionSchema = lazySchema(() => z.looseObject({
  apiVersion: z.literal('apps/v1').default('apps/v1'),
  kind: z.literal('ControllerRevision').default('ControllerRevision'),
  metadata: ObjectMetaSchema.extend({ name: z.string().min(1), namespace: z.string().min(1) }),
  /** The patch that turns a DaemonSet's template back into this revision's (`getPatch`). */
  data: z.unknown(),
  revision: z.number().int(),
}));
export type ControllerRevision = z.infer<typeof ControllerRevisionSchema>;
