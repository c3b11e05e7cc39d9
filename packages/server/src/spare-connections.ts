/**
 * Closing with clients connected. Node's `server.close()` waits for every
 * connection that is not idle, and a connection that has not carried a
 * request yet is not idle to it: a client's spare — undici opens one after
 * an aborted request, which is how a watch's client leaves — would hold the
 * close for `headersTimeout` (60 s). Connections serving a request are left
 * alone: they end with their answer (watches end at `preClose`).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Destroy, when `app` closes, the connections that never carried a request. */
export function closeSpareConnectionsOnClose(app: FastifyInstance): void {
  const spare = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    spare.add(socket);
    socket.once('close', () => spare.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }) => spare.delete(request.socket));
  app.addHook('preClose', (done) => {
    for (const socket of spare) socket.destroy();
    done();
  });
}
