/**
 * `npm run golden:update`: rewrite every `test/fixtures/golden/NAME.expected.json`
 * from what replaying `NAME.jsonl` produces now. Run it only when a change in
 * semantics is intended, and review the diff of the expectations in the
 * commit: that diff is the change users will see. Needs Redis (REDIS_URL).
 */
import { writeFileSync } from 'node:fs';
import { goldenDir, goldenNames, replayGolden } from './golden.ts';

for (const name of goldenNames()) {
  const { state, differences } = await replayGolden(name);
  if (differences.length > 0) throw new Error(`${name}: the imported projection does not verify:\n${differences.join('\n')}`);
  writeFileSync(new URL(`${name}.expected.json`, goldenDir), `${JSON.stringify(state, null, 2)}\n`);
  console.log(`${name}.expected.json: ${state.nodes.length} nodes, ${state.daemonSets.length} daemonsets, ${state.pods.length} pods`);
}
