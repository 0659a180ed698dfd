import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ImportCounts, ImportJob, ImportStatus, RejectedLine } from '../../domain/imports/job';
import type { ImportAdvance, ImportRepository } from '../../domain/imports/ports';
import { batchWrite } from './batch';
import { conditional, key, stripKeys } from './table';

/** How long an import's record and its refused lines are kept (the uploaded file expires sooner). */
const KEEP_DAYS = 90;

const toItem = (job: ImportJob) => ({
  ...key.importJob(job.id),
  gsi1pk: 'IMPORTS',
  gsi1sk: `${job.createdAt}#${job.id}`,
  type: 'import',
  expiresAt: Math.floor(Date.parse(job.createdAt) / 1000) + KEEP_DAYS * 86_400,
  ...job,
});

/** Import jobs: one item each (listed newest first through gsi1), their refused lines under them. */
export class DynamoImportRepository implements ImportRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(job: ImportJob): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: toItem(job),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<ImportJob | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.importJob(id), ConsistentRead: true }),
    );
    return res.Item ? fromItem(res.Item) : undefined;
  }

  async recent(limit: number): Promise<ImportJob[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'IMPORTS' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map(fromItem);
  }

  async transition(
    id: string,
    from: readonly ImportStatus[],
    to: ImportStatus,
    at: string,
  ): Promise<ImportJob | undefined> {
    const values = Object.fromEntries(from.map((s, i) => [`:f${i}`, s]));
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.importJob(id),
          UpdateExpression: 'SET #status = :to, updatedAt = :at',
          ConditionExpression: `#status IN (${Object.keys(values).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':to': to, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  async lease(id: string, owner: string, until: string, now: string): Promise<ImportJob | undefined> {
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.importJob(id),
          UpdateExpression: 'SET lease = :lease',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lease) OR lease.#until < :now)',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':lease': { owner, until }, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  async advance(id: string, owner: string, fromOffset: number, next: ImportAdvance): Promise<boolean> {
    const names: Record<string, string> = { '#cp': 'checkpoint', '#owner': 'owner' };
    const values: Record<string, unknown> = {
      ':cp': next.checkpoint,
      ':from': fromOffset,
      ':me': owner,
    };
    const sets = ['#cp = :cp'];
    const adds: string[] = [];
    for (const [k, v] of Object.entries(next.add) as [keyof ImportCounts, number][]) {
      if (!v) continue;
      names[`#c_${k}`] = k;
      values[`:c_${k}`] = v;
      adds.push(`counts.#c_${k} :c_${k}`);
    }
    for (const k of ['warnings', 'dialect', 'status', 'size', 'startedAt', 'finishedAt', 'error'] as const) {
      if (next[k] === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = next[k];
      sets.push(`#${k} = :${k}`);
    }
    names['#updatedAt'] = 'updatedAt';
    values[':updatedAt'] = next.finishedAt ?? new Date().toISOString();
    sets.push('#updatedAt = :updatedAt');
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.importJob(id),
          UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
          ConditionExpression: '#cp.#offset = :from AND lease.#owner = :me',
          ExpressionAttributeNames: { ...names, '#offset': 'offset' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async release(id: string, owner: string): Promise<void> {
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.importJob(id),
          UpdateExpression: 'REMOVE lease',
          ConditionExpression: 'lease.#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': owner },
        }),
      ),
    );
  }

  async addRejected(id: string, lines: RejectedLine[]): Promise<void> {
    if (lines.length === 0) return;
    const expiresAt = Math.floor(Date.now() / 1000) + KEEP_DAYS * 86_400;
    await batchWrite(
      this.doc,
      this.table,
      lines.map((l) => ({ ...key.importRejected(id, l.line), type: 'rejected-line', expiresAt, ...l })),
    );
  }

  async rejected(id: string, cursor: string | undefined, limit: number) {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':pk': key.importJob(id).pk, ':r': 'REJECTED#' },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: { ...key.importRejected(id, Number(cursor)) } } : {}),
      }),
    );
    const lines = (res.Items ?? []).map((i) => {
      const { expiresAt: _e, ...rest } = stripKeys<RejectedLine & { expiresAt?: number }>(i);
      return rest as RejectedLine;
    });
    const last = lines.at(-1);
    return { lines, ...(res.LastEvaluatedKey && last ? { next: String(last.line) } : {}) };
  }
}

function fromItem(item: Record<string, unknown>): ImportJob {
  const { expiresAt: _e, ...rest } = stripKeys<ImportJob & { expiresAt?: number }>(item);
  return rest as ImportJob;
}
