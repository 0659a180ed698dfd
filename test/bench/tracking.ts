import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoEngagementRepository } from '../../functions/adapters/dynamo/engagement';
import { signToken } from '../../functions/domain/shared/tokens';
import { makeHandler } from '../../functions/handlers/tracking';
import { apiEvent, type BenchResult, timeInterleaved } from './lib';
import { withBenchStack } from './pipeline';

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/**
 * The open and click handlers, called as Lambda would, against one raw PutItem
 * on the same dynalite (in its own process) in the same run.
 */
export async function benchTracking(): Promise<BenchResult[]> {
  return withBenchStack({ TRACK_TOO_SOON_SECONDS: '0' }, async (stack) => {
    const { deps, doc } = stack;
    const ring = await deps.keyring();
    const contacts = Array.from({ length: 200 }, (_, i) => `c_bench_${i}`);
    for (const k of contacts) await deps.campaigns.claimSend('cmp_bench', k, 'claimed');
    const t = Math.floor(Date.now() / 1000) - 3600;
    const opens = contacts.map((k) => signToken(ring, 'open', { c: 'cmp_bench', k, t }));
    const clicks = contacts.map((k, i) =>
      signToken(ring, 'click', { c: 'cmp_bench', k, i: i % 6, u: `https://shop.example/p/${i % 6}`, t }),
    );
    // As deployed: the handler writes the raw event to the events table and answers; the counters are
    // the stream aggregator's job (measured apart), so the local stack's in-process stream is left out.
    const handler = makeHandler({
      ...deps,
      engagement: new DynamoEngagementRepository(
        doc,
        deps.config.TABLE_NAME,
        deps.config.EVENTS_TABLE_NAME,
        deps.config.EVENTS_TTL_DAYS,
      ),
    });
    let n = 0;
    const put = () =>
      doc.send(
        new PutCommand({
          TableName: deps.config.TABLE_NAME,
          Item: { pk: `BENCH#${n++}`, sk: 'X', at: Date.now() },
        }),
      );
    const open = async () => {
      const res = await handler(
        apiEvent('GET /t/o/{token}', { params: { token: opens[n % opens.length] as string }, n: n++ }),
        context,
      );
      if (typeof res === 'string' || res.statusCode !== 200) throw new Error('open failed');
    };
    const click = async () => {
      const res = await handler(
        apiEvent('GET /t/c/{token}', { params: { token: clicks[n % clicks.length] as string }, n: n++ }),
        context,
      );
      if (typeof res === 'string' || res.statusCode !== 302) throw new Error('click failed');
    };
    // Each handler and the baseline are timed in alternating rounds, so the machine's load weighs on both alike.
    const [openMs, putForOpen] = await timeInterleaved(open, put);
    const [clickMs, putForClick] = await timeInterleaved(click, put);
    return (
      [
        ['open', openMs, putForOpen],
        ['click', clickMs, putForClick],
      ] as const
    ).map(([kind, ms, putMs]) => ({
      name: `${kind} handler (verify token, record event, ${kind === 'open' ? 'pixel' : 'redirect'})`,
      unit: 'ms',
      value: ms,
      baseline: 'one raw PutItem on the same dynalite',
      baselineValue: putMs,
      ratio: ms / putMs,
      ratioMeaning: 'times one PutItem',
      target: '≤ 2×',
      met: ms / putMs <= 2,
    }));
  });
}
