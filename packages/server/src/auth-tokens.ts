/**
 * Bearer tokens: who may use the API, under which name, with which
 * permission. Read from a tokens file in the spirit of kube-apiserver's
 * `--token-auth-file` (CSV `token,name,permission`, or YAML) and from the
 * environment; looked up in constant time, so how long an answer takes says
 * nothing about how much of a guess was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';

/**
 * What a token may do, each including the one before: `read` — every GET
 * (resources, watch, log, explain, state, metrics); `write` — also events
 * and creating, replacing and patching DaemonSets and nodes; `admin` — also
 * deletes, import and export of the log, and the dead-letter queue's
 * replay and drop.
 */
export const Permission = { Read: 'read', Write: 'write', Admin: 'admin' } as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const rank: Record<Permission, number> = { read: 0, write: 1, admin: 2 };

/** Whether `held` includes `needed` (admin ⊇ write ⊇ read). */
export function grants(held: Permission, needed: Permission): boolean {
  return rank[held] >= rank[needed];
}

/** Shortest token accepted: 16 characters, so that a token cannot be guessed in any number of requests a rate limit lets through. */
export const minTokenLength = 16;

export const TokenSchema = z.object({
  token: z
    .string()
    .min(minTokenLength, `must be at least ${minTokenLength} characters`)
    // RFC 6750's b64token: what may follow `Bearer ` in an Authorization header.
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must be letters, digits and -._~+/ (RFC 6750 b64token)'),
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    .regex(/^[\w.@:+-]+$/, 'must be letters, digits and ._@:+-'),
  permission: z.enum(Permission, { error: 'must be read, write or admin' }),
});
/** One accepted bearer token, the name it authenticates as, and what it may do. */
export type Token = z.infer<typeof TokenSchema>;

/** Who a request is: the token's name and permission (never the token). */
export interface Identity {
  readonly name: string;
  readonly permission: Permission;
}

/** A tokens file or variable that is not valid: each problem names where it is. */
export class TokensError extends Error {
  override readonly name = 'TokensError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

function problemsOf(error: z.ZodError, where: string): string[] {
  return error.issues.map((issue) => `${where}${issue.path.length > 0 ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`);
}

/** Every token of a CSV tokens file: `token,name,permission` a line; blank lines and `#` comments skipped. */
function parseCsv(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [token = '', name = '', permission = '', ...rest] = line.split(',').map((field) => field.trim());
    const where = `${source} line ${index + 1}`;
    if (rest.length > 0) {
      problems.push(`${where}: expected token,name,permission`);
      return;
    }
    const parsed = TokenSchema.safeParse({ token, name, permission });
    if (parsed.success) tokens.push(parsed.data);
    else problems.push(...problemsOf(parsed.error, where));
  });
  if (problems.length > 0) throw new TokensError(problems);
  return tokens;
}

const TokensYamlSchema = z.object({ tokens: z.array(TokenSchema) });

/** Every token of a YAML (or JSON) tokens file: `tokens: [{token, name, permission}]`, or the list alone. */
function parseYamlTokens(text: string, source: string): Token[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new TokensError([`${source}: not YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = TokensYamlSchema.safeParse(Array.isArray(document) ? { tokens: document } : document);
  if (!parsed.success) throw new TokensError(problemsOf(parsed.error, source));
  return parsed.data.tokens;
}

/** The tokens of a tokens file's `text`: YAML when `source` ends in .yaml, .yml or .json, else CSV. */
export function parseTokens(text: string, source: string): Token[] {
  return /\.(ya?ml|json)$/i.test(source) ? parseYamlTokens(text, source) : parseCsv(text, source);
}

/** The name `EVERYNODE_TOKEN` authenticates as. */
export const singleTokenName = 'admin';

/**
 * The tokens the environment configures: the file `EVERYNODE_TOKENS_FILE`
 * names, and `EVERYNODE_TOKEN`, one admin token named `admin`. Empty when
 * neither is set; a `TokensError` naming each problem otherwise.
 */
export function tokensFromEnv(env: Readonly<Record<string, string | undefined>>): Token[] {
  const tokens: Token[] = [];
  const file = env.EVERYNODE_TOKENS_FILE?.trim();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new TokensError([`EVERYNODE_TOKENS_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
    }
    tokens.push(...parseTokens(text, file));
  }
  const single = env.EVERYNODE_TOKEN?.trim();
  if (single) {
    const parsed = TokenSchema.safeParse({ token: single, name: singleTokenName, permission: Permission.Admin });
    if (!parsed.success) throw new TokensError(problemsOf(parsed.error, 'EVERYNODE_TOKEN').map((p) => p.replace('EVERYNODE_TOKEN token:', 'EVERYNODE_TOKEN:')));
    tokens.push(parsed.data);
  }
  return tokens;
}

/** A fresh random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The tokens as the server holds them: SHA-256 digests only, compared in
 * constant time. `identify` looks at every token whatever it finds, and the
 * digests are all one length, so neither where a match is nor how much of a
 * guess matched shows in the time it takes.
 */
export class TokenTable {
  readonly #entries: readonly { readonly digest: Buffer; readonly identity: Identity }[];

  constructor(tokens: readonly Token[]) {
    const seen = new Set<string>();
    for (const { token, name } of tokens) {
      if (seen.has(token)) throw new TokensError([`the token of ${JSON.stringify(name)} is given twice`]);
      seen.add(token);
    }
    this.#entries = tokens.map(({ token, name, permission }) => ({ digest: digest(token), identity: { name, permission } }));
  }

  /** How many tokens there are. */
  get size(): number {
    return this.#entries.length;
  }

  /** The identity `presented` authenticates as, if it is one of the tokens. */
  identify(presented: string): Identity | undefined {
    const presentedDigest = digest(presented);
    let found: Identity | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, presentedDigest)) found = entry.identity;
    }
    return found;
  }
}
