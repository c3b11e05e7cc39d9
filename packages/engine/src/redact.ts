/**
 * Secrets out of what we print. A Redis URL may carry a password
 * (`redis://:pw@host`), and ioredis's AUTH errors carry the command with its
 * arguments — the password — as a property that pino and `console.error`
 * would print. Everything that logs goes through `safeLogOptions`, so a
 * URL's password and an error's command arguments never reach a log line,
 * whoever logged them. Light on purpose (no Redis, no BullMQ): the CLI
 * imports it as `@everynode/engine/redact` without loading the engine.
 */
import type { LoggerOptions } from 'pino';

/** What stands in for a secret. */
export const Redacted = '***';

/** `url` with its password replaced by `***`, for logs and errors; `<unparseable URL>` when it is not a URL. */
export function redactUrl(url: string): string {
  // A cluster URL lists several host:port pairs, which URL cannot parse; its hosts hold no `@`, so the password ends at the last one.
  if (/^rediss?\+cluster:\/\//i.test(url)) return url.replace(/^([a-z+]+:\/\/[^:@/]*):.*@([^@]*)$/i, `$1:${Redacted}@$2`);
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = Redacted;
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

// scheme://[user]:password@ — the password is everything up to the `@` that ends the userinfo.
const userinfoPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*:)[^\s/?#@"']+@/gi;

/** `text` with the password of every URL in it replaced by `***` (`redis://:***@host`, `amqp://u:***@host`). */
export function redactUrlsIn(text: string): string {
  return text.replace(userinfoPassword, `$1${Redacted}@`);
}

/**
 * pino options for every everynode logger: the arguments of an error's Redis
 * command (ioredis's `ReplyError.command`, e.g. `AUTH <password>`) are
 * censored, and every line written has its URLs' passwords redacted.
 */
export const safeLogOptions = {
  redact: { paths: ['err.command.args', 'err.cause.command.args', 'error.command.args'], censor: Redacted },
  hooks: { streamWrite: redactUrlsIn },
} satisfies LoggerOptions;
