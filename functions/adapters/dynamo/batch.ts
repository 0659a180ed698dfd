import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * Reads many items by key, 100 per request as DynamoDB allows, several requests at once, retrying
 * the keys DynamoDB leaves unprocessed under load.
 */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, string>[],
  concurrency = 4,
  /** Only these attributes (a projection expression's names), when the caller needs no more. */
  attributes?: string[],
): Promise<Record<string, unknown>[]> {
  const projection = attributes?.length
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
      }
    : {};
  const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  const out: Record<string, unknown>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending: Record<string, unknown>[] | undefined = chunks[next++];
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const res: BatchGetCommandOutput = await doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...projection } } }),
        );
        out.push(...(res.Responses?.[table] ?? []));
        pending = res.UnprocessedKeys?.[table]?.Keys;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  return out;
}

/** Runs a Query to the end, following LastEvaluatedKey. For small, bounded collections only. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Attempts at a batch whose items DynamoDB keeps leaving unprocessed, before giving up. */
export const MAX_BATCH_ATTEMPTS = 8;

/** Waits before retrying unprocessed batch items (exponential, capped); throws past the last attempt. */
export async function backoff(attempt: number): Promise<void> {
  if (attempt >= MAX_BATCH_ATTEMPTS) {
    throw new Error(`DynamoDB left items unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
  }
  await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
}

/**
 * Writes many items, 25 per request as DynamoDB allows, several requests at once, retrying what
 * DynamoDB leaves unprocessed under load. Unconditional: for items whose content is decided (an
 * import's receipts once checked, the lines it refused), never for records others may race on.
 */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  concurrency = 4,
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as Record<string, unknown>[];
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (res.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}
