/**
 * `get --watch` / `--watch-only`, as kubectl does it: list (or get the one
 * object named), print that unless `--watch-only`, then watch from the
 * list's resourceVersion and print each change as it comes — in a table, a
 * row per change under the one header, columns as wide as the widest cell
 * so far; with `-o json|yaml|name`, each object. Runs until the IO says to
 * stop (Ctrl-C) or the server refuses the watch (a 410 once the log's
 * horizon passes the list's resourceVersion).
 */
import type { EverynodeClient } from '@everynode/client';
import type { CliContext } from '../context.ts';
import type { PrintOptions } from '../print/output.ts';
import { formatObjects } from '../print/output.ts';
import type { ResourceType } from '../resources.ts';

/** How to print, and the kind watched. */
type PrintRequest = PrintOptions & { readonly type: ResourceType };
import { WatchTable } from '../print/watch-table.ts';
import { cellsOf } from '../print/custom-columns.ts';
import { JsonPathError } from '../print/jsonpath.ts';
import { sortKeys } from '../print/objects.ts';
import { CliError } from '../errors.ts';
import { untilSignal } from '../process-io.ts';
import type { KubeObject } from '../resources.ts';

export interface WatchedGet {
  readonly request: PrintRequest;
  /** The one object named, if one was. */
  readonly name: string | undefined;
  /** The namespace listed; every namespace when undefined. */
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly fieldSelector: string | undefined;
  /** `--watch-only`: the present is not printed, only what changes. */
  readonly watchOnly: boolean;
}

/** Prints objects as `get --watch` does: by rows under one header, or one by one. */
class WatchPrinter {
  #table: WatchTable | undefined;

  constructor(
    private readonly ctx: CliContext,
    private readonly request: PrintRequest,
  ) {}

  print(objects: readonly KubeObject[]): void {
    if (objects.length === 0) return;
    const { format, type } = this.request;
    if (format.kind === 'custom-columns') {
      // The header once, then a row per change, as kubectl's custom-columns printer does.
      this.#table ??= new WatchTable(
        format.columns.map((c) => c.header),
        { upperCase: false },
      );
      const rows = objects.map((o) => {
        try {
          return cellsOf(format.columns, sortKeys(o));
        } catch (error) {
          if (error instanceof JsonPathError) throw new CliError(`error: ${error.message}`);
          throw error;
        }
      });
      this.ctx.io.stdout(this.#table.lines(rows));
      return;
    }
    if (format.kind !== 'table') {
      for (const object of objects) this.ctx.io.stdout(formatObjects(this.request, [object], true));
      return;
    }
    const { headers, rows } = type.tableText(objects, {
      wide: format.wide,
      withNamespace: this.request.allNamespaces && type.namespaced,
      now: this.ctx.io.now(),
      showLabels: this.request.showLabels,
    });
    this.#table ??= new WatchTable(headers);
    this.ctx.io.stdout(this.#table.lines(rows));
  }
}

/** Read the present, print it, and print each change until told to stop. */
export async function getAndWatch(ctx: CliContext, client: EverynodeClient, get: WatchedGet, present: () => Promise<{ items: KubeObject[]; resourceVersion: string }>): Promise<void> {
  const stop = new AbortController();
  void (ctx.io.untilShutdown ?? (() => untilSignal(stop.signal)))().then(() => stop.abort());
  try {
    await printAndWatch(ctx, client, get, present, stop.signal);
  } finally {
    stop.abort();
  }
}

async function printAndWatch(
  ctx: CliContext,
  client: EverynodeClient,
  get: WatchedGet,
  present: () => Promise<{ items: KubeObject[]; resourceVersion: string }>,
  signal: AbortSignal,
): Promise<void> {
  const { items, resourceVersion } = await present();
  const printer = new WatchPrinter(ctx, get.request);
  if (!get.watchOnly) printer.print(items);
  const events = get.request.type.watch(client, {
    ...(get.namespace === undefined ? {} : { namespace: get.namespace }),
    ...(get.labelSelector === undefined ? {} : { labelSelector: get.labelSelector }),
    ...(get.name === undefined ? (get.fieldSelector === undefined ? {} : { fieldSelector: get.fieldSelector }) : { fieldSelector: `metadata.name=${get.name}` }),
    resourceVersion,
    signal,
  });
  for await (const event of events) {
    if (event.type !== 'BOOKMARK') printer.print([event.object]);
  }
}
