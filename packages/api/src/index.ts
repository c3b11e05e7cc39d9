export * from './meta.ts';
export * from './node.ts';
export * from './pod.ts';
export * from './daemonset.ts';
export * from './labels.ts';
export * from './events.ts';
export * from './commands.ts';
