/** `v1 Pod` and its parts: the pod spec the DaemonSet template carries, and pod status. */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { ObjectMetaSchema, StringMapSchema } from './meta.ts';
import { ConditionStatusSchema } from './node.ts';

export const TolerationSchema = lazySchema(() => z.looseObject({
  key: z.string().optional(),
  operator: z.string().optional(),
  value: z.string().optional(),
  effect: z.string().optional(),
  tolerationSeconds: z.number().int().optional(),
}));
export type Toleration = z.infer<typeof TolerationSchema>;

export const NodeSelectorRequirementSchema = lazySchema(() => z.looseObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
}));
export type NodeSelectorRequirement = z.infer<typeof NodeSelectorRequirementSchema>;

export const NodeSelectorTermSchema = lazySchema(() => z.looseObject({
  matchExpressions: z.array(NodeSelectorRequirementSchema).optional(),
  matchFields: z.array(NodeSelectorRequirementSchema).optional(),
}));
export type NodeSelectorTerm = z.infer<typeof NodeSelectorTermSchema>;

export const NodeSelectorSchema = lazySchema(() => z.looseObject({
  nodeSelectorTerms: z.array(NodeSelectorTermSchema),
}));
export type NodeSelector = z.infer<typeof NodeSelectorSchema>;

export const NodeAffinitySchema = lazySchema(() => z.looseObject({
  requiredDuringSchedulingIgnoredDuringExecution: NodeSelectorSchema.optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(z.unknown()).optional(),
}));
export type NodeAffinity = z.infer<typeof NodeAffinitySchema>;

export const AffinitySchema = lazySchema(() => z.looseObject({
  nodeAffinity: NodeAffinitySchema.optional(),
}));
export type Affinity = z.infer<typeof AffinitySchema>;

export const ContainerSchema = lazySchema(() => z.looseObject({
  name: z.string().optional(),
  image: z.string().optional(),
  resources: z.looseObject({}).optional(),
}));
export type Container = z.infer<typeof ContainerSchema>;

export const PodSpecSchema = lazySchema(() => z.looseObject({
  nodeName: z.string().optional(),
  nodeSelector: StringMapSchema.optional(),
  affinity: AffinitySchema.optional(),
  tolerations: z.array(TolerationSchema).optional(),
  containers: z.array(ContainerSchema).optional(),
  restartPolicy: z.string().optional(),
  activeDeadlineSeconds: z.number().int().optional(),
  hostNetwork: z.boolean().optional(),
  terminationGracePeriodSeconds: z.number().int().optional(),
}));
export type PodSpec = z.infer<typeof PodSpecSchema>;

export const PodTemplateSpecSchema = lazySchema(() => z.looseObject({
  metadata: ObjectMetaSchema.optional(),
  spec: PodSpecSchema,
}));
export type PodTemplateSpec = z.infer<typeof PodTemplateSpecSchema>;

export const PodPhaseSchema = lazySchema(() => z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']));
export type PodPhase = z.infer<typeof PodPhaseSchema>;

export const PodConditionSchema = lazySchema(() => z.looseObject({
  type: z.string().min(1),
  status: ConditionStatusSchema,
  lastTransitionTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
}));
export type PodCondition = z.infer<typeof PodConditionSchema>;

export const PodStatusSchema = lazySchema(() => z.looseObject({
  phase: PodPhaseSchema.optional(),
  conditions: z.array(PodConditionSchema).optional(),
  startTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
}));
export type PodStatus = z.infer<typeof PodStatusSchema>;

export const PodSchema = lazySchema(() => z.looseObject({
  apiVersion: z.literal('v1').default('v1'),
  kind: z.literal('Pod').default('Pod'),
  metadata: ObjectMetaSchema.extend({ name: z.string().min(1), namespace: z.string().min(1).default('default') }),
  spec: PodSpecSchema,
  status: PodStatusSchema.optional(),
}));
export type Pod = z.infer<typeof PodSchema>;
