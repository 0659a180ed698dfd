import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Automation, AutomationRun, AutomationStatus } from '../../domain/automations/automation';
import type { AutomationRepository } from '../../domain/automations/ports';
import { conditional, stripKeys } from './table';

/**
 * Key layout of automations (main table):
 *
 * | item                 | pk                  | sk                | gsi1pk      | gsi1sk  |
 * |----------------------|---------------------|-------------------|-------------|---------|
 * | automation           | AUTOMATION#<id>     | AUTOMATION        | AUTOMATIONS | <id>    |
 * | a day's run          | AUTOMATION#<id>     | RUN#<YYYY-MM-DD>  |             |         |
 * | contact messaged     | AUTOMATION#<id>     | CONTACT#<id>      |             |         |
 */
const automationKey = (id: string) => ({ pk: `AUTOMATION#${id}`, sk: 'AUTOMATION' });
const runKey = (id: string, day: string) => ({ pk: `AUTOMATION#${id}`, sk: `RUN#${day}` });
const messagedKey = (id: string, contactId: string) => ({
  pk: `AUTOMATION#${id}`,
  sk: `CONTACT#${contactId}`,
});

export class DynamoAutomationRepository implements AutomationRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(a: Automation): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...automationKey(a.id), gsi1pk: 'AUTOMATIONS', gsi1sk: a.id, type: 'automation', ...a },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<Automation | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: automationKey(id), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<Automation>(res.Item) : undefined;
  }

  async list(): Promise<Automation[]> {
    const items: Automation[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': 'AUTOMATIONS' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(res.Items ?? []).map((i) => stripKeys<Automation>(i)));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async setStatus(
    id: string,
    from: AutomationStatus,
    to: AutomationStatus,
    at: string,
  ): Promise<Automation | undefined> {
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: automationKey(id),
          UpdateExpression: 'SET #s = :to, #u = :at',
          ConditionExpression: '#s = :from',
          ExpressionAttributeNames: { '#s': 'status', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? stripKeys<Automation>(res.Attributes) : undefined;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  async claimRun(id: string, day: string, at: string): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: automationKey(id),
          UpdateExpression: 'SET #d = :day, #at = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#d) OR #d < :day)',
          ExpressionAttributeNames: { '#d': 'lastRunDay', '#at': 'lastRunAt' },
          ExpressionAttributeValues: { ':day': day, ':at': at },
        }),
      ),
    );
  }

  async claimStep(
    run: Pick<AutomationRun, 'automationId' | 'day' | 'at'>,
    step: number,
    campaignId: string,
  ): Promise<boolean> {
    // One attribute per step (`step0`, `step1`…), each set once: the run item is made by its first step.
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(run.automationId, run.day),
          UpdateExpression: 'SET #s = :cid, #a = :id, #day = :day, #at = if_not_exists(#at, :at), #t = :t',
          ConditionExpression: 'attribute_not_exists(#s)',
          ExpressionAttributeNames: {
            '#s': `step${step}`,
            '#a': 'automationId',
            '#day': 'day',
            '#at': 'at',
            '#t': 'type',
          },
          ExpressionAttributeValues: {
            ':cid': campaignId,
            ':id': run.automationId,
            ':day': run.day,
            ':at': run.at,
            ':t': 'automation-run',
          },
        }),
      ),
    );
  }

  async runs(id: string, sinceDay: string): Promise<AutomationRun[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': `AUTOMATION#${id}`,
          ':from': `RUN#${sinceDay}`,
          ':to': 'RUN#9999',
        },
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map((item) => {
      const campaigns: Record<string, string> = {};
      for (const [k, v] of Object.entries(item)) {
        const m = /^step(\d+)$/.exec(k);
        if (m?.[1] && typeof v === 'string') campaigns[m[1]] = v;
      }
      return { automationId: id, day: String(item.day), at: String(item.at), campaigns };
    });
  }

  async markMessaged(
    automationId: string,
    contactId: string,
    campaignId: string,
    at: string,
    cooldownDays: number,
  ): Promise<boolean> {
    const cutoff = new Date(Date.parse(at) - cooldownDays * 86_400_000).toISOString();
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: messagedKey(automationId, contactId),
          // Kept only as long as it matters: the cooldown (it holds no personal data, only ids).
          UpdateExpression: 'SET #at = :at, #c = :c, #t = :t, #x = :x',
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :cutoff OR #c = :c',
          ExpressionAttributeNames: {
            '#at': 'lastMessagedAt',
            '#c': 'campaignId',
            '#t': 'type',
            '#x': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':at': at,
            ':c': campaignId,
            ':cutoff': cutoff,
            ':t': 'automation-contact',
            ':x': Math.floor(Date.parse(at) / 1000) + cooldownDays * 86_400,
          },
        }),
      ),
    );
  }
}
