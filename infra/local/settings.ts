import { loadConfig } from '../../functions/config';

/**
 * The functions' settings on the local stack: the variables of the config schema that `npm start`
 * takes from its environment, as Lambda takes them from its own, and the boot lines that say which
 * of them differ from what the stack would use without them.
 */

/** What loadConfig needs before it parses anything else (the stack gives the real values). */
const PLACEHOLDERS: Record<string, string> = {
  TABLE_NAME: 'local-main',
  EVENTS_TABLE_NAME: 'local-events',
  KEYRING: 'k'.repeat(32),
};

/**
 * Variables the local stack sets itself (its tables, keyring, emulators, bucket and region) or
 * whose AWS service it replaces with a local stand-in (queues, scheduler, the SMS provider, the
 * browser scripts bundled at boot): never taken from the environment, where they would point at
 * AWS or at nothing.
 */
const STACK_OWNED = new Set([
  'TABLE_NAME',
  'EVENTS_TABLE_NAME',
  'KEYRING',
  'KEYRING_SECRET_ARN',
  'DYNAMODB_ENDPOINT',
  'SES_ENDPOINT',
  'S3_ENDPOINT',
  'IMPORT_BUCKET',
  'AWS_REGION',
  'ASSETS_DIR',
  'IMPORT_QUEUE_URL',
  'PLAN_QUEUE_URL',
  'PLAN_QUEUE_ARN',
  'SEND_QUEUE_URL',
  'WEBHOOK_QUEUE_URL',
  'SCHEDULER_GROUP',
  'SCHEDULER_ROLE_ARN',
  'SMS_PROVIDER',
  'SMS_ORIGINATION_IDENTITY',
  'SMS_CONFIGURATION_SET',
  'SMS_MAX_PRICE',
  'PINPOINT_APPLICATION_ID',
  'PINPOINT_ORIGINATION_NUMBER',
]);

/**
 * Every variable of the config schema, learnt by watching loadConfig read its environment (each
 * key of the schema is read once, set or not): the schema stays the one list, in functions/config.
 */
export const CONFIG_VARIABLES: readonly string[] = (() => {
  const read = new Set<string>();
  const env = new Proxy(PLACEHOLDERS, {
    get(target, name, receiver) {
      if (typeof name === 'string' && /^[A-Z][A-Z0-9_]*$/.test(name)) read.add(name);
      return Reflect.get(target, name, receiver);
    },
  });
  loadConfig(env);
  return [...read];
})();

/** When a default is not a value but another setting or the stack itself. */
const DEFAULT_WORDS: Record<string, string> = {
  PUBLIC_BASE_URL: "the stack's own URL",
  SHORT_LINK_BASE_URL: 'PUBLIC_BASE_URL',
  OPTIN_FROM_NAME: 'COMPANY_NAME',
};

/**
 * The functions' settings an environment gives (`npm start`'s `process.env`): every variable of
 * the config schema that is set and not empty, except those the stack sets itself (`ignored`).
 */
export function settingsFromEnvironment(env: Record<string, string | undefined>): {
  settings: Record<string, string>;
  ignored: string[];
} {
  const settings: Record<string, string> = {};
  const ignored: string[] = [];
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (STACK_OWNED.has(name)) ignored.push(name);
    else settings[name] = value;
  }
  return { settings, ignored };
}

/**
 * Validates `settings` over the stack's `defaults` with the functions' own loadConfig (an invalid
 * value throws its error, which names the variable), and describes each one that changes what the
 * functions get, one line each: `• FREQUENCY_CAP=2/7 (default: none)`.
 */
export function describeSettings(
  defaults: Record<string, string>,
  settings: Record<string, string>,
): string[] {
  const base = loadConfig({ ...PLACEHOLDERS, ...defaults }) as Record<string, unknown>;
  const applied = loadConfig({ ...PLACEHOLDERS, ...defaults, ...settings }) as Record<string, unknown>;
  const lines: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (STACK_OWNED.has(name) || !CONFIG_VARIABLES.includes(name)) continue;
    if (JSON.stringify(applied[name]) === JSON.stringify(base[name])) continue;
    lines.push(`• ${name}=${value} (default: ${DEFAULT_WORDS[name] ?? shown(base[name])})`);
  }
  return lines;
}

/** A parsed default as a person would write it. */
function shown(value: unknown): string {
  if (value === undefined) return 'none';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null)
    return Object.keys(value).length ? JSON.stringify(value) : 'none';
  return String(value);
}
