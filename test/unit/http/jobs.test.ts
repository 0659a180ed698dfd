import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { batchKeys, sqsJobHandler } from '../../../functions/http/jobs';

const record = (body: unknown, id = 'm1') =>
  ({
    messageId: id,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }) as SQSEvent['Records'][number];

const context = {
  functionName: 'relance-sender',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-3:123456789012:function:relance-sender',
  memoryLimitInMB: '512',
  awsRequestId: 'req-42',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('batchKeys', () => {
  it('keeps the keys every record shares, and only those', () => {
    expect(
      batchKeys([record({ campaignId: 'cmp_1', contactIds: [] }), record({ campaignId: 'cmp_1' })]),
    ).toEqual({
      campaignId: 'cmp_1',
    });
    expect(batchKeys([record({ campaignId: 'cmp_1' }), record({ campaignId: 'cmp_2' })])).toEqual({});
    expect(batchKeys([record({ importId: 'imp_1' })])).toEqual({ importId: 'imp_1' });
    expect(batchKeys([record('not json'), record({ campaignId: 'cmp_1' })])).toEqual({});
  });
});

describe('sqsJobHandler', () => {
  it('logs with the Lambda context and the batch’s keys while it runs, and drops them after', async () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(
      logger as unknown as {
        printLog: (l: unknown, log: { getAttributes(): Record<string, unknown> }) => void;
      },
      'printLog',
    ).mockImplementation((_level, log) => {
      lines.push(log.getAttributes());
    });
    const handler = sqsJobHandler('send', z.object({ campaignId: z.string() }), logger, async () => {
      logger.info('working');
    });
    const res = await handler({ Records: [record({ campaignId: 'cmp_9' })] }, context);
    expect(res.batchItemFailures).toEqual([]);
    logger.info('after');
    expect(lines[0]).toMatchObject({
      message: 'working',
      campaignId: 'cmp_9',
      function_request_id: 'req-42',
    });
    expect(lines[0]?.cold_start).toBeTypeOf('boolean');
    expect(lines[1]?.campaignId).toBeUndefined();
  });
});
