/**
 * The bridges' configuration: a YAML file, one entry per bridge.
 *
 * ```yaml
 * bridges:
 *   - name: nodes-from-nats
 *     kind: nats                 # in: nats | redis-streams | rabbitmq | mqtt | kafka; out: the same, and webhook
 *     url: nats://nats:4222      # no password here
 *     username: everynode
 *     passwordEnv: NATS_PASSWORD # or passwordFile: /run/secrets/nats
 *     direction: in              # in (default) | out
 *     stream: CLUSTER            # nats (in and out: created when missing), redis-streams (in and out)
 *     subject: cluster.events    # nats (in: the consumer's filter; out: where commands go)
 *     queue: pod-commands        # rabbitmq (in and out): a durable quorum queue, declared if missing;
 *                                #   out publishes to it through the default exchange (no exchange/routing key: nothing unroutable)
 *     topic: everynode/commands  # mqtt (in: a filter; out: a topic, no wildcards), kafka
 *     group: everynode           # the consumer group (nats durable, redis-streams, kafka); mqtt: the client id
 *     mode: binary               # binary (default) | structured (outbound)
 *     maxLen: 100000             # redis-streams out: trim to about this many entries (default: no trimming)
 *     types: [io.everynode.node.joined]
 *     maxInFlight: 64             # messages in hand (in) or commands under way (out) at once
 *     highWaterMark: 10000       # in: pause while the engine has this many jobs queued
 *     ackWaitMs: 30000           # nats, redis-streams: a dead bridge's messages come again after this
 * ```
 *
 * A field is required where its kind needs it, in either direction (the
 * same queue, topic or stream field names where the bridge reads and where
 * it writes); `maxLen` is refused anywhere but an outbound redis-streams bridge.
 *
 * A Kafka bridge's `url` lists its bootstrap brokers:
 * `kafka://broker1:9092,broker2:9092` (a broker without a port: 9092), or
 * `kafkas://…` for TLS (the system's CAs). With `username` (and a password)
 * it authenticates with SASL PLAIN. Its consumer group defaults to
 * `everynode-<name>`.
 *
 * Credentials come from the environment or a file, never from the file
 * itself, and are held as a `Secret` that prints as `[redacted]`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import * as z from 'zod';
import { defaultHighWaterMark } from './in-bridge.ts';

/** A credential: `reveal()` gives it; printing, logging or serialising it gives `[redacted]`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/** A URL fit for logs: any password in it replaced. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:redacted@');
  }
}

/** The URLs in `url`: itself, or one per node for `kafka://a:9092,b:9092` (brokers) and `redis+cluster://a:7000,b:7001` (a Redis Cluster). */
function urlsIn(url: string): string[] {
  const m = /^(kafkas?|rediss?\+cluster):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (m === null) return [url];
  const [, scheme, authorities, rest] = m as unknown as [string, string, string, string];
  return authorities.split(',').map((authority) => `${scheme}://${authority}${rest}`);
}

/** A Kafka bridge's bootstrap brokers (`host:port`) and whether they talk TLS, from `kafka://host:port,host:port` or `kafkas://…`. */
export function kafkaBrokers(url: string): { brokers: string[]; tls: boolean } {
  return { brokers: urlsIn(url).map((u) => `${new URL(u).hostname}:${new URL(u).port || '9092'}`), tls: url.startsWith('kafkas:') };
}

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, -)');
const nonEmpty = z.string().min(1);

const BridgeSchema = z
  .object({
    name,
    kind: z.enum(['nats', 'redis-streams', 'rabbitmq', 'mqtt', 'kafka', 'webhook']),
    url: z
      .string()
      .refine((u) => urlsIn(u).every((x) => URL.canParse(x)), 'not a URL')
      .refine((u) => urlsIn(u).every((x) => !URL.canParse(x) || new URL(x).password === ''), 'a password does not belong in the URL: use passwordEnv or passwordFile'),
    username: nonEmpty.optional(),
    passwordEnv: nonEmpty.optional(),
    passwordFile: nonEmpty.optional(),
    direction: z.enum(['in', 'out']).default('in'),
    stream: nonEmpty.optional(),
    subject: nonEmpty.optional(),
    queue: nonEmpty.optional(),
    topic: nonEmpty.optional(),
    group: nonEmpty.optional(),
    mode: z.enum(['binary', 'structured']).default('binary'),
    maxLen: z.number().int().min(1).optional(),
    types: z.array(nonEmpty).min(1).optional(),
    maxInFlight: z.number().int().min(1).max(10_000).default(64),
    highWaterMark: z.number().int().min(1).default(defaultHighWaterMark),
    ackWaitMs: z.number().int().min(100).max(86_400_000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.passwordEnv !== undefined && b.passwordFile !== undefined) ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give passwordEnv or passwordFile, not both' });
    // What each kind needs, in (the source reads it) and out (the sink writes to it) alike.
    const needs: Record<typeof b.kind, (keyof typeof b)[]> = {
      nats: ['stream', 'subject'],
      'redis-streams': ['stream'],
      rabbitmq: ['queue'],
      mqtt: ['topic'],
      kafka: ['topic'],
      webhook: [],
    };
    if (b.kind === 'webhook' && b.direction !== 'out') ctx.addIssue({ code: 'custom', path: ['direction'], message: 'a webhook bridge is outbound: direction: out' });
    if (b.kind === 'kafka') {
      const urls = urlsIn(b.url);
      if (!/^kafkas?:\/\//.test(b.url) || urls.some((u) => URL.canParse(u) && new URL(u).hostname === '')) {
        ctx.addIssue({ code: 'custom', path: ['url'], message: 'a kafka bridge lists its brokers as kafka://host:port[,host:port…] (kafkas:// for TLS)' });
      }
      if (b.username !== undefined && b.passwordEnv === undefined && b.passwordFile === undefined) {
        ctx.addIssue({ code: 'custom', path: ['username'], message: 'SASL PLAIN needs a password too: give passwordEnv or passwordFile' });
      }
    }
    for (const field of needs[b.kind]) if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for a ${b.kind} bridge` });
    if (b.maxLen !== undefined && !(b.kind === 'redis-streams' && b.direction === 'out')) ctx.addIssue({ code: 'custom', path: ['maxLen'], message: 'only for an outbound redis-streams bridge' });
    if (b.kind === 'mqtt' && b.direction === 'out' && b.topic !== undefined && /[+#]/.test(b.topic)) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'an outbound mqtt bridge publishes to one topic: no + or # wildcards' });
  });

const ConfigSchema = z
  .object({ bridges: z.array(BridgeSchema) })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.bridges.forEach((b, i) => {
      if (seen.has(b.name)) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'name'], message: `${b.name} is the name of an earlier bridge` });
      seen.add(b.name);
    });
  });

export type BridgeSpec = z.infer<typeof BridgeSchema>;
/** A bridge with its credential read. */
export type Bridge = Omit<BridgeSpec, 'passwordEnv' | 'passwordFile'> & { readonly password?: Secret };

/** A configuration error; its message has one `path: problem` line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
}

/** Parse and check a configuration, reading each credential; throws `ConfigError`. */
export function parseConfig(text: string, options: LoadOptions = {}): Bridge[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigError([`(root): not YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  const result = ConfigSchema.safeParse(document);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`));
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const problems: string[] = [];
  const bridges = result.data.bridges.map((spec, i): Bridge => {
    const { passwordEnv, passwordFile, ...bridge } = spec;
    let password: string | undefined;
    if (passwordEnv !== undefined) {
      password = env[passwordEnv];
      if (password === undefined) problems.push(`bridges[${i}].passwordEnv: ${passwordEnv} is not set`);
    } else if (passwordFile !== undefined) {
      try {
        password = readFile(passwordFile).trimEnd();
      } catch (error) {
        problems.push(`bridges[${i}].passwordFile: cannot read ${passwordFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    return password === undefined ? bridge : { ...bridge, password: new Secret(password) };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return bridges;
}

/**
 * The bridges a process is given: the file at `path` (a flag such as
 * `--bridges`), else `EVERYNODE_BRIDGES` (the YAML itself), else the file
 * `EVERYNODE_BRIDGES_FILE` names; undefined when none is. Throws
 * `ConfigError`, naming the file it could not read.
 */
export function loadBridges(path: string | undefined, options: LoadOptions = {}): Bridge[] | undefined {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const inline = env.EVERYNODE_BRIDGES;
  const file = path ?? (inline !== undefined && inline.trim() !== '' ? undefined : env.EVERYNODE_BRIDGES_FILE || undefined);
  if (file === undefined) return inline !== undefined && inline.trim() !== '' ? parseConfig(inline, options) : undefined;
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new ConfigError([`(root): cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  return parseConfig(text, options);
}

