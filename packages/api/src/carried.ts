/**
 * A part of an answer that the server checked when it came in (a CloudEvent,
 * a Kubernetes object) or that the core built (a decision): on the wire it
 * is carried as it was written, typed by its schema but not checked again.
 * Checking it again would apply the schemas' defaults (`apiVersion`,
 * `kind`, …) and so change what a reader is given, and would cost a parse of
 * every pod in a page of the log; that it is an object is checked.
 */
import * as z from 'zod';

export function carried<S extends z.ZodType>(_schema: S) {
  return z.custom<z.output<S>>((value) => typeof value === 'object' && value !== null, { error: 'expected an object' });
}
