/**
 * What the client is lenient about when it reads an answer. The answers'
 * shapes are declared once, with their zod schemas, in `@everynode/api`
 * (`replies.ts`, `log-entries.ts`) and checked with those at this edge; the
 * objects inside them (nodes, pods, CloudEvents, decisions) are the server's
 * own (it validated them on the way in) and are trusted as typed.
 */
import { KubeListSchema, lazySchema, LogPageSchema } from '@everynode/api';

/** A list whose `apiVersion`, `kind` or `metadata` is left out is still read (as `v1`, `List`, `{}`). */
export const LenientKubeListSchema = lazySchema(() => KubeListSchema.partial({ apiVersion: true, kind: true, metadata: true }));

/** A `GET /log` page without `next` (continue after its last entry) or `horizon` (nothing trimmed) is still read. */
export const LenientLogPageSchema = lazySchema(() => LogPageSchema.partial({ next: true, horizon: true }));
