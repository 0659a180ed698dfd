import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageEvent } from '../../domain/tracking/events';
import type { EventLog } from '../../domain/tracking/ports';
import { conditional } from './table';

/**
 * Raw message events in the events table, one item per (message, event type),
 * written with a condition so an event delivered twice is counted once; items
 * expire through the table's TTL.
 */
export class DynamoEventLog implements EventLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recordOnce(event: MessageEvent): Promise<boolean> {
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `MSG#${event.messageId}`,
            sk: `EVENT#${event.type}`,
            ...event,
            expiresAt: Math.floor(this.now().getTime() / 1000) + this.ttlDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
