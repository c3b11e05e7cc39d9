/** The worker process's entry (`workerEntry`): see `worker-process.ts`. */
import { runWorkerProcess } from './worker-process.ts';

await runWorkerProcess();
