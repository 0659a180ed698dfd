import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type OutboundEmail,
  SendFailure,
  type SendFailureKind,
} from '../../functions/domain/shared/messaging';
import type { EmailMessenger } from '../../functions/domain/shared/ports';
import { makeHandler as sender } from '../../functions/handlers/sender';
import { prng } from '../../infra/local/samples/generate';
import { FakeClock } from '../support/fakes';
import { startTestStack, type TestStack, waitForCampaign } from './helpers';

/** An SES stand-in that fails a share of calls, and remembers every message it accepted. */
class StubSes implements EmailMessenger {
  readonly accepted = new Map<string, number>();
  readonly failedPermanently = new Set<string>();
  calls = 0;
  constructor(public fail: (m: OutboundEmail) => SendFailureKind | undefined) {}
  async send(m: OutboundEmail) {
    this.calls++;
    const kind = this.fail(m);
    if (kind === 'permanent') this.failedPermanently.add(m.to);
    if (kind) throw new SendFailure(kind, `stub ${kind}`);
    this.accepted.set(m.to, (this.accepted.get(m.to) ?? 0) + 1);
    return { messageId: `stub-${this.calls}` };
  }
}

let s: TestStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function stackWith(ses: StubSes) {
  s = await startTestStack({
    sendRatePerSecond: 10_000,
    env: { REQUEUE_DELAY_SECONDS: '0', PLAN_PAGE_SIZE: '250' },
    overrides: { messenger: ses, sleep: async () => undefined },
  });
  return s;
}

async function importContacts(st: TestStack, n: number, tag: string) {
  const rows = ['email,firstName,tags,email_consent'];
  for (let i = 0; i < n; i++) rows.push(`${tag}${i}@example.com,P${i},${tag},granted`);
  const res = await st.call('POST', '/v1/contacts/import', { body: rows.join('\n'), type: 'text/csv' });
  expect(res.body.created).toBe(n);
}

async function draftCampaign(st: TestStack, tag: string): Promise<string> {
  const c = await st.call('POST', '/v1/campaigns', {
    json: {
      name: tag,
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: [tag] } },
      from: { name: 'Relance', address: 'hello@relance.test' },
    },
  });
  expect(c.status).toBe(201);
  return c.body.id as string;
}

async function sendCampaign(st: TestStack, tag: string) {
  const id = await draftCampaign(st, tag);
  expect((await st.call('POST', `/v1/campaigns/${id}/send`)).status).toBe(202);
  return id;
}

/**
 * A campaign moved to sending by hand, for tests that play the send queue themselves,
 * with the contact ids of its `n` imported recipients in order.
 */
async function sendingByHand(st: TestStack, tag: string, n: number) {
  const campaignId = await draftCampaign(st, tag);
  await st.deps.campaigns.transition(campaignId, ['draft'], 'sending', { baseUrl: st.url });
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await st.call('GET', `/v1/contacts?email=${tag}${i}%40example.com`)).body.id);
  return { campaignId, ids };
}

/** One message of the send queue, as the event source hands it to the sender. */
const sqsRecord = (messageId: string, job: { campaignId: string; contactIds: string[] }): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body: JSON.stringify(job),
  attributes: {} as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:0:send',
  awsRegion: 'local',
});

describe('sending under provider failures', () => {
  it('sends 2,000 recipients exactly once with 20% throttling and 2% hard errors: none lost, failures counted', async () => {
    const rand = prng(7);
    const ses = new StubSes(() => {
      const r = rand();
      return r < 0.2 ? 'throttled' : r < 0.22 ? 'permanent' : undefined;
    });
    const st = await stackWith(ses);
    await importContacts(st, 2000, 'flaky');
    const id = await sendCampaign(st, 'flaky');
    const done = await waitForCampaign(st, id, ['sent', 'paused']);

    expect(done.status).toBe('sent');
    expect([...ses.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(done.counts.targeted).toBe(2000);
    expect(done.counts.sent).toBe(ses.accepted.size);
    expect(done.counts.failed).toBe(ses.failedPermanently.size);
    expect(done.counts.sent + done.counts.failed).toBe(2000);
    expect(done.counts.failed).toBeGreaterThan(0);
    for (const address of ses.failedPermanently) expect(ses.accepted.has(address)).toBe(false);
    expect(st.queues.send?.deadLetters).toEqual([]);
  });

  it('delivers the same SQS batch twice without sending anything twice', async () => {
    const ses = new StubSes(() => undefined);
    const st = await stackWith(ses);
    await importContacts(st, 30, 'dup');
    const { campaignId, ids } = await sendingByHand(st, 'dup', 30);
    const event: SQSEvent = {
      Records: [0, 10, 20].map((start, i) =>
        sqsRecord(`m${i}`, { campaignId, contactIds: ids.slice(start, start + 10) }),
      ),
    };
    const handler = sender(st.deps);
    const [a, b] = await Promise.all([handler(event), handler(event)]);
    expect(a.batchItemFailures).toEqual([]);
    expect(b.batchItemFailures).toEqual([]);
    await handler(event);
    expect(ses.calls).toBe(30);
    expect([...ses.accepted.values()].every((n) => n === 1)).toBe(true);
    expect((await st.call('GET', `/v1/campaigns/${campaignId}`)).body.counts.sent).toBe(30);
  });

  it('counts a send whose sender died before recording it as failed, without sending it again', async () => {
    const ses = new StubSes(() => undefined);
    const clock = new FakeClock(new Date('2026-11-23T10:00:00Z'));
    s = await startTestStack({
      sendRatePerSecond: 10_000,
      clock,
      env: { REQUEUE_DELAY_SECONDS: '0' },
      overrides: { messenger: ses, sleep: async () => undefined },
    });
    const st = s;
    await importContacts(st, 5, 'stranded');
    const { campaignId, ids } = await sendingByHand(st, 'stranded', 5);
    // A sender claimed the first recipient, then timed out before recording what SES said.
    expect(await st.deps.campaigns.claimSend(campaignId, ids[0] as string, 'claimed')).toBe(true);
    const record = (id: string) => sqsRecord(id, { campaignId, contactIds: ids });
    const handler = sender(st.deps);
    // Within the lease the claim is left alone (the first sender may still be working).
    await handler({ Records: [record('a')] });
    expect((await st.deps.campaigns.getSend(campaignId, ids[0] as string))?.status).toBe('claimed');
    clock.advance(10 * 60_000);
    await handler({ Records: [record('b')] });
    const stranded = await st.deps.campaigns.getSend(campaignId, ids[0] as string);
    expect(stranded?.status).toBe('failed');
    expect(stranded?.error).toMatch(/unknown/i);
    expect(ses.accepted.has('stranded0@example.com')).toBe(false);
    expect(ses.accepted.size).toBe(4);
    const counts = (await st.call('GET', `/v1/campaigns/${campaignId}`)).body.counts;
    expect(counts).toMatchObject({ sent: 4, failed: 1 });
  });

  it('survives an unexpected error in the middle of a job: nobody stranded, nobody sent twice', async () => {
    let thrown = 0;
    const ses = new StubSes(() => undefined);
    const send = ses.send.bind(ses);
    // The third message blows up with something that is not a provider failure (a bug, a network glitch).
    ses.send = async (m) => {
      if (ses.calls === 2 && thrown === 0) {
        thrown++;
        ses.calls++;
        throw new Error('socket hang up');
      }
      return send(m);
    };
    const st = await stackWith(ses);
    await importContacts(st, 30, 'glitch');
    const id = await sendCampaign(st, 'glitch');
    const done = await waitForCampaign(st, id, ['sent', 'paused']);
    expect(thrown).toBe(1);
    expect(done.status).toBe('sent');
    expect(done.counts).toMatchObject({ targeted: 30, sent: 30, failed: 0 });
    expect(ses.accepted.size).toBe(30);
    expect([...ses.accepted.values()].every((n) => n === 1)).toBe(true);
  });

  it('pauses the campaign with its reason past the error threshold', async () => {
    const ses = new StubSes(() => 'permanent');
    const st = await stackWith(ses);
    await importContacts(st, 120, 'broken');
    const id = await sendCampaign(st, 'broken');
    const paused = await waitForCampaign(st, id, ['paused']);
    expect(paused.pausedReason).toMatch(/sends failed/);
    expect(paused.counts.failed).toBeGreaterThanOrEqual(20);
    expect(paused.counts.sent).toBe(0);
  });

  it('pauses when the provider cannot send at all, and finishes after a resume', async () => {
    let down = true;
    const ses = new StubSes(() => (down ? 'fatal' : undefined));
    const st = await stackWith(ses);
    await importContacts(st, 40, 'fatal');
    const id = await sendCampaign(st, 'fatal');
    const paused = await waitForCampaign(st, id, ['paused']);
    expect(paused.pausedReason).toMatch(/refused to send/);
    down = false;
    expect((await st.call('POST', `/v1/campaigns/${id}/resume`)).status).toBe(202);
    const done = await waitForCampaign(st, id, ['sent']);
    expect(done.counts).toMatchObject({ targeted: 40, sent: 40, failed: 0 });
    expect(ses.accepted.size).toBe(40);
  });
});
