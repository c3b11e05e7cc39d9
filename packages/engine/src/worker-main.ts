/** The worker process's entry (`workerProcessArgs`): see `worker-process.ts`. */
import { runWorkerProcess } from './worker-process.ts';

await runWorkerProcess();
