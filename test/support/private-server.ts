/**
 * A broker or database server a test runs itself (on 127.0.0.1, a free
 * port, a fresh data directory), to stop and start again mid-test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './cluster.ts';
import { freePort } from './random.ts';

export interface PrivateServer {
  readonly port: number;
  /** Start it (again, on the same port and data directory) and wait until it listens. */
  start(): Promise<void>;
  /** SIGTERM it and wait for it to exit. */
  stop(): Promise<void>;
  /** Stop it and delete its data directory. */
  remove(): Promise<void>;
  /** Send the running server `signal` (`SIGSTOP` pauses it: connections stay open, nothing answers; `SIGCONT` resumes it). */
  signal(signal: NodeJS.Signals): void;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** `command` with `args(port, dataDir)`, started once before it is returned. */
export async function startPrivateServer(command: string, args: (port: number, dataDir: string) => string[]): Promise<PrivateServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `everynode-${command}-`));
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    port,
    async start() {
      child = spawn(command, args(port, dataDir), { stdio: 'ignore' });
      await eventually(() => canConnect(port), 10_000, `${command} listening on ${port}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
    async remove() {
      // A paused server would ignore SIGTERM until resumed.
      if (child?.exitCode === null) child.kill('SIGCONT');
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    signal(signal) {
      child?.kill(signal);
    },
  };
  await server.start();
  return server;
}

/**
 * A private `mosquitto`, anonymous clients allowed, with the lines `extra`
 * gives (it may write files, an ACL say, into the data directory) added to
 * its configuration. Persistence is on, in its data directory, so a
 * persistent session and its queued messages survive a restart.
 */
export function startPrivateMosquitto(extra: (dataDir: string) => readonly string[] = () => []): Promise<PrivateServer> {
  return startPrivateServer('mosquitto', (port, dir) => {
    // Started as root, mosquitto drops to its own user, which must write its persistence file here.
    chmodSync(dir, 0o777);
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, ...extra(dir), ''].join('\n'));
    return ['-c', conf];
  });
}
