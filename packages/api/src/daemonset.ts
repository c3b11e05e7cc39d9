/**
 * `apps/v1 DaemonSet`. The schema checks shape only (strings are strings,
 * numbers are numbers); Kubernetes' semantic rules live in `validation.ts`
 * so that their messages read as the API server's do.
 */
import { z } from 'zod';
import { ObjectMetaSchema } from './meta.ts';
import { PodTemplateSpecSchema } from './pod.ts';

export const LabelSelectorRequirementSchema = z.looseObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
});
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirementSchema>;

export const LabelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** An `intstr.IntOrString`: `1` or `"30%"`. */
export const IntOrStringSchema = z.union([z.number().int(), z.string()]);
export type IntOrString = z.infer<typeof IntOrStringSchema>;

export const UpdateStrategyType = { RollingUpdate: 'RollingUpdate', OnDelete: 'OnDelete' } as const;
export type UpdateStrategyType = (typeof UpdateStrategyType)[keyof typeof UpdateStrategyType];

export const RollingUpdateDaemonSetSchema = z.looseObject({
  maxUnavailable: IntOrStringSchema.optional(),
  maxSurge: IntOrStringSchema.optional(),
});
export type RollingUpdateDaemonSet = z.infer<typeof RollingUpdateDaemonSetSchema>;

export const DaemonSetUpdateStrategySchema = z.looseObject({
  type: z.string().optional(),
  rollingUpdate: RollingUpdateDaemonSetSchema.optional(),
});
export type DaemonSetUpdateStrategy = z.infer<typeof DaemonSetUpdateStrategySchema>;

export const DaemonSetSpecSchema = z.looseObject({
  selector: LabelSelectorSchema.optional(),
  template: PodTemplateSpecSchema,
  updateStrategy: DaemonSetUpdateStrategySchema.optional(),
  minReadySeconds: z.number().int().optional(),
  revisionHistoryLimit: z.number().int().optional(),
});
export type DaemonSetSpec = z.infer<typeof DaemonSetSpecSchema>;

export const DaemonSetStatusSchema = z.looseObject({
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
});
export type DaemonSetStatus = z.infer<typeof DaemonSetStatusSchema>;

export const DaemonSetSchema = z.looseObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('DaemonSet'),
  metadata: ObjectMetaSchema,
  spec: DaemonSetSpecSchema,
  status: DaemonSetStatusSchema.optional(),
});
export type DaemonSet = z.infer<typeof DaemonSetSchema>;

/** The annotation through which apps/v1 exposes the internal `templateGeneration`. */
export const TemplateGenerationAnnotation = 'deprecated.daemonset.template.generation';
/** The label carrying a pod's (and a revision's) template hash. */
export const ControllerRevisionHashLabel = 'controller-revision-hash';
/** The legacy label carrying the template generation a pod was created from. */
export const PodTemplateGenerationLabel = 'pod-template-generation';

export const ControllerRevisionSchema = z.looseObject({
  apiVersion: z.literal('apps/v1').default('apps/v1'),
  kind: z.literal('ControllerRevision').default('ControllerRevision'),
  metadata: ObjectMetaSchema.extend({ name: z.string().min(1), namespace: z.string().min(1) }),
  /** The patch that turns a DaemonSet's template back into this revision's (`getPatch`). */
  data: z.unknown(),
  revision: z.number().int(),
});
export type ControllerRevision = z.infer<typeof ControllerRevisionSchema>;
