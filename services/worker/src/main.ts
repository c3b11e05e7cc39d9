/**
 * The worker process: event handler, reconciler and outbox publisher over
 * REDIS_URL and EVERYNODE_PREFIX (see `runWorkerProcess` for the variables).
 * Run as many as you like; they share the work.
 */
import { runWorkerProcess } from '@everynode/engine';

await runWorkerProcess();
