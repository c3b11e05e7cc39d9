/** The typed client for everynode's HTTP API (docs/contract.md §4). */
export { EverynodeClient, DefaultServer } from './client.ts';
export type { ClientOptions, EventListOptions, ListOptions, LogQuery, WriteResult } from './client.ts';
export { fetchTrusting, type Answer, type Fetch } from './tls.ts';
export { authorizationOf } from './http.ts';
export type { WatchEvent, WatchOptions, Watched, WatchedResource } from './watch.ts';
export { ApiError, UnreachableError, UnexpectedAnswerError, describeFetchFailure } from './errors.ts';
export { controllerRevisionsPath, daemonSetsPath, eventsPath, nodesPath, podExplainPath, podsPath } from './paths.ts';
export { StatusSchema } from '@everynode/api';
export type { EventEntry, ExplainEntry, KubeEvent, KubeList, LogEntry, LogPage, PassEntry, ReplayedCluster, PodExplanation, Refusal, Status, SubmitResult, VerifyResult } from '@everynode/api';
