/**
 * `npx tsx bench/replay-time.ts PREFIX [TIMES] [TO_SEQ]`: time `replay` of the
 * log under PREFIX (from the log alone, to TO_SEQ, default its end) TIMES
 * times (default 5) — wall and CPU seconds of each, and the median rate.
 * For iterating on replay without building a history each run: keep the
 * histories figure 6 builds with `BENCH_KEEP=1 BENCH_ONLY=6 npm run bench`
 * (it prints `KEEP <figure> <prefix> <entries>` and leaves the keys), then
 * profile with `node --import tsx --cpu-prof bench/replay-time.ts …`. Drop
 * the keys afterwards (`EventStore.destroy()`).
 */
import { Redis } from 'ioredis';
import { EventStore, replay } from '@everynode/eventlog/internal';

const [prefix, times = '5', to] = process.argv.slice(2);
if (!prefix) throw new Error('usage: tsx bench/replay-time.ts PREFIX [TIMES] [TO_SEQ]');
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new EventStore(redis, prefix);
const toSeq = to ? Number(to) : await store.lastSeq();
const wall: number[] = [];
const cpu: number[] = [];
let summary = '';
for (let i = 0; i < Number(times); i++) {
  const started = performance.now();
  const used = process.cpuUsage();
  const { state, seq } = await replay(store, { toSeq, useSnapshots: false });
  wall.push((performance.now() - started) / 1000);
  const { user, system } = process.cpuUsage(used);
  cpu.push((user + system) / 1e6);
  summary = `${seq} entries → ${state.nodes.size} nodes, ${state.pods.size} pods`;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const list = (xs: number[]) => xs.map((s) => s.toFixed(3)).join(' ');
console.log(`${prefix}: ${summary}; wall ${list(wall)} s, median ${Math.round(toSeq / median(wall)).toLocaleString('en-US')}/s; cpu ${list(cpu)} s, median ${median(cpu).toFixed(3)} s`);
await redis.quit();
