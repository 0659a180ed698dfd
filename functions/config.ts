import * as z from 'zod';

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
  /** Where the email templates live (copied next to the bundle in Lambda). */
  TEMPLATES_DIR: z.string().default('templates/email'),
  /** Public base URL of links in messages (a custom domain); by default the API's own URL. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** The sender's name and postal address, shown in every marketing email's footer. */
  COMPANY_NAME: z.string().min(1).default('Relance'),
  COMPANY_ADDRESS: z.string().min(1).default('Set COMPANY_ADDRESS to your postal address'),
  /** When set, campaigns may only send from this address or from addresses of this domain. */
  SENDER_IDENTITY: z.string().min(3).optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  PLAN_QUEUE_URL: z.string().min(1).optional(),
  SEND_QUEUE_URL: z.string().min(1).optional(),
  /**
   * Emails per second per sender instance. The overall rate is this times the
   * sender's maximum concurrency (2): the default, 0.5, keeps a new SES account
   * (1 email a second in the sandbox) within its limit.
   */
  SEND_RATE_PER_SECOND: z.coerce.number().positive().default(0.5),
  PLAN_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  RECIPIENTS_PER_JOB: z.coerce.number().int().min(1).max(100).default(25),
  /** A campaign pauses when more than this share of its sends failed, after ERROR_THRESHOLD_MIN failures. */
  ERROR_THRESHOLD: z.coerce.number().min(0).max(1).default(0.1),
  ERROR_THRESHOLD_MIN: z.coerce.number().int().min(1).default(20),
  /** A send claimed this long ago without an outcome is counted as failed (never sent twice). */
  SEND_CLAIM_LEASE_SECONDS: z.coerce.number().int().min(1).default(300),
  REQUEUE_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(60),
  /** Opens and clicks this many seconds after sending are a security gateway's, not a person's. */
  TRACK_TOO_SOON_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Failed coupon look-ups a store may make per minute before it must wait (429). */
  COUPON_LOOKUP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** How long after a redemption the till may undo it. */
  COUPON_VOID_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** How long raw events stay in the events table (default 13 months). */
  EVENTS_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(396),
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
