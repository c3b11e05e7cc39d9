/**
 * Request checks at the edge: path parameters and query strings are parsed
 * with zod, and a bad one is a 400 Status that names the parameter (the
 * list query is in `lists.ts`).
 */
import * as z from 'zod';
import { badRequest, StatusError } from './status.ts';

/** Parse `value` (a request's `params` or `query`) or throw a 400 naming each bad parameter. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: 'path parameter' | 'query parameter'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${what} ${JSON.stringify(issue.path.join('.'))}: ${issue.message}`);
  throw new StatusError(badRequest(problems.join('; ')));
}

/** A non-empty path segment (a name or a namespace). */
export const Segment = z.string().min(1, 'must not be empty');

/** `:ns` paths. */
export const NamespaceParams = z.object({ ns: Segment });
/** `:name` paths (cluster-scoped objects). */
export const NameParams = z.object({ name: Segment });
/** `:ns/…/:name` paths. */
export const NamespacedNameParams = z.object({ ns: Segment, name: Segment });

/** A non-negative integer given as query text (`?after=12`). */
export const NonNegativeInteger = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a non-negative integer');

const truths = ['1', 't', 'T', 'TRUE', 'true', 'True'] as const;
const falsehoods = ['0', 'f', 'F', 'FALSE', 'false', 'False'] as const;

/** A boolean query parameter, read as Go's `strconv.ParseBool` reads it (`true`, `1`, `false`, `0`, …). */
export const QueryBoolean = z
  .enum([...truths, ...falsehoods], { error: 'must be true or false' })
  .transform((text) => (truths as readonly string[]).includes(text));

/** Query text through `parse`; what `parse` throws becomes the parameter's 400 reason. */
export function parsedWith<T>(parse: (text: string) => T) {
  return z.string().transform((text, ctx): T => {
    try {
      return parse(text);
    } catch (error) {
      ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
      return z.NEVER;
    }
  });
}

/** Bytes at most in a field manager (`FieldManagerMaxLength`). */
const fieldManagerMaxBytes = 128;

/**
 * The query of a write: `fieldManager`, checked as upstream's
 * `ValidateFieldManager` does (at most 128 bytes, printable characters only).
 */
export const WriteQuery = z.looseObject({
  fieldManager: z
    .string()
    .refine((text) => Buffer.byteLength(text) <= fieldManagerMaxBytes, `Too long: may not be more than ${fieldManagerMaxBytes} bytes`)
    // Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    .regex(/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u, 'must contain only printable characters')
    .optional(),
});

/** The field manager a write's query names, if any (a 400 when it is not one). */
export function fieldManagerOf(query: unknown): string | undefined {
  return parseRequest(WriteQuery, query, 'query parameter').fieldManager;
}

/**
 * Who made a write, as the log records it: the `?fieldManager=` it named,
 * else — as the API server names a manager when none is given
 * (`prefixFromUserAgent`) — its User-Agent up to the first `/`, printable
 * characters only, at most 128 bytes (`kubectl` for `kubectl/v1.32.3 (linux/amd64) …`).
 * Undefined when there is neither.
 */
export function writerOf(request: { readonly query: unknown; readonly headers: { readonly 'user-agent'?: string | undefined } }): string | undefined {
  const named = fieldManagerOf(request.query);
  if (named !== undefined) return named;
  let prefix = '';
  for (const char of (request.headers['user-agent'] ?? '').split('/')[0] ?? '') {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(char)) continue;
    if (Buffer.byteLength(prefix + char) > fieldManagerMaxBytes) break;
    prefix += char;
  }
  return prefix === '' ? undefined : prefix;
}
