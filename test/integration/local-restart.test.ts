import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../infra/local/queue';
import { startTestStack, type TestStack, waitFor, waitForCampaign } from './helpers';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'relance-restart-'));
  dirs.push(d);
  return d;
};
const stacks: TestStack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** How many emails each address of `domain` has in the (shared, in-memory) SES mailbox. */
async function mailbox(sesUrl: string, domain: string): Promise<Map<string, number>> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  const counts = new Map<string, number>();
  for (const e of store.emails)
    for (const to of e.destination.to)
      if (to.endsWith(`@${domain}`)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** The statuses of a campaign's send records, read from the table. */
async function sendStatuses(s: TestStack, campaignId: string): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let start: Record<string, unknown> | undefined;
  do {
    const page = await s.doc.send(
      new QueryCommand({
        TableName: s.deps.config.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
        ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':send': 'SEND#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) statuses[item.status] = (statuses[item.status] ?? 0) + 1;
    start = page.LastEvaluatedKey;
  } while (start);
  return statuses;
}

describe('a local stack stopped in the middle of a campaign', () => {
  it('finishes it after a restart on the same data: every recipient sent exactly once, counts right', async () => {
    const dataDir = tempDir();
    const domain = `restart-${Date.now()}.example`;
    // Its own dynalite, persisted under the data directory (no shared emulator); the shared SES
    // keeps the mailbox across both runs. 40 emails a second: 300 take about 7.5 s.
    const boot = async () => {
      const s = await startTestStack({
        dataDir,
        dynamoEndpoint: undefined,
        tablePrefix: 'restart',
        sendRatePerSecond: 40,
      });
      stacks.push(s);
      return s;
    };
    const first = await boot();
    const rows = ['email,firstName,tags,email_consent'];
    for (let i = 0; i < 300; i++) rows.push(`c${i}@${domain},P${i},restart,granted`);
    const imported = await first.call('POST', '/v1/contacts/import', {
      body: rows.join('\n'),
      type: 'text/csv',
    });
    expect(imported.body.created).toBe(300);
    const created = await first.call('POST', '/v1/campaigns', {
      json: {
        name: 'Restart',
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: ['restart'] } },
        from: { name: 'Relance', address: 'hello@relance.test' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await first.call('POST', `/v1/campaigns/${id}/send`)).status).toBe(202);
    await waitFor(
      async () => ((await mailbox(first.sesUrl, domain)).size >= 100 ? true : undefined),
      20_000,
      'a hundred emails',
    );

    // What SIGTERM does to `npm start`: the handlers in flight are told their time is up, put the
    // rest of their jobs back on the journalled queue, and the stack closes.
    await first.stop();
    const sentBefore = (await mailbox(first.sesUrl, domain)).size;
    expect(sentBefore).toBeGreaterThanOrEqual(100);
    expect(sentBefore).toBeLessThan(300);
    expect(readFileSync(join(dataDir, 'queues', 'send.jsonl'), 'utf8')).toContain('"op":"put"');

    const second = await boot();
    expect(second.recovered).toBeGreaterThan(0);
    const done = await waitForCampaign(second, id);
    expect(done.counts).toMatchObject({ targeted: 300, sent: 300, failed: 0, skipped: 0, pending: 0 });
    const mail = await mailbox(second.sesUrl, domain);
    expect(mail.size).toBe(300);
    expect([...mail.values()].every((n) => n === 1)).toBe(true);
    expect(await sendStatuses(second, id)).toEqual({ sent: 300 });
    await second.queues.send?.idle();
    expect(second.queues.send?.deadLetters).toEqual([]);
  });
});

describe('a durable local queue', () => {
  it('killed while handling a message, delivers it again after its visibility timeout; a delayed one keeps its due time', async () => {
    const file = join(tempDir(), 'queues', 'jobs.jsonl');
    const options = { name: 'jobs', journal: file, batchSize: 1, concurrency: 2, visibilityTimeoutMs: 400 };
    const first = new LocalQueue(options);
    const handled: string[] = [];
    first.consume(async (e) => {
      const body = e.Records[0]?.body as string;
      handled.push(body);
      if (body === 'hangs') await new Promise(() => undefined);
    });
    const sentAt = Date.now();
    first.send(['done', 'hangs']);
    first.send(['later'], 1500);
    await waitFor(async () => (handled.length === 2 ? true : undefined), 5_000, 'two deliveries');
    // The closest to SIGKILL in process: `close` writes nothing more to the journal, and the
    // handler of `hangs` never returns, so neither is acknowledged.
    first.close();

    const second = new LocalQueue(options);
    const seen: { body: string; after: number; receiveCount: string }[] = [];
    second.consume(async (e) => {
      for (const r of e.Records)
        seen.push({
          body: r.body,
          after: Date.now() - sentAt,
          receiveCount: r.attributes.ApproximateReceiveCount,
        });
    });
    // Held back until the stack is ready for them.
    expect(second.depth).toBe(0);
    expect(second.recover()).toBe(2);
    await waitFor(async () => (seen.length === 2 ? true : undefined), 5_000, 'the recovered messages');
    expect(seen.map((m) => [m.body, m.receiveCount])).toEqual([
      ['hangs', '2'],
      ['later', '1'],
    ]);
    expect(seen[0]?.after).toBeGreaterThanOrEqual(400);
    expect(seen[1]?.after).toBeGreaterThanOrEqual(1500);
    await second.idle();
    // Nothing owed any more: the journal starts over.
    expect(readFileSync(file, 'utf8')).toBe('');
    second.close();
  });
});
