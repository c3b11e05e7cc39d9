/** `v1 Node`: the fields the DaemonSet controller reads (docs/contract.md §1); the rest is kept. */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { NamedMetaSchema } from './meta.ts';

export const TaintEffect = { NoSchedule: 'NoSchedule', PreferNoSchedule: 'PreferNoSchedule', NoExecute: 'NoExecute' } as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

export const TaintSchema = lazySchema(() => z.looseObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  timeAdded: z.string().optional(),
}));
export type Taint = z.infer<typeof TaintSchema>;

export const ConditionStatusSchema = lazySchema(() => z.enum(['True', 'False', 'Unknown']));
export type ConditionStatus = z.infer<typeof ConditionStatusSchema>;

export const NodeConditionSchema = lazySchema(() => z.looseObject({
  type: z.string().min(1),
  status: ConditionStatusSchema,
  lastTransitionTime: z.string().optional(),
  lastHeartbeatTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
}));
export type NodeCondition = z.infer<typeof NodeConditionSchema>;

export const NodeSchema = lazySchema(() => z.looseObject({
  apiVersion: z.literal('v1').default('v1'),
  kind: z.literal('Node').default('Node'),
  metadata: NamedMetaSchema,
  spec: z
    .looseObject({
      taints: z.array(TaintSchema).optional(),
      unschedulable: z.boolean().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z.array(NodeConditionSchema).optional(),
    })
    .optional(),
}));
export type Node = z.infer<typeof NodeSchema>;
