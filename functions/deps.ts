import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomIds, systemClock } from './adapters/clock';
import { DynamoApiKeyStore } from './adapters/dynamo/api-keys';
import { DynamoCampaignStore } from './adapters/dynamo/campaigns';
import { DynamoContactStore } from './adapters/dynamo/contacts';
import { DynamoCouponStore } from './adapters/dynamo/coupons';
import { DynamoEngagementStore } from './adapters/dynamo/engagement';
import { DynamoEventLog } from './adapters/dynamo/events';
import { DynamoPurchaseStore } from './adapters/dynamo/purchases';
import { DynamoStoreDirectory } from './adapters/dynamo/stores';
import { DynamoSuppressionList } from './adapters/dynamo/suppression';
import { loadKeyring } from './adapters/secrets';
import { SesMessenger } from './adapters/ses';
import { SqsQueue } from './adapters/sqs';
import { type Config, loadConfig } from './config';
import type { PlanJob, SendJob } from './domain/campaigns';
import type { Keyring } from './domain/hashing';
import { TokenBucket } from './domain/rate-limiter';
import { memo } from './memo';
import type {
  ApiKeyStore,
  CampaignStore,
  Clock,
  CouponStore,
  EmailMessenger,
  EngagementStore,
  EventLog,
  Ids,
  PurchaseStore,
  StoreDirectory,
  SuppressionList,
  WorkQueue,
} from './ports';

/** Everything a handler may need, built once per cold start (or once per local stack). */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  ids: Ids;
  /**
   * The HMAC keyring, fetched on first use: the authorizer and health functions
   * never call it, so they need no permission on the secret.
   */
  keyring: () => Promise<Keyring>;
  doc: DynamoDBDocumentClient;
  apiKeys: ApiKeyStore;
  stores: StoreDirectory;
  contacts: DynamoContactStore;
  purchases: PurchaseStore;
  suppression: SuppressionList;
  campaigns: CampaignStore;
  coupons: CouponStore;
  events: EventLog;
  engagement: EngagementStore;
  messenger: EmailMessenger;
  planQueue: WorkQueue<PlanJob>;
  sendQueue: WorkQueue<SendJob>;
  /** Paces this instance's provider calls (SEND_RATE_PER_SECOND). */
  limiter: TokenBucket;
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
  const doc = overrides.doc ?? documentClient(config);
  const keyring =
    overrides.keyring ??
    memo(() =>
      loadKeyring(
        { literal: config.KEYRING, secretArn: config.KEYRING_SECRET_ARN },
        () => new SecretsManagerClient({ region: config.AWS_REGION }),
      ),
    );
  const table = config.TABLE_NAME;
  return {
    config,
    logger: overrides.logger ?? new Logger({ serviceName: 'relance', logLevel: config.POWERTOOLS_LOG_LEVEL }),
    clock,
    ids: overrides.ids ?? randomIds,
    keyring,
    doc,
    apiKeys: overrides.apiKeys ?? new DynamoApiKeyStore(doc, table),
    stores: overrides.stores ?? new DynamoStoreDirectory(doc, table),
    contacts: overrides.contacts ?? new DynamoContactStore(doc, table),
    purchases: overrides.purchases ?? new DynamoPurchaseStore(doc, table),
    suppression: overrides.suppression ?? new DynamoSuppressionList(doc, table, keyring, () => clock.now()),
    campaigns: overrides.campaigns ?? new DynamoCampaignStore(doc, table, () => clock.now()),
    coupons: overrides.coupons ?? new DynamoCouponStore(doc, table),
    events:
      overrides.events ??
      new DynamoEventLog(doc, config.EVENTS_TABLE_NAME, config.EVENTS_TTL_DAYS, () => clock.now()),
    engagement:
      overrides.engagement ??
      new DynamoEngagementStore(doc, table, config.EVENTS_TABLE_NAME, config.EVENTS_TTL_DAYS),
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
    planQueue: overrides.planQueue ?? queue<PlanJob>(config, config.PLAN_QUEUE_URL, 'PLAN_QUEUE_URL'),
    sendQueue: overrides.sendQueue ?? queue<SendJob>(config, config.SEND_QUEUE_URL, 'SEND_QUEUE_URL'),
    limiter: overrides.limiter ?? new TokenBucket(config.SEND_RATE_PER_SECOND),
    sleep: overrides.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
}

let sqs: SQSClient | undefined;
function queue<T>(config: Config, url: string | undefined, name: string): WorkQueue<T> {
  if (!url) return missingQueue<T>(name);
  sqs ??= new SQSClient({ region: config.AWS_REGION });
  return new SqsQueue<T>(sqs, url);
}

/** The Lambda default: configuration from the environment, parsed once. */
export const defaultDeps = () => buildDeps(loadConfig(process.env));
