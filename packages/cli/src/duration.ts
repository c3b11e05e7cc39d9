/** Go's `time.ParseDuration` lives in `@everynode/api`, shared with the server's `since` and `at` parameters. */
export { parseGoDuration, parseMoment } from '@everynode/api';
