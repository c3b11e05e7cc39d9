/**
 * JSON bodies. Read as bytes and checked before they are parsed: UTF-8
 * (RFC 8259) — invalid bytes are a 400 naming the body, never replaced
 * with U+FFFD and stored — and, once parsed, nesting at most 64 deep, so no
 * handler is handed a value that overflows the stack of whatever walks it
 * first. An empty body is "no body" rather than an error: `DELETE` with
 * `Content-Type: application/json` and nothing else is ordinary, and a
 * handler that needs a body says what it needed.
 *
 * Resource bodies go through fastify's own parser, which refuses
 * `__proto__` and `constructor.prototype` keys. `POST /events` parses
 * plainly (such keys stay inert own properties) and leaves each event's
 * bounds to the engine's admission, so one bad event in a batch is refused
 * alone and the others are accepted.
 */
import { isUtf8 } from 'node:buffer';
import { DefaultJsonLimits, jsonShapeProblem } from '@everynode/api';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, StatusError } from './status.ts';

/**
 * The first byte of `bytes` that does not begin a well-formed UTF-8
 * sequence (overlong forms, surrogates and code points past U+10FFFF are
 * not), or -1 when every byte does.
 */
export function invalidUtf8At(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    // Not a lead byte, or the text ends within the sequence.
    if (more === 0 || i + more >= bytes.length) return i;
    // The second byte's range excludes overlong forms (E0, F0), surrogates (ED) and past U+10FFFF (F4).
    const second = bytes[i + 1] as number;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k <= more; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return -1;
}

/** `bytes` as text, or a 400 naming the body and where its UTF-8 breaks. */
export function utf8Text(bytes: Buffer): string {
  if (!isUtf8(bytes)) {
    throw new StatusError(badRequest(`the request body is not valid UTF-8 (an invalid byte sequence at byte ${invalidUtf8At(bytes)}): send JSON and text as UTF-8`));
  }
  // A byte order mark is allowed before JSON text (RFC 8259 §8.1: ignored).
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A 400 when `value` (a parsed body) nests deeper than the JSON limit. */
function checkDepth(value: unknown): void {
  const problem = jsonShapeProblem(value, DefaultJsonLimits.maxDepth, { keys: false });
  if (problem !== undefined) throw new StatusError(badRequest(`the request body: ${problem.field === '' ? '' : `${problem.field}: `}${problem.reason}`));
}

type Parse = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => void;

/**
 * JSON media types this server parses for resource paths and PATCH:
 * UTF-8 checked, then fastify's parser (prototype-polluting keys refused),
 * then the nesting depth.
 */
export function emptyTolerantJsonParser(app: FastifyInstance): FastifyBodyParser<Buffer> {
  // fastify's default JSON parser is the callback form (`lib/contentTypeParser.js` `defaultJsonParser`).
  const parse = app.getDefaultJsonParser('error', 'error') as Parse;
  return (request, body, done) => {
    let text: string;
    try {
      text = utf8Text(body);
    } catch (error) {
      return done(error as Error);
    }
    if (text.trim() === '') return done(null, undefined);
    parse(request, text, (error, value) => {
      if (error) return done(error);
      try {
        checkDepth(value);
      } catch (refusal) {
        return done(refusal as Error);
      }
      done(null, value);
    });
  };
}

/**
 * `POST /events`' JSON parser: UTF-8 checked, then parsed as it is (the
 * parse itself does not recurse). Each event's depth, keys and size are
 * checked by the engine as it admits that event.
 */
export function eventsJsonParser(): FastifyBodyParser<Buffer> {
  return (_request, body, done) => {
    try {
      const text = utf8Text(body);
      if (text.trim() === '') return done(null, undefined);
      done(null, JSON.parse(text) as unknown);
    } catch (error) {
      if (error instanceof StatusError) return done(error);
      done(new StatusError(badRequest(`the request body is not valid JSON: ${(error as Error).message}`)));
    }
  };
}

/** Replace fastify's `application/json` parser on `app` with the checked, empty-tolerant one. */
export function useJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, emptyTolerantJsonParser(app));
}
