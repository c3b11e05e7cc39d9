/**
 * Object metadata shared by every resource, as Kubernetes' `metav1.ObjectMeta`.
 * Unknown fields are kept (`looseObject`): a manifest is echoed back as given.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';

export const OwnerReferenceSchema = lazySchema(() => z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
}));
export type OwnerReference = z.infer<typeof OwnerReferenceSchema>;

/** The finalizers a deletion sets (`metav1.FinalizerDeleteDependents`, `metav1.FinalizerOrphanDependents`). */
export const Finalizer = { ForegroundDeletion: 'foregroundDeletion', Orphan: 'orphan' } as const;
export type Finalizer = (typeof Finalizer)[keyof typeof Finalizer];

export const StringMapSchema = lazySchema(() => z.record(z.string(), z.string()));

export const ObjectMetaSchema = lazySchema(() => z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  /**
   * What must happen before the object is removed, once it has a
   * `deletionTimestamp`. everynode sets and honours `foregroundDeletion` and
   * `orphan` only; other names are kept as given but hold nothing back.
   */
  finalizers: z.array(z.string()).optional(),
  labels: StringMapSchema.optional(),
  annotations: StringMapSchema.optional(),
  ownerReferences: z.array(OwnerReferenceSchema).optional(),
}));
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** Metadata of an object that must be named (Nodes, stored objects). */
export const NamedMetaSchema = lazySchema(() => ObjectMetaSchema.extend({ name: z.string().min(1) }));

/** `{ metadata: { name } }` — the data of a removal event for a cluster-scoped object. */
export const ClusterObjectRefSchema = lazySchema(() => z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1) }),
}));

/** `{ metadata: { namespace, name } }` — the data of a removal event for a namespaced object. */
export const NamespacedObjectRefSchema = lazySchema(() => z.looseObject({
  metadata: z.looseObject({ namespace: z.string().min(1), name: z.string().min(1) }),
}));
export type NamespacedObjectRef = z.infer<typeof NamespacedObjectRefSchema>;

/** The controller owner reference of an object, if any (`metav1.GetControllerOf`). */
export function controllerOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((ref) => ref.controller === true);
}

/** `namespace/name`, the key Kubernetes' work queues use for namespaced objects. */
export function objectKey(meta: { namespace?: string | undefined; name?: string | undefined }): string {
  return `${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
}
