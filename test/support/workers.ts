/** Worker processes (services/worker, as built) started by a test, killed and restarted at will. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../services/worker/dist/main.mjs', import.meta.url));

export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** What it wrote on stderr, when started with `{ captureStderr: true }` (else empty). */
  stderr(): string;
}

/** Start one worker process; resolves once its workers are listening. */
export async function startWorkerProcess(env: Record<string, string>, options: { captureStderr?: boolean } = {}): Promise<WorkerProcess> {
  // EVERYNODE_WORKER_NODE_OPTIONS: extra node flags for profiling a worker (e.g. --cpu-prof).
  const extra = process.env.EVERYNODE_WORKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, entry], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', options.captureStderr ? 'pipe' : 'inherit', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 20 s')), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready`));
    });
  });
  return { pid: child.pid as number, child, exited, stderr: () => stderr };
}

export async function kill(worker: WorkerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  worker.child.kill(signal);
  await worker.exited;
}
