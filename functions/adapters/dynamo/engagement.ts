import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RecipientMark, SendRecord } from '../../domain/campaigns/send-record';
import type { Channel } from '../../domain/contacts/contact';
import type { EngagementEvent } from '../../domain/tracking/events';
import type { EngagementRepository } from '../../domain/tracking/ports';
import { batchGet } from './batch';
import { decodeCursor, encodeCursor } from './cursor';
import { conditional, key, sendRecordId, stripKeys } from './table';

/** Counter items per campaign: writes spread over them, reads sum them. */
export const COUNTER_SHARDS = 8;

/** One raw open or click: a retried HTTP request (same request id) is the same item. */
export const eventKey = (
  e: Pick<EngagementEvent, 'campaignId' | 'contactId' | 'kind' | 'at' | 'requestId'>,
) => ({
  pk: `CAMPAIGN#${e.campaignId}#CONTACT#${e.contactId}`,
  sk: `${e.kind.toUpperCase()}#${e.requestId}`,
});

const counterKey = (campaignId: string, shard: number) => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: `COUNTER#${shard}`,
});

export class DynamoEngagementRepository implements EngagementRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly eventsTable: string,
    private readonly ttlDays: number,
  ) {}

  /**
   * One unconditional put (the cheapest write: this is the pixel's and the
   * redirect's only one). Each request has its own id, hence its own item; an
   * overwrite would be a MODIFY, which the stream filter does not forward.
   */
  async recordEvent(e: EngagementEvent): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.eventsTable,
        Item: {
          ...eventKey(e),
          ...e,
          expiresAt: Math.floor(Date.parse(e.at) / 1000) + this.ttlDays * 86_400,
        },
      }),
    );
  }

  async claimEvent(e: EngagementEvent): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.eventsTable,
          Key: eventKey(e),
          UpdateExpression: 'SET #counted = :t',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#counted)',
          ExpressionAttributeNames: { '#counted': 'counted' },
          ExpressionAttributeValues: { ':t': true },
        }),
      ),
    );
  }

  async releaseEvent(e: EngagementEvent): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.eventsTable,
        Key: eventKey(e),
        UpdateExpression: 'REMOVE #counted',
        ExpressionAttributeNames: { '#counted': 'counted' },
      }),
    );
  }

  async markFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.send(campaignId, contactId, channel),
          UpdateExpression: 'SET #m = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#m)',
          ExpressionAttributeNames: { '#m': mark },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  async unmarkFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel: Channel = 'email',
  ): Promise<void> {
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.send(campaignId, contactId, channel),
          UpdateExpression: 'REMOVE #m',
          ConditionExpression: '#m = :at',
          ExpressionAttributeNames: { '#m': mark },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  async unmarkLinkClicked(
    campaignId: string,
    contactId: string,
    link: number,
    channel: Channel = 'email',
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key.send(campaignId, contactId, channel),
        UpdateExpression: 'DELETE #l :set',
        ExpressionAttributeNames: { '#l': 'clickedLinks' },
        ExpressionAttributeValues: { ':set': new Set([link]) },
      }),
    );
  }

  async markLinkClicked(
    campaignId: string,
    contactId: string,
    link: number,
    channel: Channel = 'email',
  ): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.send(campaignId, contactId, channel),
          UpdateExpression: 'ADD #l :set',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(#l, :i)',
          ExpressionAttributeNames: { '#l': 'clickedLinks' },
          ExpressionAttributeValues: { ':set': new Set([link]), ':i': link },
        }),
      ),
    );
  }

  async count(
    campaignId: string,
    add: Record<string, number>,
    names: Record<string, string> = {},
  ): Promise<void> {
    const attrNames: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    const sets: string[] = [];
    Object.entries(add).forEach(([name, n], i) => {
      if (!n) return;
      attrNames[`#a${i}`] = name;
      values[`:a${i}`] = n;
      adds.push(`#a${i} :a${i}`);
    });
    Object.entries(names).forEach(([name, v], i) => {
      attrNames[`#s${i}`] = name;
      values[`:s${i}`] = v;
      sets.push(`#s${i} = if_not_exists(#s${i}, :s${i})`);
    });
    if (adds.length === 0 && sets.length === 0) return;
    const shard = Math.floor(Math.random() * COUNTER_SHARDS);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: counterKey(campaignId, shard),
        UpdateExpression: [
          sets.length ? `SET ${sets.join(', ')}` : '',
          adds.length ? `ADD ${adds.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
        ExpressionAttributeNames: attrNames,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async counters(
    campaignId: string,
  ): Promise<{ numbers: Record<string, number>; names: Record<string, string> }> {
    const items = await batchGet(
      this.doc,
      this.table,
      Array.from({ length: COUNTER_SHARDS }, (_, i) => counterKey(campaignId, i)),
    );
    const numbers: Record<string, number> = {};
    const names: Record<string, string> = {};
    for (const item of items) {
      for (const [k, v] of Object.entries(stripKeys<Record<string, unknown>>(item))) {
        if (typeof v === 'number') numbers[k] = (numbers[k] ?? 0) + v;
        else if (typeof v === 'string') names[k] = v;
      }
    }
    return { numbers, names };
  }

  async sendRecords(
    campaignId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ records: SendRecord[]; next?: string }> {
    const records: SendRecord[] = [];
    const pk = key.campaign(campaignId).pk;
    let start: Record<string, unknown> | undefined = cursor
      ? decodeCursor(cursor, { pk, sk: /^SEND#[\w-]{1,100}(#sms)?$/ })
      : undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
          ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':send': 'SEND#' },
          ExclusiveStartKey: start,
          Limit: Math.min(1000, limit - records.length),
        }),
      );
      records.push(...(res.Items ?? []).map((i) => stripKeys<SendRecord>(i)));
      start = res.LastEvaluatedKey;
    } while (start && records.length < limit);
    const last = records[records.length - 1];
    return start && last
      ? { records, next: encodeCursor({ pk, sk: `SEND#${sendRecordId(last.contactId, last.channel)}` }) }
      : { records };
  }
}
