/** The typed client for everynode's HTTP API (CONTRACT §4). */
export { EverynodeClient, DefaultServer } from './client.ts';
export type { ClientOptions, ListOptions, WriteResult } from './client.ts';
export { ApiError, UnreachableError, UnexpectedAnswerError, describeFetchFailure } from './errors.ts';
export { controllerRevisionsPath, daemonSetsPath, nodesPath, podsPath } from './paths.ts';
export { StatusSchema } from './wire.ts';
export type { EventEntry, KubeList, LogEntry, PassEntry, Refusal, Status, SubmitResult, VerifyResult } from './wire.ts';
