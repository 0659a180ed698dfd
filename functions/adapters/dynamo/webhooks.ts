import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { WebhookRepository } from '../../domain/webhooks/ports';
import type { DeliveryRef, WebhookDelivery, WebhookSubscription } from '../../domain/webhooks/webhook';
import { queryAll } from './batch';
import { decodeCursor } from './cursor';
import { conditional, key, stripKeys } from './table';

/**
 * Webhook endpoints (listed through gsi1) and their deliveries log, each
 * entry under its endpoint's partition, expiring through the table's TTL.
 * Every attempt is claimed and settled with conditional updates, so a
 * duplicated queue message cannot make an attempt twice nor undo an outcome.
 */
export class DynamoWebhookRepository implements WebhookRepository {
  private cache: { until: number; value: Promise<WebhookSubscription[]> } | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly opts: { ttlDays: number; cacheMs?: number; now?: () => Date },
  ) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async create(sub: WebhookSubscription): Promise<void> {
    this.cache = undefined;
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key.webhook(sub.id), gsi1pk: 'WEBHOOKS', gsi1sk: sub.id, type: 'webhook', ...sub },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.webhook(id), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<WebhookSubscription>(res.Item) : undefined;
  }

  async list(): Promise<WebhookSubscription[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'WEBHOOKS' },
    });
    return items.map((i) => stripKeys<WebhookSubscription>(i));
  }

  /** Cached for the instance: the functions that publish events read this on every batch. */
  active(): Promise<WebhookSubscription[]> {
    const now = Date.now();
    if (!this.cache || this.cache.until <= now) {
      const value = this.list();
      const entry = { until: now + (this.opts.cacheMs ?? 60_000), value };
      this.cache = entry;
      // A failed read is not kept: the next call reads again.
      value.catch(() => {
        if (this.cache === entry) this.cache = undefined;
      });
    }
    return this.cache.value;
  }

  async delete(id: string): Promise<boolean> {
    this.cache = undefined;
    return conditional(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key.webhook(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  async claimAttempt(
    ref: DeliveryRef,
    attempt: number,
    entry: Pick<WebhookDelivery, 'eventId' | 'type' | 'campaignId' | 'contactId' | 'channel'>,
    now: string,
    leaseCutoff: string,
  ): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(now) / 1000) + this.opts.ttlDays * 86_400;
    const fields: Record<string, unknown> = {
      id: ref.deliveryId,
      subscriptionId: ref.subscriptionId,
      eventAt: ref.eventAt,
      // `type` marks the item's kind in this table, so the event's type is stored as `eventType`.
      type: 'webhook-delivery',
      eventType: entry.type,
      eventId: entry.eventId,
      campaignId: entry.campaignId,
      contactId: entry.contactId,
      channel: entry.channel,
      status: 'sending',
      attempts: attempt,
      lastAttemptAt: now,
      updatedAt: now,
      expiresAt,
    };
    const defined = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#createdAt': 'createdAt', '#next': 'nextAttemptAt' };
    const values: Record<string, unknown> = { ':now': now, ':cutoff': leaseCutoff, ':sending': 'sending' };
    const sets = defined.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    const statusName = `#f${defined.findIndex(([k]) => k === 'status')}`;
    const attemptsName = `#f${defined.findIndex(([k]) => k === 'attempts')}`;
    const lastName = `#f${defined.findIndex(([k]) => k === 'lastAttemptAt')}`;
    values[':n'] = attempt;
    // A lost attempt (claimed, never settled, lease over) may be made again: at least once.
    const lost = `(${statusName} = :sending AND ${attemptsName} = :n AND ${lastName} < :cutoff)`;
    let condition: string;
    if (attempt === 1) {
      condition = `attribute_not_exists(pk) OR ${lost}`;
    } else {
      values[':prev'] = attempt - 1;
      values[':retrying'] = 'retrying';
      condition = `(${statusName} = :retrying AND ${attemptsName} = :prev) OR ${lost}`;
    }
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.webhookDelivery(ref.subscriptionId, ref.eventAt, ref.deliveryId),
          UpdateExpression: `SET ${sets.join(', ')}, #createdAt = if_not_exists(#createdAt, :now) REMOVE #next`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async settleAttempt(
    ref: DeliveryRef,
    attempt: number,
    outcome: {
      status: 'retrying' | 'delivered' | 'failed';
      at: string;
      httpStatus?: number;
      error?: string;
      nextAttemptAt?: string;
    },
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#attempts': 'attempts',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = {
      ':status': outcome.status,
      ':at': outcome.at,
      ':n': attempt,
      ':sending': 'sending',
    };
    const sets = ['#status = :status', '#updatedAt = :at'];
    const removes: string[] = [];
    const setOrRemove = (name: string, value: unknown) => {
      names[`#${name}`] = name;
      if (value === undefined) removes.push(`#${name}`);
      else {
        values[`:${name}`] = value;
        sets.push(`#${name} = :${name}`);
      }
    };
    setOrRemove('lastStatus', outcome.httpStatus);
    setOrRemove('lastError', outcome.error);
    setOrRemove('nextAttemptAt', outcome.nextAttemptAt);
    if (outcome.status === 'delivered') setOrRemove('deliveredAt', outcome.at);
    if (outcome.status === 'failed') setOrRemove('failedAt', outcome.at);
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.webhookDelivery(ref.subscriptionId, ref.eventAt, ref.deliveryId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#status = :sending AND #attempts = :n',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async getDelivery(ref: DeliveryRef): Promise<WebhookDelivery | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: key.webhookDelivery(ref.subscriptionId, ref.eventAt, ref.deliveryId),
        ConsistentRead: true,
      }),
    );
    return res.Item ? toDelivery(res.Item) : undefined;
  }

  async deliveries(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: WebhookDelivery[]; next?: string }> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': key.webhook(subscriptionId).pk, ':prefix': 'DELIVERY#' },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor
          ? {
              ExclusiveStartKey: decodeCursor(cursor, {
                pk: key.webhook(subscriptionId).pk,
                sk: /^DELIVERY#/,
              }),
            }
          : {}),
      }),
    );
    return {
      items: (res.Items ?? []).map(toDelivery),
      ...(res.LastEvaluatedKey
        ? { next: Buffer.from(JSON.stringify(res.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  }
}

function toDelivery(item: Record<string, unknown>): WebhookDelivery {
  const { expiresAt: _ttl, eventType, ...rest } = item;
  return { ...stripKeys<Omit<WebhookDelivery, 'type'>>(rest), type: eventType } as WebhookDelivery;
}
