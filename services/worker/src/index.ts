/** The worker service has no library surface: run `src/main.ts`. */
export const workerEntry = new URL('./main.ts', import.meta.url);
