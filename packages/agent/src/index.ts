export { startAgent, queuePrefix, CommandsQueueName, EventsQueueName, type Agent, type AgentOptions } from './agent.ts';
export type { AgentConnection } from './connection.ts';
export type { NodeAnnotationsLookup } from './annotations-cache.ts';
export { SimAnnotation, behaviourOf, podBehaviourOf, type NodeBehaviour } from './sim-annotations.ts';
export { agentSource, podStartedReport, podDeletedReport, eventJobId } from './reports.ts';
