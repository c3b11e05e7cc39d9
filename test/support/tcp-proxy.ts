/**
 * A TCP proxy on 127.0.0.1 in front of a shared broker, so a test can take
 * the broker away from one client (drop its connections, refuse new ones)
 * without restarting the broker the other tests use.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Destroy every connection through the proxy (the broker seems to have gone). */
  drop(): void;
  /** Drop, and refuse new connections until `resume()` (the broker is down). */
  pause(): void;
  resume(): void;
  /** Hold back what the server sends to its clients (confirms, acknowledgements) until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  /** Each server-side socket and the client it answers. */
  const links = new Map<net.Socket, net.Socket>();
  let paused = false;
  const server = net.createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    links.set(upstream, client);
    upstream.on('close', () => links.delete(upstream));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    drop,
    pause() {
      paused = true;
      drop();
    },
    resume() {
      paused = false;
    },
    hold() {
      for (const [upstream, client] of links) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    release() {
      for (const [upstream, client] of links) upstream.pipe(client);
    },
    async close() {
      drop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
