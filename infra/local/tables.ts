import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { EVENTS_TABLE, MAIN_TABLE } from '../../functions/adapters/dynamo/table';

const stringAttr = (name: string): AttributeDefinition => ({ AttributeName: name, AttributeType: 'S' });

/**
 * Creates the main and events tables from the same definitions the CDK stack
 * uses; tables that exist already are left alone, so a restart keeps its data.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: { main: string; events: string },
): Promise<void> {
  const index = MAIN_TABLE.indexes[0];
  const mainCreated = await create(client, {
    TableName: names.main,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      MAIN_TABLE.partitionKey,
      MAIN_TABLE.sortKey,
      index.partitionKey,
      index.sortKey,
    ].map(stringAttr),
    KeySchema: [
      { AttributeName: MAIN_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: MAIN_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
  if (mainCreated) await enableTtl(client, names.main, MAIN_TABLE.ttlAttribute);
  const eventsCreated = await create(client, {
    TableName: names.events,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [EVENTS_TABLE.partitionKey, EVENTS_TABLE.sortKey].map(stringAttr),
    KeySchema: [
      { AttributeName: EVENTS_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: EVENTS_TABLE.sortKey, KeyType: 'RANGE' },
    ],
  });
  if (eventsCreated) await enableTtl(client, names.events, EVENTS_TABLE.ttlAttribute);
}

/** dynalite does not expire items, but it accepts the setting; DynamoDB proper does expire them. */
async function enableTtl(client: DynamoDBClient, table: string, attribute: string) {
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    )
    .catch(() => undefined);
}

async function create(client: DynamoDBClient, input: ConstructorParameters<typeof CreateTableCommand>[0]) {
  try {
    await client.send(new CreateTableCommand(input));
    return true;
  } catch (err) {
    if (err instanceof ResourceInUseException) return false;
    throw err;
  }
}
