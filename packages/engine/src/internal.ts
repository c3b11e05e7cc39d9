/**
 * The engine's internals, for its own tests and benchmarks: the engine with
 * its store and queues in reach, the operations called directly, the
 * workers' job handlers. Services and the CLI use `@everynode/engine`.
 */
export * from './index.ts';
export { startEngine, type EngineInternals } from './engine.ts';
export { acceptEvents, type Acceptance } from './accept.ts';
export { runPass, type PassOutcome } from './pass.ts';
export { handleEvents, startEventHandler, type EventHandlerOptions } from './events-worker.ts';
export { handleReconcile, startReconciler, scheduleSnapshots, scheduleSweep, type ReconcilerOptions } from './reconcile-worker.ts';
export { OutboxPublisher, type OutboxOptions } from './outbox.ts';
export { QueueIngress } from './ingress.ts';
export { DeadLetterQueue, deadLetterData, DefaultDeadLetterLimits, type Letter } from './dead-letters.ts';
export { admit, type Admission } from './admission.ts';
export { Metrics, timed } from './metrics.ts';
export { openQueues, requestPass, requestWake, retention, bullWorkerOptions, type EngineWorkerOptions, type Queues } from './queues.ts';
