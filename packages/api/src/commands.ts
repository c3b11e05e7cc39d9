/**
 * The commands everynode emits (docs/contract.md §3), CloudEvents too. Their `id`
 * is deterministic, so an executor that sees one twice can drop the copy.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { CloudEventEnvelopeSchema } from './events.ts';
import { PodSchema } from './pod.ts';

export const CommandType = {
  CreatePod: 'io.everynode.pod.create',
  DeletePod: 'io.everynode.pod.delete',
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

export const CreatePodCommandSchema = lazySchema(() => CloudEventEnvelopeSchema.extend({
  type: z.literal(CommandType.CreatePod),
  /** The node's name. */
  subject: z.string().min(1),
  data: PodSchema,
}));
export type CreatePodCommand = z.infer<typeof CreatePodCommandSchema>;

export const DeletePodDataSchema = lazySchema(() => z.object({
  metadata: z.object({ namespace: z.string().min(1), name: z.string().min(1) }),
  spec: z.object({ nodeName: z.string() }),
  reason: z.string().min(1),
}));
export type DeletePodData = z.infer<typeof DeletePodDataSchema>;

export const DeletePodCommandSchema = lazySchema(() => CloudEventEnvelopeSchema.extend({
  type: z.literal(CommandType.DeletePod),
  /** The node's name. */
  subject: z.string(),
  data: DeletePodDataSchema,
}));
export type DeletePodCommand = z.infer<typeof DeletePodCommandSchema>;

export const PodCommandSchema = lazySchema(() => z.discriminatedUnion('type', [CreatePodCommandSchema, DeletePodCommandSchema]));
export type PodCommand = z.infer<typeof PodCommandSchema>;
