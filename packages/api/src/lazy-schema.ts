/**
 * A schema built on first use.
 *
 * Building zod schemas is most of what loading this package costs: built
 * eagerly, its schemas took ~20 ms of every process's start, and a process
 * rarely needs them all — `everynode get pods` reads a list and, on an error,
 * a Status. So every schema this package declares at its top level is
 * `lazySchema(() => z.…)`: a stand-in that builds the schema the first time
 * anything reads from it and forwards every read to it from then on, so
 * callers use it as the schema itself (`parse`, `shape`, `extend`,
 * `instanceof`, `z.infer`). A forwarded read costs a few tens of
 * nanoseconds: ~1.5 µs more to parse a whole pod, whose parts are stand-ins
 * too. `lazy-schema.test.ts` checks that every top-level schema of the
 * package is declared this way.
 *
 * The stand-in is not the schema's identity: a schema derived from it
 * (`.optional()`, `.extend()`) wraps the schema built, while a schema that
 * names it (`z.array(Stand-in)`) holds the stand-in. What looks schemas up
 * by identity must know both: the schema's metadata (`.describe()`, in zod's
 * global registry) is given to the stand-in too when it is built, and
 * `schemaItself` gives what a stand-in stands for (the OpenAPI document
 * names both).
 */
import * as z from 'zod';

const itself = Symbol('the schema a lazySchema stands for');

export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => {
    if (built === undefined) {
      built = build();
      const meta = z.globalRegistry.get(built as unknown as z.core.$ZodType);
      if (meta !== undefined) z.globalRegistry.add(standIn as unknown as z.core.$ZodType, meta);
    }
    return built;
  };
  const standIn: T = new Proxy({} as T, {
    get: (_target, key) => (key === itself ? schema() : Reflect.get(built ?? schema(), key)),
    has: (_target, key) => Reflect.has(schema(), key),
    set: (_target, key, value) => Reflect.set(schema(), key, value),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // The stand-in itself holds nothing, so what it reports must be configurable (a proxy's invariant).
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
  return standIn;
}

/** The schema `schema` stands for when it is a `lazySchema` stand-in (building it), else `schema` itself. */
export function schemaItself<T extends object>(schema: T): T {
  return ((schema as Record<symbol, unknown>)[itself] as T | undefined) ?? schema;
}
