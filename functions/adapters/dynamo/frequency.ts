import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { admit, type CountedMessage, type FrequencyCap } from '../../domain/campaigns/frequency';
import type { FrequencyLedger } from '../../domain/campaigns/ports';
import { conditional } from './table';

/** One item per contact: the messages counted against the cap, with a version for optimistic locking. */
const ledgerKey = (contactId: string) => ({ pk: `CONTACT#${contactId}`, sk: 'FREQUENCY' });

export class DynamoFrequencyLedger implements FrequencyLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async reserve(contactId: string, message: CountedMessage, cap: FrequencyCap): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: ledgerKey(contactId), ConsistentRead: true }),
      );
      const item = res.Item as { messages?: CountedMessage[]; version?: number } | undefined;
      const { admitted, counted, kept } = admit(item?.messages ?? [], message, cap);
      if (!admitted) return false;
      if (counted) return true; // the same message (a retried send), counted already
      const version = item?.version ?? 0;
      const written = await conditional(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...ledgerKey(contactId),
              type: 'frequency',
              messages: kept,
              version: version + 1,
              // Nothing in it matters once the window is over.
              expiresAt: Math.floor(Date.parse(message.at) / 1000) + cap.days * 86_400,
            },
            ConditionExpression: item ? '#v = :v' : 'attribute_not_exists(pk)',
            ...(item
              ? {
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': version },
                }
              : {}),
          }),
        ),
      );
      if (written) return true;
      // Another sender counted a message for this contact in between: look again.
    }
    throw new Error(`The frequency ledger of ${contactId} is too busy`);
  }
}
