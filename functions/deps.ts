import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomIds, systemClock } from './adapters/clock';
import { DynamoApiKeyRepository } from './adapters/dynamo/api-keys';
import { DynamoAutomationRepository } from './adapters/dynamo/automations';
import { DynamoCampaignRepository } from './adapters/dynamo/campaigns';
import { DynamoContactRepository } from './adapters/dynamo/contacts';
import { DynamoCouponRepository } from './adapters/dynamo/coupons';
import { DynamoEngagementRepository } from './adapters/dynamo/engagement';
import { DynamoEventLog } from './adapters/dynamo/events';
import { DynamoFrequencyLedger } from './adapters/dynamo/frequency';
import { DynamoImportRepository } from './adapters/dynamo/imports';
import { DynamoPurchaseRepository, DynamoReceiptRepository } from './adapters/dynamo/purchases';
import { DynamoShortLinkRepository } from './adapters/dynamo/short-links';
import { DynamoStoreRepository } from './adapters/dynamo/stores';
import { DynamoSuppressionList } from './adapters/dynamo/suppression';
import { DynamoWebhookRepository } from './adapters/dynamo/webhooks';
import { powertoolsMetrics } from './adapters/metrics';
import { PinpointSms } from './adapters/pinpoint-sms';
import { EventBridgeCampaignScheduler } from './adapters/scheduler';
import { loadKeyring } from './adapters/secrets';
import { SesMessenger } from './adapters/ses';
import { EndUserMessagingSms } from './adapters/sms-voice-v2';
import { SqsQueue } from './adapters/sqs';
import { fetchPoster } from './adapters/webhook-http';
import { WebhookPublisher } from './adapters/webhook-publisher';
import { type Config, loadConfig } from './config';
import type { AutomationRepository } from './domain/automations/ports';
import type { PlanJob, SendJob } from './domain/campaigns/campaign';
import { type FrequencyCap, parseFrequencyCap } from './domain/campaigns/frequency';
import type { CampaignRepository, CampaignScheduler, FrequencyLedger } from './domain/campaigns/ports';
import type { SmsPolicy } from './domain/campaigns/send-window';
import type { ContactRepository, SuppressionList } from './domain/contacts/ports';
import type { CouponRepository } from './domain/coupons/ports';
import type { ImportRepository } from './domain/imports/ports';
import type { ImportJobMessage } from './domain/imports/runner';
import type { ApiKeyRepository } from './domain/keys/ports';
import type { PurchaseRepository, ReceiptRepository } from './domain/purchases/ports';
import type { Company } from './domain/shared/company';
import type { Keyring } from './domain/shared/hashing';
import { SendFailure } from './domain/shared/messaging';
import type { Clock, EmailMessenger, Ids, MetricSink, SmsMessenger, WorkQueue } from './domain/shared/ports';
import { TokenBucket } from './domain/shared/rate-limiter';
import type { ShortLinkRepository } from './domain/sms/ports';
import { parseQuietHours } from './domain/sms/quiet-hours';
import type { StoreRepository } from './domain/stores/ports';
import type { EngagementRepository, EventLog } from './domain/tracking/ports';
import type { WebhookPoster } from './domain/webhooks/delivery';
import type { EventPublisher, WebhookRepository } from './domain/webhooks/ports';
import type { WebhookDeliveryJob } from './domain/webhooks/webhook';
import { DELIVERY_TIMEOUT_MS } from './domain/webhooks/webhook';
import { memo } from './memo';

/**
 * Every port an application needs, built once per cold start (or once per local stack), typed with
 * the domain's ports only: a use case receives the slice its own deps interface declares (see
 * `wiring.ts`), never this whole object.
 */
export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Operational metrics (Powertools, CloudWatch embedded metric format). */
  metrics: MetricSink;
  clock: Clock;
  ids: Ids;
  /**
   * The HMAC keyring, fetched on first use: the authorizer and health functions
   * never call it, so they need no permission on the secret.
   */
  keyring: () => Promise<Keyring>;
  /** The sender's name and postal address (COMPANY_NAME, COMPANY_ADDRESS). */
  company: Company;
  apiKeys: ApiKeyRepository;
  stores: StoreRepository;
  contacts: ContactRepository;
  purchases: PurchaseRepository;
  /** Till receipts by shop and reference, and each shop's traffic per day. */
  receipts: ReceiptRepository;
  suppression: SuppressionList;
  campaigns: CampaignRepository;
  coupons: CouponRepository;
  events: EventLog;
  engagement: EngagementRepository;
  messenger: EmailMessenger;
  /** The SMS provider chosen by SMS_PROVIDER. */
  sms: SmsMessenger;
  shortLinks: ShortLinkRepository;
  smsPolicy: SmsPolicy;
  smsLimiter: TokenBucket;
  automations: AutomationRepository;
  /** Starts scheduled campaigns; absent when the function was given no scheduler (only `campaigns` is). */
  scheduler?: CampaignScheduler;
  frequency: FrequencyLedger;
  /** FREQUENCY_CAP, parsed; undefined when there is none. */
  frequencyCap?: FrequencyCap;
  /** Events for the marketers' webhooks (sent, delivered, opened…). */
  publisher: EventPublisher;
  /** Webhook endpoints and their deliveries log. */
  webhooks: WebhookRepository;
  /** Sends one webhook request (Node's fetch, no redirects, a timeout). */
  webhookPoster: WebhookPoster;
  /** Webhook deliveries (WEBHOOK_QUEUE_URL): the publisher queues them, the deliverer requeues its retries. */
  webhookQueue: WorkQueue<WebhookDeliveryJob>;
  planQueue: WorkQueue<PlanJob>;
  sendQueue: WorkQueue<SendJob>;
  /** Paces this instance's provider calls (SEND_RATE_PER_SECOND). */
  limiter: TokenBucket;
  /** Import jobs and their refused lines. */
  imports: ImportRepository;
  /** The import worker's queue (IMPORT_QUEUE_URL). */
  importQueue: WorkQueue<ImportJobMessage>;
  sleep: (ms: number) => Promise<void>;
}

/** A queue for a function that was not given one: using it is a deployment mistake, said plainly. */
function missingQueue<T>(name: string): WorkQueue<T> {
  return {
    enqueue: async () => {
      throw new Error(`${name} is not configured for this function`);
    },
  };
}

/** A DynamoDB document client that drops undefined attributes, as the domain's optional fields need. */
export function documentClient(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT
      ? {
          endpoint: config.DYNAMODB_ENDPOINT,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Builds the adapters from configuration; tests and the local stack override pieces (clock, logger). */
export async function buildDeps(config: Config, overrides: Partial<AppDeps> = {}): Promise<AppDeps> {
  const clock = overrides.clock ?? systemClock;
  const doc = documentClient(config);
  const keyring =
    overrides.keyring ??
    memo(() =>
      loadKeyring(
        { literal: config.KEYRING, secretArn: config.KEYRING_SECRET_ARN },
        () => new SecretsManagerClient({ region: config.AWS_REGION }),
      ),
    );
  const table = config.TABLE_NAME;
  const logger =
    overrides.logger ?? new Logger({ serviceName: 'relance', logLevel: config.POWERTOOLS_LOG_LEVEL });
  const webhooks =
    overrides.webhooks ??
    new DynamoWebhookRepository(doc, table, { ttlDays: config.WEBHOOK_LOG_TTL_DAYS, now: () => clock.now() });
  const webhookQueue =
    overrides.webhookQueue ??
    queue<WebhookDeliveryJob>(config, config.WEBHOOK_QUEUE_URL, 'WEBHOOK_QUEUE_URL');
  return {
    config,
    logger,
    metrics: overrides.metrics ?? powertoolsMetrics(),
    clock,
    ids: overrides.ids ?? randomIds,
    keyring,
    company: overrides.company ?? { name: config.COMPANY_NAME, address: config.COMPANY_ADDRESS },
    apiKeys: overrides.apiKeys ?? new DynamoApiKeyRepository(doc, table),
    stores: overrides.stores ?? new DynamoStoreRepository(doc, table),
    contacts: overrides.contacts ?? new DynamoContactRepository(doc, table),
    purchases: overrides.purchases ?? new DynamoPurchaseRepository(doc, table),
    receipts: overrides.receipts ?? new DynamoReceiptRepository(doc, table),
    suppression: overrides.suppression ?? new DynamoSuppressionList(doc, table, keyring, () => clock.now()),
    campaigns: overrides.campaigns ?? new DynamoCampaignRepository(doc, table, () => clock.now()),
    coupons: overrides.coupons ?? new DynamoCouponRepository(doc, table),
    events:
      overrides.events ??
      new DynamoEventLog(doc, config.EVENTS_TABLE_NAME, config.EVENTS_TTL_DAYS, () => clock.now()),
    engagement:
      overrides.engagement ??
      new DynamoEngagementRepository(doc, table, config.EVENTS_TABLE_NAME, config.EVENTS_TTL_DAYS),
    messenger:
      overrides.messenger ??
      new SesMessenger(
        new SESv2Client({
          region: config.AWS_REGION,
          ...(config.SES_ENDPOINT
            ? {
                endpoint: config.SES_ENDPOINT,
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              }
            : {}),
        }),
        config.SES_CONFIGURATION_SET,
      ),
    sms: overrides.sms ?? smsMessenger(config),
    shortLinks: overrides.shortLinks ?? new DynamoShortLinkRepository(doc, table, config.EVENTS_TTL_DAYS),
    smsPolicy: overrides.smsPolicy ?? {
      quietHours: parseQuietHours(config.SMS_QUIET_HOURS),
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
      ...(config.SHORT_LINK_BASE_URL ? { shortLinkBase: config.SHORT_LINK_BASE_URL.replace(/\/$/, '') } : {}),
    },
    smsLimiter: overrides.smsLimiter ?? new TokenBucket(config.SMS_RATE_PER_SECOND),
    automations: overrides.automations ?? new DynamoAutomationRepository(doc, table),
    ...(overrides.scheduler
      ? { scheduler: overrides.scheduler }
      : config.PLAN_QUEUE_ARN && config.SCHEDULER_ROLE_ARN
        ? {
            scheduler: new EventBridgeCampaignScheduler(new SchedulerClient({ region: config.AWS_REGION }), {
              groupName: config.SCHEDULER_GROUP,
              planQueueArn: config.PLAN_QUEUE_ARN,
              roleArn: config.SCHEDULER_ROLE_ARN,
            }),
          }
        : {}),
    frequency: overrides.frequency ?? new DynamoFrequencyLedger(doc, table),
    ...(config.FREQUENCY_CAP ? { frequencyCap: parseFrequencyCap(config.FREQUENCY_CAP) } : {}),
    publisher: overrides.publisher ?? new WebhookPublisher(webhooks, webhookQueue, logger),
    webhooks,
    webhookPoster:
      overrides.webhookPoster ??
      fetchPoster(DELIVERY_TIMEOUT_MS, { allowLoopback: config.WEBHOOK_ALLOW_HTTP }),
    webhookQueue,
    planQueue: overrides.planQueue ?? queue<PlanJob>(config, config.PLAN_QUEUE_URL, 'PLAN_QUEUE_URL'),
    sendQueue: overrides.sendQueue ?? queue<SendJob>(config, config.SEND_QUEUE_URL, 'SEND_QUEUE_URL'),
    limiter: overrides.limiter ?? new TokenBucket(config.SEND_RATE_PER_SECOND),
    imports: overrides.imports ?? new DynamoImportRepository(doc, table),
    importQueue:
      overrides.importQueue ?? queue<ImportJobMessage>(config, config.IMPORT_QUEUE_URL, 'IMPORT_QUEUE_URL'),
    sleep: overrides.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
}

/**
 * The SMS adapter that SMS_PROVIDER names. A provider that is not set up
 * refuses every message as `fatal`, so an SMS campaign pauses and says why
 * instead of failing each recipient.
 */
function smsMessenger(config: Config): SmsMessenger {
  const refuse = (why: string): SmsMessenger => ({
    send: async () => {
      throw new SendFailure('fatal', why);
    },
  });
  if (config.SMS_PROVIDER === 'pinpoint') {
    if (!config.PINPOINT_APPLICATION_ID)
      return refuse('Set PINPOINT_APPLICATION_ID to send SMS with Pinpoint');
    return new PinpointSms(new PinpointClient({ region: config.AWS_REGION }), {
      applicationId: config.PINPOINT_APPLICATION_ID,
      ...(config.PINPOINT_ORIGINATION_NUMBER
        ? { originationNumber: config.PINPOINT_ORIGINATION_NUMBER }
        : {}),
    });
  }
  if (config.SMS_PROVIDER === 'none' || !config.SMS_ORIGINATION_IDENTITY) {
    return refuse('SMS are not set up: set SMS_ORIGINATION_IDENTITY (a pool or phone number)');
  }
  return new EndUserMessagingSms(new PinpointSMSVoiceV2Client({ region: config.AWS_REGION }), {
    originationIdentity: config.SMS_ORIGINATION_IDENTITY,
    ...(config.SMS_CONFIGURATION_SET ? { configurationSetName: config.SMS_CONFIGURATION_SET } : {}),
    ...(config.SMS_MAX_PRICE ? { maxPrice: config.SMS_MAX_PRICE } : {}),
  });
}

let sqs: SQSClient | undefined;
function queue<T>(config: Config, url: string | undefined, name: string): WorkQueue<T> {
  if (!url) return missingQueue<T>(name);
  sqs ??= new SQSClient({ region: config.AWS_REGION });
  return new SqsQueue<T>(sqs, url);
}

/** The Lambda default: configuration from the environment, parsed once. */
export const defaultDeps = () => buildDeps(loadConfig(process.env));
