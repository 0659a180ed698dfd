import { z } from 'zod';

/**
 * Everything a Lambda reads from its environment, parsed once at cold start.
 * Adapters never read `process.env`: they receive what they need from here.
 */
const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  EVENTS_TABLE_NAME: z.string().min(1),
  /** Secrets Manager secret holding the HMAC keyring (deployed stacks). */
  KEYRING_SECRET_ARN: z.string().min(1).optional(),
  /** The keyring itself (local stack and tests only). */
  KEYRING: z.string().min(32).optional(),
  /** Country used to read phone numbers written without an international prefix. */
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('FR'),
  /** Endpoint overrides, for local emulators. Unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('eu-west-3'),
  POWERTOOLS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
  /** Largest JSON body accepted, in bytes. */
  MAX_JSON_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Largest CSV import body accepted, in bytes (Lambda's synchronous payload limit is 6 MB). */
  MAX_CSV_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  if (!result.data.KEYRING && !result.data.KEYRING_SECRET_ARN) {
    throw new Error('Invalid configuration: set KEYRING_SECRET_ARN (or KEYRING locally)');
  }
  return result.data;
}
