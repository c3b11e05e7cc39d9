/** The outbound contract against a real HTTP receiver. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeOutboundContract } from '../outbound-contract.ts';
import { webhookSink } from './webhook.ts';

interface Ctx {
  readonly server: Server;
  readonly url: string;
}

describeOutboundContract<Ctx>('webhook', {
  async setup() {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands` };
  },
  makeSink: (ctx, mode) => webhookSink({ url: ctx.url, mode }),
  async subscribe(ctx, onMessage) {
    ctx.server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        onMessage({ body: Buffer.concat(chunks), headers: request.headers });
        response.writeHead(202).end();
      });
    });
    return async () => {};
  },
  async teardown(ctx) {
    ctx.server.closeAllConnections();
    await new Promise((resolve) => ctx.server.close(resolve));
  },
});
