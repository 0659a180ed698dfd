import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomIds, systemClock } from './adapters/clock';
import { DynamoApiKeyStore } from './adapters/dynamo/api-keys';
import { DynamoContactStore } from './adapters/dynamo/contacts';
import { DynamoPurchaseStore } from './adapters/dynamo/purchases';
import { DynamoStoreDirectory } from './adapters/dynamo/stores';
import { DynamoSuppressionList } from './adapters/dynamo/suppression';
import { loadKeyring } from './adapters/secrets';
import { type Config, loadConfig } from './config';
import type { Keyring } from './domain/hashing';
import { memo } from './memo';
import type { ApiKeyStore, Clock, Ids, PurchaseStore, StoreDirectory, SuppressionList } from './ports';

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
  };
}

/** The Lambda default: configuration from the environment, parsed once. */
export const defaultDeps = () => buildDeps(loadConfig(process.env));
