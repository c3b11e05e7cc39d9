/**
 * The NATS-only agent as a process: `npx tsx examples/nats-agent/main.ts`.
 * NATS_URL (default nats://127.0.0.1:4222); COMMANDS_STREAM and
 * COMMANDS_SUBJECT, where the outbound bridge publishes pod commands
 * (default EVERYNODE_DEMO_COMMANDS, everynode.demo.commands); EVENTS_SUBJECT,
 * a subject an inbound bridge's stream takes (default everynode.demo.in.pods).
 * SIGINT or SIGTERM stops it after the commands in hand.
 */
import { startNatsAgent } from './agent.ts';

const env = process.env;
const agent = await startNatsAgent({
  servers: env.NATS_URL ?? 'nats://127.0.0.1:4222',
  commands: { stream: env.COMMANDS_STREAM ?? 'EVERYNODE_DEMO_COMMANDS', subject: env.COMMANDS_SUBJECT ?? 'everynode.demo.commands' },
  eventsSubject: env.EVENTS_SUBJECT ?? 'everynode.demo.in.pods',
  log: (line) => console.log(line),
});
console.log('nats-agent: waiting for pod commands');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void agent.close().then(() => {
      console.log(`nats-agent: stopped after ${agent.executed} commands (${agent.duplicates} repeats dropped)`);
      process.exit(0);
    });
  });
}
