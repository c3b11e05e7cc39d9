/** The engine: BullMQ queues and workers around the event store and the pure core. */
export * from './engine.ts';
export * from './event-handler.ts';
export * from './ingress.ts';
export * from './metrics.ts';
export * from './outbox.ts';
export * from './ports.ts';
export * from './queues.ts';
export * from './reconciler.ts';
export * from './redis-connect.ts';
export * from './validate.ts';
