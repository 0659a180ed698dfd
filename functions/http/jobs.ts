import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

/** The work's keys shared by every record of a batch (campaign, import, webhook subscription). */
export function batchKeys(records: Pick<SQSRecord, 'body'>[]): Record<string, string> {
  const shared: Record<string, string> = {};
  for (const key of ['campaignId', 'importId', 'subscriptionId'] as const) {
    const values = new Set(
      records.map((r) => {
        try {
          const v = (JSON.parse(r.body) as Record<string, unknown>)[key];
          return typeof v === 'string' ? v : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const [only] = [...values];
    if (values.size === 1 && only) shared[key] = only;
  }
  return shared;
}

/**
 * An SQS handler with partial batch failures (Powertools batch): each record's
 * JSON body is validated with `schema`, then handed to `run`. A malformed
 * message can never succeed, so it is logged and dropped instead of cycling
 * into the dead-letter queue; a record whose `run` throws is retried by SQS.
 */
export function sqsJobHandler<S extends z.ZodType>(
  name: string,
  schema: S,
  logger: Logger,
  run: (job: z.output<S>, remainingMs: () => number) => Promise<unknown>,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  let remainingMs = () => Number.POSITIVE_INFINITY;
  const record = async (r: SQSRecord) => {
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      body = undefined;
    }
    const job = schema.safeParse(body);
    if (!job.success) {
      logger.error(`Malformed ${name} message dropped`, { messageId: r.messageId });
      return;
    }
    await run(job.data, remainingMs);
  };
  return async (event, context) => {
    remainingMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    // Every line of this invocation carries the Lambda context (request id, cold start), and the
    // keys of the work when the batch is about one campaign, import or webhook (as it usually is).
    if (context) logger.addContext(context);
    const keys = batchKeys(event.Records);
    logger.appendKeys(keys);
    try {
      return await processPartialResponse(event, record, processor);
    } finally {
      logger.removeKeys(Object.keys(keys));
    }
  };
}

/** SNS carries its message as a JSON string; anything else is not an event. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
