/**
 * The HTTP load of figures 2h, 3h and 18h, run as a process of its own
 * (`node --import tsx bench/http-load.ts SPEC.json`): POSTs the events of the
 * spec to `POST /events` over undici keep-alive connections, `batch` events a
 * request (1: structured mode, one CloudEvent a request, as most producers
 * send them; more: batch mode), `connections` requests in flight, and, with
 * `perSecond`, at that steady rate whatever the answers (an open loop). Prints
 * one JSON line: when each request was sent (epoch ms, `performance.timeOrigin +
 * performance.now()`, the clock the bench reads too), when the last answer
 * came, and the answers' status codes.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

interface Spec {
  readonly url: string;
  readonly events: readonly object[];
  readonly connections: number;
  readonly batch: number;
  readonly perSecond?: number;
  /** `?wait=false`: answered once queued, not once in the log. Default: the API's default (wait). */
  readonly noWait?: boolean;
}

const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Spec;
const origin = new URL(spec.url);
const pool = new Pool(origin.origin, { connections: spec.connections, pipelining: 1 });
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const path = `/events${spec.noWait ? '?wait=false' : ''}`;

const requests: string[] = [];
for (let i = 0; i < spec.events.length; i += spec.batch) {
  const slice = spec.events.slice(i, i + spec.batch);
  requests.push(JSON.stringify(spec.batch === 1 ? slice[0] : slice));
}
const contentType = spec.batch === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json';
const sentAt: number[] = new Array<number>(requests.length);
const statuses: Record<string, number> = {};

async function send(index: number): Promise<void> {
  sentAt[index] = now();
  try {
    const response = await pool.request({ method: 'POST', path, headers: { 'content-type': contentType }, body: requests[index] });
    await response.body.dump();
    statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
  } catch (error) {
    const key = (error as Error).name;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
}

const started = now();
if (spec.perSecond) {
  // Open loop: each request at its time (events/s ÷ batch), not waiting for the answers before.
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < requests.length; i++) {
    const wait = start + (i * spec.batch * 1000) / spec.perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(send(i));
  }
  await Promise.all(pending);
} else {
  // Closed loop: `connections` requests in flight, the next sent as one is answered.
  let next = 0;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < requests.length) await send(next++);
    }),
  );
}
const finished = now();
await pool.close();
process.stdout.write(`${JSON.stringify({ started, finished, sentAt, statuses, batch: spec.batch })}\n`);
