/**
 * `npm start`: the whole of Relance on this machine, no AWS account needed.
 * Honours RELANCE_PORT, RELANCE_SES_PORT, RELANCE_DATA_DIR and RELANCE_BOOTSTRAP_KEY, and gives the
 * functions the settings of theirs that the environment sets (FREQUENCY_CAP, COMPANY_NAME…), as
 * Lambda would.
 */
import { settingsFromEnvironment } from './settings';
import { startLocalStack } from './stack';

const env = process.env;
const port = Number(env.RELANCE_PORT ?? 3000);
const sesPort = Number(env.RELANCE_SES_PORT ?? 8005);
const dataDir = env.RELANCE_DATA_DIR ?? '.data';
const { settings, ignored } = settingsFromEnvironment(env);

const stack = await startLocalStack({
  port,
  sesPort,
  dataDir,
  ...(env.RELANCE_BOOTSTRAP_KEY ? { bootstrapKey: env.RELANCE_BOOTSTRAP_KEY } : {}),
  // Automations run when their hour comes, as the EventBridge schedule does in AWS.
  automationTimerSeconds: 60,
  env: settings,
}).catch((err: Error) => {
  console.error(`Relance could not start: ${err.message}`);
  process.exit(1);
});

console.log(`Relance is running (data: ${dataDir === ':memory:' ? 'in memory' : dataDir})`);
console.log(`  API              ${stack.url}   (health: ${stack.url}/health)`);
console.log(`  Sent messages    ${stack.url}/_local/messages`);
console.log(`  Mailbox (SES)    ${stack.sesUrl}/`);
if (stack.createdKey) {
  console.log(`  Marketer API key ${stack.createdKey}`);
  console.log('  (shown once: keep it; create more with npm run keys -- create --role marketer)');
}
if (stack.settings.length) {
  console.log('  Settings from the environment:');
  for (const line of stack.settings) console.log(`    ${line}`);
}
if (ignored.length) console.log(`  Ignored (the local stack sets its own): ${ignored.join(', ')}`);
if (stack.recovered) console.log(`  Resumed ${stack.recovered} queued messages left by the last run`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Relance…');
    stack.stop().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(err.message);
        process.exit(1);
      },
    );
  });
}
