/**
 * A webhook sink (a Knative-style addressable): each command POSTed as a
 * CloudEvent — binary mode by default (`ce-*` headers, the data as the
 * body), or structured (`application/cloudevents+json`). 2xx is delivered;
 * 408, 429 and 5xx, and a request that fails or times out, are retried by
 * the bridge with backoff; any other status is a refusal for good (parked).
 */
import { type ContentMode, encodeCommand } from '../encode.ts';
import { type CommandSink, PermanentDeliveryError } from '../outbound.ts';

export interface WebhookSinkOptions {
  readonly url: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
  /** Extra headers (e.g. `authorization`); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export function webhookSink(options: WebhookSinkOptions): CommandSink {
  const target = new URL(options.url);
  target.username = '';
  target.password = '';
  return {
    kind: 'webhook',
    target: target.toString(),
    async deliver(command) {
      const { headers, body } = encodeCommand(command, options.mode ?? 'binary');
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { ...options.headers, ...headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      const message = `HTTP ${response.status} ${response.statusText}`.trim();
      if (retryable(response.status)) throw new Error(message);
      throw new PermanentDeliveryError(message);
    },
    async close() {},
  };
}
