import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Campaign,
  CampaignContent,
  CampaignCounts,
  CampaignStatus,
} from '../../domain/campaigns/campaign';
import type { CampaignRepository } from '../../domain/campaigns/ports';
import type { SendOutcome, SendRecord } from '../../domain/campaigns/send-record';
import type { Channel } from '../../domain/contacts/contact';
import type { RfmThresholds } from '../../domain/segments/rfm';
import { decodeCursor, encodeCursor } from './cursor';
import { conditional, isConditionFailed, key, stripKeys } from './table';

const COUNT_FIELDS = ['targeted', 'sent', 'failed', 'skipped', 'holdout'] as const;

/** Builds `ADD counts.sent :sent, …` for the non-zero counters given. */
function addCountsExpression(add: Partial<CampaignCounts>) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const parts: string[] = [];
  for (const f of COUNT_FIELDS) {
    const n = add[f];
    if (!n) continue;
    names[`#${f}`] = f;
    values[`:${f}`] = n;
    parts.push(`#counts.#${f} :${f}`);
  }
  if (parts.length) names['#counts'] = 'counts';
  return { expression: parts.length ? `ADD ${parts.join(', ')}` : '', names, values };
}

/** The last key of a page of the campaigns list (the gsi1 index). */
const CAMPAIGN_CURSOR = {
  pk: /^CAMPAIGN#[\w-]{1,100}$/,
  sk: 'CAMPAIGN',
  gsi1pk: 'CAMPAIGNS',
  gsi1sk: /^[\d:.TZ-]{10,40}#[\w-]{1,100}$/,
};

export class DynamoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(campaign: Campaign, content: CampaignContent): Promise<void> {
    // Content first: a campaign item is never visible without its compiled template.
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key.campaignContent(campaign.id), type: 'campaign-content', ...content },
      }),
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...key.campaign(campaign.id),
          gsi1pk: 'CAMPAIGNS',
          gsi1sk: `${campaign.createdAt}#${campaign.id}`,
          type: 'campaign',
          ...campaign,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<Campaign | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.campaign(id), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<Campaign>(res.Item) : undefined;
  }

  async getContent(id: string): Promise<CampaignContent | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.campaignContent(id) }));
    return res.Item ? stripKeys<CampaignContent>(res.Item) : undefined;
  }

  async list(limit: number, cursor?: string): Promise<{ items: Campaign[]; next?: string }> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'CAMPAIGNS' },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, CAMPAIGN_CURSOR) } : {}),
      }),
    );
    const items = (res.Items ?? []).map((i) => stripKeys<Campaign>(i));
    return res.LastEvaluatedKey ? { items, next: encodeCursor(res.LastEvaluatedKey) } : { items };
  }

  async transition(
    id: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    set: Partial<
      Pick<Campaign, 'baseUrl' | 'pausedReason' | 'sendRequestedAt' | 'completedAt' | 'guardOverriddenAt'>
    > = {},
  ): Promise<Campaign | undefined> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':to': to, ':now': this.now().toISOString() };
    const sets = ['#status = :to', '#updatedAt = :now'];
    for (const [k, v] of Object.entries(set)) {
      if (v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    const removes = to === 'paused' || 'pausedReason' in set ? [] : ['pausedReason'];
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.campaign(id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? stripKeys<Campaign>(res.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async advancePlan(
    id: string,
    expectedCursor: string | undefined,
    plan: { cursor?: string; done: boolean; rfm?: RfmThresholds },
    add: Partial<CampaignCounts>,
  ): Promise<boolean> {
    const counts = addCountsExpression(add);
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.campaign(id),
          UpdateExpression: `SET #plan = :plan ${counts.expression}`,
          ConditionExpression:
            expectedCursor === undefined
              ? 'attribute_exists(pk) AND attribute_not_exists(#plan.#cursor) AND #plan.#done = :false'
              : 'attribute_exists(pk) AND #plan.#cursor = :expected AND #plan.#done = :false',
          ExpressionAttributeNames: {
            ...counts.names,
            '#plan': 'plan',
            '#cursor': 'cursor',
            '#done': 'done',
          },
          ExpressionAttributeValues: {
            ...counts.values,
            ':plan': {
              ...(plan.cursor ? { cursor: plan.cursor } : {}),
              done: plan.done,
              ...(plan.rfm ? { rfm: plan.rfm } : {}),
            },
            ':false': false,
            ...(expectedCursor === undefined ? {} : { ':expected': expectedCursor }),
          },
        }),
      ),
    );
  }

  async addCounts(id: string, add: Partial<CampaignCounts>): Promise<Campaign | undefined> {
    const counts = addCountsExpression(add);
    if (!counts.expression) return this.get(id);
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key.campaign(id),
        UpdateExpression: counts.expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: counts.names,
        ExpressionAttributeValues: counts.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return res.Attributes ? stripKeys<Campaign>(res.Attributes) : undefined;
  }

  async claimSend(
    campaignId: string,
    contactId: string,
    status: 'claimed' | 'skipped' | 'holdout',
    reason?: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    const record: SendRecord = {
      campaignId,
      contactId,
      status,
      claimedAt: this.now().toISOString(),
      ...(reason ? { reason } : {}),
      ...(channel === 'email' ? {} : { channel }),
    };
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key.send(campaignId, contactId, channel), type: 'send', ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :retry',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':retry': 'retry' },
        }),
      ),
    );
  }

  async settleSend(
    campaignId: string,
    contactId: string,
    outcome: SendOutcome,
    channel: Channel = 'email',
  ): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#settledAt': 'settledAt' };
    const values: Record<string, unknown> = { ':s': outcome.status, ':at': this.now().toISOString() };
    const sets = ['#status = :s', '#settledAt = :at'];
    for (const k of ['messageId', 'error', 'locale', 'couponCode', 'reason', 'segments'] as const) {
      const v = outcome[k];
      if (v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key.send(campaignId, contactId, channel),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async claimNumber(campaignId: string, numberHash: string, contactId: string): Promise<boolean> {
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key.campaignNumber(campaignId, numberHash), type: 'number', contactId },
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :c',
          ExpressionAttributeValues: { ':c': contactId },
        }),
      ),
    );
  }

  async expireClaim(
    campaignId: string,
    contactId: string,
    claimedBefore: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.send(campaignId, contactId, channel),
          UpdateExpression: 'SET #status = :failed, #error = :error, #settledAt = :now',
          ConditionExpression: '#status = :claimed AND #claimedAt < :before',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#error': 'error',
            '#settledAt': 'settledAt',
            '#claimedAt': 'claimedAt',
          },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':claimed': 'claimed',
            ':error': 'Outcome unknown: the sender stopped before recording it, so it was not sent again',
            ':now': this.now().toISOString(),
            ':before': claimedBefore,
          },
        }),
      ),
    );
  }

  async getSend(
    campaignId: string,
    contactId: string,
    channel: Channel = 'email',
  ): Promise<SendRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: key.send(campaignId, contactId, channel),
        ConsistentRead: true,
      }),
    );
    return res.Item ? stripKeys<SendRecord>(res.Item) : undefined;
  }
}
