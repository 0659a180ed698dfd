import * as z from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from './domain/shared/time';

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
  /** The S3 endpoint of the local stack's emulator (path-style addressing); unset in AWS. */
  S3_ENDPOINT: z.url().optional(),
  /** The bucket import files are uploaded to (presigned PUT) and read from. */
  IMPORT_BUCKET: z.string().min(1).optional(),
  /** The import worker's queue: the bucket's object-created events and the next chunks of a job. */
  IMPORT_QUEUE_URL: z.string().min(1).optional(),
  AWS_REGION: z.string().default('eu-west-3'),
  POWERTOOLS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
  /** Where the email templates live (copied next to the bundle in Lambda). */
  TEMPLATES_DIR: z.string().default('templates/email'),
  /** Where the SMS templates live (`<name>.<locale>.liquid`). */
  SMS_TEMPLATES_DIR: z.string().default('templates/sms'),
  /** Where the built browser scripts and their manifest live (the `pages` function's package in Lambda). */
  ASSETS_DIR: z.string().default('assets'),
  /** Public base URL of links in messages (a custom domain); by default the API's own URL. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** The sender's name and postal address, shown in every marketing email's footer. */
  COMPANY_NAME: z.string().min(1).default('Relance'),
  COMPANY_ADDRESS: z.string().min(1).default('Set COMPANY_ADDRESS to your postal address'),
  /** When set, campaigns may only send from this address or from addresses of this domain. */
  SENDER_IDENTITY: z.string().min(3).optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /**
   * The sender of the sign-up confirmation (double opt-in) email. By default the
   * SENDER_IDENTITY address, or `no-reply@` its domain (`no-reply@relance.localhost` without one).
   */
  OPTIN_FROM_ADDRESS: z.email().optional(),
  /** The name on that email; COMPANY_NAME by default. */
  OPTIN_FROM_NAME: z.string().trim().min(1).max(100).optional(),
  /**
   * Which service sends SMS: End User Messaging SMS (`SendTextMessage`, the default), Amazon
   * Pinpoint's v1 `SendMessages` (accounts that keep a Pinpoint project), or `none` (SMS campaigns
   * cannot send: their sends fail as fatal and the campaign pauses, saying why).
   */
  SMS_PROVIDER: z.enum(['sms-voice-v2', 'pinpoint', 'none']).default('sms-voice-v2'),
  /** End User Messaging: the pool id or ARN, phone number or sender ID that SMS go out from. */
  SMS_ORIGINATION_IDENTITY: z.string().min(1).optional(),
  /** End User Messaging configuration set whose event destination feeds delivery receipts. */
  SMS_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Highest price per message part accepted, in US dollars (`MaxPrice`), e.g. "0.10". */
  SMS_MAX_PRICE: z
    .string()
    .regex(/^\d+(\.\d{1,5})?$/, 'A price in US dollars, such as 0.10')
    .optional(),
  /** Pinpoint v1 (SMS_PROVIDER=pinpoint): the project (application) id, and the number to send from. */
  PINPOINT_APPLICATION_ID: z.string().min(1).optional(),
  PINPOINT_ORIGINATION_NUMBER: z.string().min(1).optional(),
  /** SMS per second per sender instance (End User Messaging's default is 1 per second per number). */
  SMS_RATE_PER_SECOND: z.coerce.number().positive().default(1),
  /** No promotional SMS in this window of the contact's local time, `HH:MM-HH:MM` (may cross midnight). */
  SMS_QUIET_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM-HH:MM, e.g. 21:00-08:00')
    .default('21:00-08:00'),
  /** The time zone of a contact who has none, and whose home shop has none either. */
  DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'Unknown IANA time zone').default(DEFAULT_TIME_ZONE),
  /**
   * Whether this deployment can send SMS (an origination identity is set up): when false, SMS and
   * email+sms campaigns and automations are refused at creation (409) rather than pausing later.
   */
  SMS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** SMS templates longer than this many segments (parts) get a warning at creation and preview. */
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(2),
  /** Base URL of the short links in SMS (a short custom domain); by default the public base URL. */
  SHORT_LINK_BASE_URL: z.url().optional(),
  /**
   * Unit costs of the report's "cost against post" (reports function), plain numbers in
   * COST_CURRENCY (an ISO 4217 code; no exchange rate is applied to any of them).
   */
  COST_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code, such as EUR')
    .default('EUR'),
  /** Email, per 1,000 sent: SES charges $0.10 per 1,000 (taken as 0.10 in COST_CURRENCY). */
  COST_EMAIL_PER_1000: z.coerce.number().nonnegative().default(0.1),
  /** SMS, per segment (part) sent, for a country missing from COST_SMS_PER_SEGMENT_BY_COUNTRY. */
  COST_SMS_PER_SEGMENT: z.coerce.number().nonnegative().default(0.075),
  /** SMS per segment by destination country, JSON such as {"FR":0.075,"BE":0.09}. */
  COST_SMS_PER_SEGMENT_BY_COUNTRY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return {};
      try {
        const parsed = z
          .record(
            z.string().regex(/^[A-Z]{2}$/, 'Country codes are two capital letters'),
            z.number().nonnegative(),
          )
          .safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data;
        ctx.addIssue({
          code: 'custom',
          message: parsed.error.issues
            .map((i) => `${[...i.path].join('.') || 'value'}: ${i.message}`)
            .join(', '),
        });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Not JSON: use {"FR":0.075,"BE":0.09}' });
      }
      return z.NEVER;
    }),
  /**
   * A postal letter: printing, envelope and postage. The default, 1.60, is about 0.21 of print and
   * envelope plus the French "lettre verte" stamp (about 1.39 in 2026).
   */
  COST_POSTAL_LETTER: z.coerce.number().nonnegative().default(1.6),
  PLAN_QUEUE_URL: z.string().min(1).optional(),
  /** Scheduled campaigns: the plan queue's ARN, the schedule group and the role Scheduler assumes. */
  PLAN_QUEUE_ARN: z.string().min(1).optional(),
  SCHEDULER_GROUP: z.string().min(1).default('default'),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  SEND_QUEUE_URL: z.string().min(1).optional(),
  /** The webhook deliveries queue: functions that publish events queue deliveries on it, the deliverer reads it. */
  WEBHOOK_QUEUE_URL: z.string().min(1).optional(),
  /** Lets webhooks use plain http:// to this machine (127.0.0.1, localhost): the local stack only. */
  WEBHOOK_ALLOW_HTTP: z.stringbool().default(false),
  /**
   * Seconds between webhook delivery attempts, comma-separated (±20 % jitter); one attempt more than
   * delays in all. The default (domain/webhooks DEFAULT_BACKOFF_SECONDS) is 30 s, 2 min, 10 min, 1 h, 6 h.
   */
  WEBHOOK_BACKOFF_SECONDS: z
    .string()
    .regex(/^\d{1,6}(,\d{1,6}){0,19}$/, 'Seconds separated by commas, e.g. 30,120,600')
    .default('30,120,600,3600,21600')
    .transform((s) => s.split(',').map(Number)),
  /** How long the webhook deliveries log is kept (DynamoDB TTL). */
  WEBHOOK_LOG_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
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
  /** Recipients a sender has in flight at once (under the same rate limit): 1 sends one by one. */
  SEND_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * The global frequency cap, `messages/days` (e.g. `2/7`: at most 2 marketing messages per contact
   * per 7 days, email and SMS, every campaign and automation); unset, no cap. A capped recipient is
   * skipped (`capped`) and counted in the report.
   */
  /**
   * The deliverability guard: a campaign pauses itself when its hard bounces pass GUARD_BOUNCE_RATE
   * of its delivered emails (after GUARD_MIN_DELIVERED), or its complaints GUARD_COMPLAINT_RATE
   * (after GUARD_MIN_DELIVERED_COMPLAINTS). GUARD_BOUNCE_RATE=0 turns it off.
   */
  GUARD_BOUNCE_RATE: z.coerce.number().min(0).max(1).default(0.05),
  GUARD_MIN_DELIVERED: z.coerce.number().int().min(1).default(200),
  GUARD_COMPLAINT_RATE: z.coerce.number().min(0).max(1).default(0.001),
  GUARD_MIN_DELIVERED_COMPLAINTS: z.coerce.number().int().min(1).default(1000),
  FREQUENCY_CAP: z
    .string()
    .regex(/^[1-9]\d{0,2}\/[1-9]\d{0,2}$/, 'Use messages/days, e.g. 2/7')
    .optional(),
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
  const { OPTIN_FROM_ADDRESS: optin, SENDER_IDENTITY: identity } = result.data;
  if (optin && identity && !addressOf(optin, identity)) {
    throw new Error(
      `Invalid configuration: OPTIN_FROM_ADDRESS must be ${identity} or an address of its domain`,
    );
  }
  return result.data;
}

/** True when `address` is the SES identity itself or an address of the identity's domain. */
function addressOf(address: string, identity: string): boolean {
  const a = address.toLowerCase();
  const id = identity.toLowerCase();
  return id.includes('@') ? a === id : a.endsWith(`@${id}`) || a.endsWith(`.${id}`);
}
