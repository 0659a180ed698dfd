import { describe, expect, it, vi } from 'vitest';
import type { Campaign, SendJob } from '../../../../functions/domain/campaigns/campaign';
import { prepareContent } from '../../../../functions/domain/campaigns/message';
import {
  emptyTally,
  errorRateReason,
  type JobContext,
  type SendOneOutcome,
  sendJob,
  sendOne,
  tally,
} from '../../../../functions/domain/campaigns/sender';
import type { Channel, Contact } from '../../../../functions/domain/contacts/contact';
import { couponCode, formatCode } from '../../../../functions/domain/coupons/codes';
import type { Coupon } from '../../../../functions/domain/coupons/coupon';
import { SendFailure } from '../../../../functions/domain/shared/messaging';
import {
  campaign,
  contact,
  content,
  NOW,
  OFFER,
  ring,
  seed,
  senderDeps,
  type TestSenderDeps,
} from './support';

const ISO = NOW.toISOString();
const MINUTE = 60_000;
/** 22:30 in Paris (quiet hours), 16:30 in New York. */
const PARIS_NIGHT = new Date('2026-11-23T21:30:00.000Z');

/** A job's context as sendJob builds it: email contacts read in one batch, SMS contacts left to sendOne. */
async function ctxFor(deps: TestSenderDeps, c: Campaign, channel: Channel = 'email'): Promise<JobContext> {
  const ctx: JobContext = { campaign: c, channel, content: prepareContent(content(c.id)), ring };
  if (channel === 'email') ctx.contacts = await deps.contacts.getMany([...deps.contacts.items.keys()]);
  return ctx;
}

/** Deps with one campaign (stored) and its contacts. */
async function given(
  over: { campaign?: Partial<Campaign>; contacts?: Contact[]; deps?: Parameters<typeof senderDeps>[0] } = {},
) {
  const deps = senderDeps(over.deps);
  const contacts = over.contacts ?? [contact('c_1')];
  const c = campaign({
    counts: { targeted: contacts.length, sent: 0, failed: 0, skipped: 0 },
    ...over.campaign,
  });
  await seed(deps, c, contacts);
  return { deps, c };
}

const job = (contactIds: string[], channel?: Channel): SendJob => ({
  campaignId: 'cmp_1',
  contactIds,
  ...(channel ? { channel } : {}),
});

describe('sendOne: skipped', () => {
  it.each([
    ['no_consent', { consent: {} }],
    ['suppressed', { suppressed: ['email'] }],
    ['no_address', { email: undefined }],
  ] as const)('records a %s contact as skipped, once, and sends nothing', async (reason, over) => {
    const { deps, c } = await given({ contacts: [contact('c_1', over as Partial<Contact>)] });
    const ctx = await ctxFor(deps, c);
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'skipped', reason, counted: true });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      status: 'skipped',
      reason,
      claimedAt: ISO,
    });
    // The same recipient again (a duplicated job): the record is there, nothing is counted twice.
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'skipped', reason, counted: false });
    expect(deps.messenger.calls).toEqual([]);
  });

  it('skips a contact erased since planning as `erased`', async () => {
    const { deps, c } = await given({ contacts: [] });
    const ctx = await ctxFor(deps, c);
    expect(await sendOne(deps, ctx, 'c_gone')).toEqual({ kind: 'skipped', reason: 'erased', counted: true });
    expect((await deps.campaigns.getSend('cmp_1', 'c_gone'))?.reason).toBe('erased');
  });

  it('reads an SMS contact just before its send: a STOP since planning skips it', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    const ctx = await ctxFor(deps, c, 'sms');
    const k = deps.contacts.items.get('c_1') as Contact;
    deps.contacts.items.set('c_1', { ...k, suppressed: ['sms'] });
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'skipped', reason: 'suppressed', counted: true });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1', 'sms')).toMatchObject({
      status: 'skipped',
      channel: 'sms',
    });
    // The email record of the same contact is another one, untouched.
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toBeUndefined();
    expect(deps.sms.calls).toEqual([]);
  });
});

describe('sendOne: deferred', () => {
  it('defers an SMS in quiet hours until they end in the contact’s time zone, writing nothing', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    deps.clock.set(PARIS_NIGHT);
    const ctx = await ctxFor(deps, c, 'sms');
    // 08:00 in Paris the next morning.
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({
      kind: 'deferred',
      until: new Date('2026-11-24T07:00:00.000Z'),
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1', 'sms')).toBeUndefined();
    expect(deps.sms.calls).toEqual([]);
  });

  it('texts at once a contact for whom it is daytime', async () => {
    const { deps, c } = await given({
      campaign: { channel: 'sms' },
      contacts: [contact('c_1', { timeZone: 'America/New_York' })],
    });
    deps.clock.set(PARIS_NIGHT);
    const outcome = await sendOne(deps, await ctxFor(deps, c, 'sms'), 'c_1');
    expect(outcome.kind).toBe('sent');
  });

  it('defers an email until the campaign’s local delivery time on the day sending started', async () => {
    const { deps, c } = await given({ campaign: { localTime: '14:00' } });
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'deferred',
      until: new Date('2026-11-23T13:00:00.000Z'),
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toBeUndefined();
    // Once it is past that hour, the email goes.
    deps.clock.set(new Date('2026-11-23T13:00:00.000Z'));
    expect((await sendOne(deps, await ctxFor(deps, c), 'c_1')).kind).toBe('sent');
  });
});

describe('sendOne: capped', () => {
  it('holds back a contact who had its share of messages (frequency cap), as a skipped record', async () => {
    const { deps, c } = await given({ deps: { frequencyCap: { messages: 1, days: 7 } } });
    deps.frequency.items.set('c_1', {
      messages: [{ campaignId: 'cmp_0', channel: 'email', at: '2026-11-20T10:00:00.000Z' }],
      version: 1,
    });
    const ctx = await ctxFor(deps, c);
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'capped', limit: 'capped', counted: true });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toMatchObject({
      status: 'skipped',
      reason: 'capped',
    });
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'capped', limit: 'capped', counted: false });
    expect(deps.messenger.calls).toEqual([]);
  });

  it('counts a message that fits against the cap, once however often it is retried', async () => {
    const { deps, c } = await given({ deps: { frequencyCap: { messages: 2, days: 7 } } });
    expect((await sendOne(deps, await ctxFor(deps, c), 'c_1')).kind).toBe('sent');
    expect(deps.frequency.items.get('c_1')?.messages).toEqual([
      { campaignId: 'cmp_1', channel: 'email', at: ISO },
    ]);
  });

  it('holds back a contact its automation messaged within the cooldown', async () => {
    const { deps, c } = await given({
      campaign: { automation: { id: 'au_1', step: 0, runDay: '2026-11-23', cooldownDays: 30 } },
    });
    deps.automations.messaged.set('au_1#c_1', {
      lastMessagedAt: '2026-11-10T10:00:00.000Z',
      campaignId: 'cmp_0',
    });
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'capped',
      limit: 'cooldown',
      counted: true,
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.reason).toBe('cooldown');
    expect(deps.messenger.calls).toEqual([]);
  });

  it('records the automation’s message when it goes', async () => {
    const { deps, c } = await given({
      campaign: { automation: { id: 'au_1', step: 0, runDay: '2026-11-23', cooldownDays: 30 } },
    });
    expect((await sendOne(deps, await ctxFor(deps, c), 'c_1')).kind).toBe('sent');
    expect(deps.automations.messaged.get('au_1#c_1')).toEqual({ lastMessagedAt: ISO, campaignId: 'cmp_1' });
  });
});

describe('sendOne: claimed elsewhere', () => {
  it('leaves alone a recipient already sent', async () => {
    const { deps, c } = await given();
    const ctx = await ctxFor(deps, c);
    expect((await sendOne(deps, ctx, 'c_1')).kind).toBe('sent');
    expect(await sendOne(deps, ctx, 'c_1')).toEqual({ kind: 'claimed_elsewhere', expired: false });
    expect(deps.messenger.calls).toHaveLength(1);
  });

  it('leaves alone a claim within its lease (its sender may still be working)', async () => {
    const { deps, c } = await given();
    await deps.campaigns.claimSend('cmp_1', 'c_1', 'claimed');
    deps.clock.advance(4 * MINUTE);
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'claimed_elsewhere',
      expired: false,
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.status).toBe('claimed');
    expect(deps.messenger.calls).toEqual([]);
  });

  it('counts a claim past its lease as failed (outcome unknown), without sending it again', async () => {
    const { deps, c } = await given();
    await deps.campaigns.claimSend('cmp_1', 'c_1', 'claimed');
    deps.clock.advance(6 * MINUTE);
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'claimed_elsewhere',
      expired: true,
    });
    const r = await deps.campaigns.getSend('cmp_1', 'c_1');
    expect(r).toMatchObject({
      status: 'failed',
      claimedAt: ISO,
      settledAt: new Date(NOW.getTime() + 6 * MINUTE).toISOString(),
    });
    expect(r?.error).toMatch(/unknown/i);
    expect(deps.messenger.calls).toEqual([]);
  });
});

describe('sendOne: sent', () => {
  it('claims, sends and records the email with its message id and locale', async () => {
    const { deps, c } = await given();
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'sent',
      messageId: 'email-1',
      couponIssued: false,
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      status: 'sent',
      messageId: 'email-1',
      locale: 'fr',
      claimedAt: ISO,
      settledAt: ISO,
    });
    expect(deps.messenger.sent.map((m) => [m.to, m.subject])).toEqual([
      ['c_1@example.com', 'Bonjour Ann c_1'],
    ]);
    expect(deps.coupons.items.size).toBe(0);
  });

  it('issues the recipient’s coupon, puts it in the email and on the record', async () => {
    const { deps, c } = await given({ campaign: { offer: OFFER } });
    const code = couponCode(ring, 'cmp_1', 'c_1');
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'sent',
      messageId: 'email-1',
      couponIssued: true,
    });
    expect(deps.coupons.items.get(code)).toMatchObject({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      status: 'issued',
      validFrom: ISO,
      validUntil: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.couponCode).toBe(code);
    expect(await deps.coupons.codeOf('cmp_1', 'c_1')).toBe(code);
    expect(deps.messenger.sent[0]?.html).toContain(formatCode(code));
  });

  it('finds the same coupon again when a recipient in retry is sent: issued once', async () => {
    const { deps, c } = await given({ campaign: { offer: OFFER } });
    deps.messenger.failFor('c_1@example.com', new SendFailure('transient', 'Service unavailable'), 4);
    const ctx = await ctxFor(deps, c);
    expect(await sendOne(deps, ctx, 'c_1')).toMatchObject({ kind: 'retry', couponIssued: true });
    expect(await sendOne(deps, ctx, 'c_1')).toMatchObject({ kind: 'sent', couponIssued: false });
    expect(deps.coupons.items.size).toBe(1);
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.couponCode).toBe(couponCode(ring, 'cmp_1', 'c_1'));
  });

  it('leaves out of a reminder the journey’s coupon once it has expired', async () => {
    const { deps, c } = await given({ campaign: { id: 'cmp_1', offer: OFFER, couponFrom: 'cmp_0' } });
    const code = couponCode(ring, 'cmp_0', 'c_1');
    const expired: Coupon = {
      code,
      campaignId: 'cmp_0',
      contactId: 'c_1',
      status: 'issued',
      offer: OFFER,
      validFrom: '2026-10-01T00:00:00.000Z',
      validUntil: '2026-10-31T00:00:00.000Z',
      stores: 'all',
      issuedAt: '2026-10-01T00:00:00.000Z',
      history: [{ action: 'issued', at: '2026-10-01T00:00:00.000Z' }],
    };
    deps.coupons.items.set(code, expired);
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'sent',
      messageId: 'email-1',
      couponIssued: false,
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.couponCode).toBeUndefined();
    expect(deps.messenger.sent[0]?.html).not.toContain(formatCode(code));
  });

  it('carries the journey’s coupon, still valid, in a reminder: the same code, not a new one', async () => {
    const { deps, c } = await given({ campaign: { id: 'cmp_1', offer: OFFER, couponFrom: 'cmp_0' } });
    const code = couponCode(ring, 'cmp_0', 'c_1');
    deps.coupons.items.set(code, {
      code,
      campaignId: 'cmp_0',
      contactId: 'c_1',
      status: 'issued',
      offer: OFFER,
      validFrom: '2026-11-20T00:00:00.000Z',
      validUntil: '2026-12-20T00:00:00.000Z',
      stores: 'all',
      issuedAt: '2026-11-20T00:00:00.000Z',
      history: [{ action: 'issued', at: '2026-11-20T00:00:00.000Z' }],
    });
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toMatchObject({
      kind: 'sent',
      couponIssued: false,
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.couponCode).toBe(code);
    expect(deps.coupons.items.size).toBe(1);
  });

  it('sends an SMS with its short link and records its parts', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    expect(await sendOne(deps, await ctxFor(deps, c, 'sms'), 'c_1')).toEqual({
      kind: 'sent',
      messageId: 'sms-1',
      segments: 1,
      couponIssued: false,
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1', 'sms')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      channel: 'sms',
      status: 'sent',
      messageId: 'sms-1',
      locale: 'fr',
      segments: 1,
      claimedAt: ISO,
      settledAt: ISO,
    });
    const [link] = [...deps.shortLinks.items.values()];
    expect(link).toMatchObject({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      link: 0,
      url: 'https://shop.example/offer',
    });
    expect(deps.sms.sent).toEqual([
      {
        to: '+33612340001',
        body: `Maison Relance: https://t.relance.example/s/${link?.code} STOP 36111`,
        tags: { campaignId: 'cmp_1', contactId: 'c_1' },
      },
    ]);
  });
});

describe('sendOne: failed', () => {
  it('records a permanent refusal as failed, with the error and the locale, and goes on', async () => {
    const { deps, c } = await given();
    deps.messenger.failFor('c_1@example.com', new SendFailure('permanent', 'MessageRejected: bad address'));
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'failed',
      error: 'MessageRejected: bad address',
      couponIssued: false,
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      status: 'failed',
      error: 'MessageRejected: bad address',
      locale: 'fr',
      claimedAt: ISO,
      settledAt: ISO,
    });
    // Refused for good: tried once, not retried in process.
    expect(deps.messenger.calls).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
  });

  it('says the coupon was issued although the message was refused', async () => {
    const { deps, c } = await given({ campaign: { offer: OFFER } });
    deps.messenger.failFor('c_1@example.com', new SendFailure('permanent', 'MessageRejected'));
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toMatchObject({
      kind: 'failed',
      couponIssued: true,
    });
    expect(deps.coupons.items.size).toBe(1);
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.couponCode).toBeUndefined();
  });

  it('throws when the refusal cannot be recorded: the queue retries the job, the claim prevents a resend', async () => {
    const { deps, c } = await given();
    deps.messenger.failFor('c_1@example.com', new SendFailure('permanent', 'MessageRejected'));
    vi.spyOn(deps.campaigns, 'settleSend').mockRejectedValueOnce(new Error('DynamoDB unavailable'));
    await expect(sendOne(deps, await ctxFor(deps, c), 'c_1')).rejects.toThrow('DynamoDB unavailable');
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.status).toBe('claimed');
  });
});

describe('sendOne: opted out', () => {
  it('skips a number on the provider’s opt-out list and revokes the contact’s SMS consent', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    deps.sms.failFor('+33612340001', new SendFailure('opted_out', 'The destination opted out'));
    expect(await sendOne(deps, await ctxFor(deps, c, 'sms'), 'c_1')).toEqual({
      kind: 'opted_out',
      couponIssued: false,
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1', 'sms')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      channel: 'sms',
      status: 'skipped',
      reason: 'opted_out',
      error: 'The destination opted out',
      claimedAt: ISO,
      settledAt: ISO,
    });
    const k = await deps.contacts.get('c_1');
    expect(k?.suppressed).toEqual(['sms']);
    expect(k?.consent.sms).toEqual({ status: 'denied', source: 'opt-out:provider', at: ISO });
    expect(k?.consent.email?.status).toBe('granted');
    expect(deps.suppression.entries.get('phone#+33612340001')).toEqual({
      channel: 'sms',
      reasons: ['opt-out:provider'],
    });
  });

  it('is still an opt-out when the suppression cannot be written (logged)', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    deps.sms.failFor('+33612340001', new SendFailure('opted_out', 'opted out'));
    vi.spyOn(deps.suppression, 'suppress').mockRejectedValueOnce(new Error('throttled'));
    expect(await sendOne(deps, await ctxFor(deps, c, 'sms'), 'c_1')).toEqual({
      kind: 'opted_out',
      couponIssued: false,
    });
    expect(deps.logger.error).toHaveBeenCalledWith('Could not record a provider opt-out', expect.anything());
  });
});

describe('sendOne: retry', () => {
  it('retries a throttled send in process, then gives the recipient back to the queue as `retry`', async () => {
    const { deps, c } = await given();
    deps.messenger.failFor('c_1@example.com', new SendFailure('throttled', 'Maximum sending rate exceeded'));
    const outcome = await sendOne(deps, await ctxFor(deps, c), 'c_1');
    expect(outcome).toMatchObject({
      kind: 'retry',
      failure: 'throttled',
      accepted: false,
      couponIssued: false,
    });
    expect((outcome as Extract<SendOneOutcome, { kind: 'retry' }>).error.message).toBe(
      'Maximum sending rate exceeded',
    );
    // Four attempts, three waits in between.
    expect(deps.messenger.calls).toHaveLength(4);
    expect(deps.sleeps).toHaveLength(3);
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toMatchObject({
      status: 'retry',
      error: 'Maximum sending rate exceeded',
    });
    // A record in retry may be claimed again.
    expect(await deps.campaigns.claimSend('cmp_1', 'c_1', 'claimed')).toBe(true);
  });

  it('sends after a throttle that passes within the in-process retries', async () => {
    const { deps, c } = await given();
    deps.messenger.failFor('c_1@example.com', new SendFailure('throttled', 'slow down'), 2);
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toEqual({
      kind: 'sent',
      messageId: 'email-1',
      couponIssued: false,
    });
    expect(deps.messenger.calls).toHaveLength(3);
    expect(deps.sleeps).toHaveLength(2);
  });

  it('gives back a transient failure as `retry` with its kind', async () => {
    const { deps, c } = await given();
    deps.messenger.failFor('c_1@example.com', new SendFailure('transient', 'Service unavailable'));
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toMatchObject({
      kind: 'retry',
      failure: 'transient',
      accepted: false,
    });
    expect((await deps.campaigns.getSend('cmp_1', 'c_1'))?.status).toBe('retry');
  });

  it('gives back an unexpected error after the claim, without a failure kind', async () => {
    const { deps, c } = await given({ campaign: { channel: 'sms' } });
    const ctx = await ctxFor(deps, c, 'sms');
    delete ctx.content.sms;
    const outcome = await sendOne(deps, ctx, 'c_1');
    expect(outcome).toMatchObject({ kind: 'retry', accepted: false, couponIssued: false });
    expect('failure' in outcome).toBe(false);
    expect(await deps.campaigns.getSend('cmp_1', 'c_1', 'sms')).toMatchObject({
      status: 'retry',
      error: 'Campaign cmp_1 has no SMS content',
    });
  });

  it('gives back a failed read before the claim, leaving no record', async () => {
    const { deps, c } = await given({ contacts: [contact('c_1', { homeStoreId: 'paris-11' })] });
    vi.spyOn(deps.stores, 'get').mockRejectedValueOnce(new Error('timeout'));
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toMatchObject({
      kind: 'retry',
      accepted: false,
    });
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toBeUndefined();
  });

  it('keeps the claim of a message the provider accepted when recording it fails (`accepted`)', async () => {
    const { deps, c } = await given();
    vi.spyOn(deps.campaigns, 'settleSend').mockRejectedValueOnce(new Error('ProvisionedThroughputExceeded'));
    expect(await sendOne(deps, await ctxFor(deps, c), 'c_1')).toMatchObject({
      kind: 'retry',
      accepted: true,
      couponIssued: false,
    });
    expect(deps.messenger.sent).toHaveLength(1);
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      status: 'claimed',
      claimedAt: ISO,
    });
  });
});

describe('sendOne: fatal', () => {
  it.each([
    ['email', 'The email provider refused to send: Sending paused for this account'],
    ['sms', 'The SMS provider refused to send: Sending paused for this account'],
  ] as const)(
    'stops on a %s account that cannot send, giving the recipient back',
    async (channel, reason) => {
      const { deps, c } = await given({ campaign: { channel } });
      const fatal = new SendFailure('fatal', 'Sending paused for this account');
      (channel === 'email' ? deps.messenger : deps.sms).fail = fatal;
      expect(await sendOne(deps, await ctxFor(deps, c, channel), 'c_1')).toEqual({
        kind: 'fatal',
        reason,
        error: fatal,
        couponIssued: false,
      });
      expect((await deps.campaigns.getSend('cmp_1', 'c_1', channel))?.status).toBe('retry');
    },
  );
});

describe('tally', () => {
  const at = '2026-11-23T10:00:00.000Z';
  const run = (outcome: SendOneOutcome, channel: Channel = 'email') => {
    const t = emptyTally();
    const next = tally(t, 'c_1', outcome, { campaign: { id: 'cmp_1' }, channel, at });
    return { t, next };
  };
  const base = emptyTally();

  it('starts empty', () => {
    expect(base).toEqual({
      counted: { sent: 0, failed: 0, skipped: 0 },
      sms: { sms_sent: 0, sms_segments: 0, sms_failed: 0, sms_opted_out: 0 },
      totals: { capped: 0, cooldown: 0, coupons_issued: 0 },
      sent: [],
      deferred: [],
      wakeAt: Number.POSITIVE_INFINITY,
    });
  });

  it('counts a skip the first time only', () => {
    expect(run({ kind: 'skipped', reason: 'no_consent', counted: true })).toEqual({
      t: { ...base, counted: { sent: 0, failed: 0, skipped: 1 } },
      next: 'continue',
    });
    expect(run({ kind: 'skipped', reason: 'no_consent', counted: false })).toEqual({
      t: base,
      next: 'continue',
    });
  });

  it('counts a capped recipient as skipped and under its limit, the first time only', () => {
    expect(run({ kind: 'capped', limit: 'capped', counted: true })).toEqual({
      t: {
        ...base,
        counted: { sent: 0, failed: 0, skipped: 1 },
        totals: { capped: 1, cooldown: 0, coupons_issued: 0 },
      },
      next: 'continue',
    });
    expect(run({ kind: 'capped', limit: 'cooldown', counted: true }).t.totals).toEqual({
      capped: 0,
      cooldown: 1,
      coupons_issued: 0,
    });
    expect(run({ kind: 'capped', limit: 'cooldown', counted: false })).toEqual({ t: base, next: 'continue' });
  });

  it('collects the deferred and when the first of them wakes', () => {
    const t = emptyTally();
    const job = { campaign: { id: 'cmp_1' }, channel: 'sms' as const, at };
    tally(t, 'c_1', { kind: 'deferred', until: new Date('2026-11-24T07:00:00.000Z') }, job);
    expect(tally(t, 'c_2', { kind: 'deferred', until: new Date('2026-11-24T06:00:00.000Z') }, job)).toBe(
      'continue',
    );
    tally(t, 'c_3', { kind: 'deferred', until: new Date('2026-11-24T08:00:00.000Z') }, job);
    expect(t.deferred).toEqual(['c_1', 'c_2', 'c_3']);
    expect(t.wakeAt).toBe(Date.parse('2026-11-24T06:00:00.000Z'));
    expect(t.counted).toEqual(base.counted);
  });

  it('counts an expired claim as failed (an SMS in the SMS funnel too), and another claim as nothing', () => {
    expect(run({ kind: 'claimed_elsewhere', expired: true }).t.counted).toEqual({
      sent: 0,
      failed: 1,
      skipped: 0,
    });
    expect(run({ kind: 'claimed_elsewhere', expired: true }).t.sms.sms_failed).toBe(0);
    expect(run({ kind: 'claimed_elsewhere', expired: true }, 'sms').t.sms.sms_failed).toBe(1);
    expect(run({ kind: 'claimed_elsewhere', expired: false })).toEqual({ t: base, next: 'continue' });
  });

  it('counts a send and its `sent` webhook event; an SMS adds its parts', () => {
    const email = run({ kind: 'sent', messageId: 'm-1', couponIssued: false });
    expect(email).toEqual({
      t: {
        ...base,
        counted: { sent: 1, failed: 0, skipped: 0 },
        sent: [
          {
            type: 'sent',
            at,
            campaignId: 'cmp_1',
            contactId: 'c_1',
            channel: 'email',
            data: { messageId: 'm-1' },
          },
        ],
      },
      next: 'continue',
    });
    const sms = run({ kind: 'sent', messageId: 's-1', segments: 3, couponIssued: false }, 'sms');
    expect(sms.t.sms).toEqual({ sms_sent: 1, sms_segments: 3, sms_failed: 0, sms_opted_out: 0 });
    expect(sms.t.sent[0]?.channel).toBe('sms');
  });

  it('counts a refusal as failed, and an SMS one in the SMS funnel', () => {
    expect(run({ kind: 'failed', error: 'x', couponIssued: false })).toEqual({
      t: { ...base, counted: { sent: 0, failed: 1, skipped: 0 } },
      next: 'continue',
    });
    expect(run({ kind: 'failed', error: 'x', couponIssued: false }, 'sms').t.sms.sms_failed).toBe(1);
  });

  it('counts an opt-out as skipped and opted out', () => {
    expect(run({ kind: 'opted_out', couponIssued: false }, 'sms')).toEqual({
      t: {
        ...base,
        counted: { sent: 0, failed: 0, skipped: 1 },
        sms: { sms_sent: 0, sms_segments: 0, sms_failed: 0, sms_opted_out: 1 },
      },
      next: 'continue',
    });
  });

  it('stops on a retry, counting nothing', () => {
    expect(
      run({
        kind: 'retry',
        error: new Error('x'),
        failure: 'throttled',
        accepted: false,
        couponIssued: false,
      }),
    ).toEqual({ t: base, next: 'stop' });
  });

  it('stops on a fatal failure with the pause reason', () => {
    const error = new SendFailure('fatal', 'paused');
    expect(
      run({
        kind: 'fatal',
        reason: 'The email provider refused to send: paused',
        error,
        couponIssued: false,
      }),
    ).toEqual({
      t: { ...base, pauseReason: 'The email provider refused to send: paused' },
      next: 'stop',
    });
  });

  it.each<SendOneOutcome>([
    { kind: 'sent', messageId: 'm', couponIssued: true },
    { kind: 'failed', error: 'x', couponIssued: true },
    { kind: 'opted_out', couponIssued: true },
    { kind: 'retry', error: new Error('x'), accepted: false, couponIssued: true },
    { kind: 'fatal', reason: 'r', error: new SendFailure('fatal', 'r'), couponIssued: true },
  ])('counts a coupon issued whatever became of the message ($kind)', (outcome) => {
    expect(run(outcome).t.totals.coupons_issued).toBe(1);
    expect(run({ ...outcome, couponIssued: false } as SendOneOutcome).t.totals.coupons_issued).toBe(0);
  });

  it('accumulates over the recipients of a job', () => {
    const t = emptyTally();
    const job = { campaign: { id: 'cmp_1' }, channel: 'email' as const, at };
    tally(t, 'c_1', { kind: 'sent', messageId: 'a', couponIssued: true }, job);
    tally(t, 'c_2', { kind: 'sent', messageId: 'b', couponIssued: true }, job);
    tally(t, 'c_3', { kind: 'failed', error: 'x', couponIssued: false }, job);
    tally(t, 'c_4', { kind: 'skipped', reason: 'suppressed', counted: true }, job);
    expect(t.counted).toEqual({ sent: 2, failed: 1, skipped: 1 });
    expect(t.totals.coupons_issued).toBe(2);
    expect(t.sent.map((e) => e.contactId)).toEqual(['c_1', 'c_2']);
  });
});

describe('errorRateReason', () => {
  const rule = { errorThreshold: 0.1, errorThresholdMin: 5 };

  it('says nothing below the minimum number of failures, whatever the rate', () => {
    expect(errorRateReason({ sent: 0, failed: 4 }, rule)).toBeUndefined();
  });

  it('says nothing at the threshold, and pauses past it', () => {
    expect(errorRateReason({ sent: 45, failed: 5 }, rule)).toBeUndefined();
    expect(errorRateReason({ sent: 44, failed: 6 }, rule)).toBe('6 of 50 sends failed (over 10%)');
    expect(errorRateReason({ sent: 0, failed: 5 }, rule)).toBe('5 of 5 sends failed (over 10%)');
  });

  it('names the threshold as a rounded percentage', () => {
    expect(errorRateReason({ sent: 10, failed: 10 }, { errorThreshold: 0.255, errorThresholdMin: 1 })).toBe(
      '10 of 20 sends failed (over 26%)',
    );
  });
});

describe('sendJob', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `c_${i + 1}`);
  const contacts = (n: number, over: (id: string) => Partial<Contact> = () => ({})) =>
    ids(n).map((id) => contact(id, over(id)));

  it.each([
    ['an unknown campaign', undefined],
    ['a cancelled campaign', 'cancelled'],
    ['a sent campaign', 'sent'],
  ] as const)('drops the job of %s', async (_what, status) => {
    const { deps } = await given({ campaign: status ? { status } : { id: 'cmp_other' } });
    expect(await sendJob(deps, job(['c_1']))).toEqual({ counted: {}, requeued: 0 });
    expect(deps.messenger.calls).toEqual([]);
    expect(deps.sendQueue.batches).toEqual([]);
    expect(await deps.campaigns.getSend('cmp_1', 'c_1')).toBeUndefined();
  });

  it.each(['paused', 'draft', 'scheduled'] as const)(
    'puts the whole job of a %s campaign back on the queue, untouched',
    async (status) => {
      const { deps } = await given({ campaign: { status }, contacts: contacts(2) });
      expect(await sendJob(deps, job(['c_1', 'c_2']))).toEqual({ counted: {}, requeued: 2 });
      expect(deps.sendQueue.batches).toEqual([{ jobs: [job(['c_1', 'c_2'])], delay: 60 }]);
      expect(deps.messenger.calls).toEqual([]);
    },
  );

  it('keeps up to `inFlight` recipients in flight at once, each sent once and counted', async () => {
    const { deps } = await given({ contacts: contacts(40), deps: { inFlight: 8 } });
    let inFlight = 0;
    let most = 0;
    const send = deps.messenger.send.bind(deps.messenger);
    deps.messenger.send = async (m) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        for (let i = 0; i < 3; i++) await Promise.resolve();
        return await send(m);
      } finally {
        inFlight--;
      }
    };
    expect(await sendJob(deps, job(ids(40)))).toEqual({
      counted: { sent: 40, failed: 0, skipped: 0 },
      requeued: 0,
    });
    expect(most).toBe(8);
    expect(new Set(deps.messenger.sent.map((m) => m.to)).size).toBe(40);
    expect(deps.messenger.sent).toHaveLength(40);
    expect((await deps.campaigns.get('cmp_1'))?.counts).toEqual({
      targeted: 40,
      sent: 40,
      failed: 0,
      skipped: 0,
    });
  });

  it('with several in flight, a fatal failure lets those in flight finish and puts the rest back, unclaimed', async () => {
    const { deps } = await given({ contacts: contacts(20), deps: { inFlight: 4 } });
    deps.messenger.failFor('c_3@example.com', new SendFailure('fatal', 'Account paused'));
    const out = await sendJob(deps, job(ids(20)));
    const sent = deps.messenger.sent.map((m) => m.to.split('@')[0] as string);
    // Nobody is both sent and put back; everybody is one or the other (or the failed one).
    const requeued = deps.sendQueue.batches.flatMap((b) => b.jobs.flatMap((j) => (j as SendJob).contactIds));
    expect(requeued).toContain('c_3');
    for (const id of sent) expect(requeued).not.toContain(id);
    expect(new Set([...sent, ...requeued]).size).toBe(20);
    expect(out.requeued).toBe(requeued.length);
    expect(sent.length).toBeLessThan(20);
    for (const id of requeued.filter((x) => x !== 'c_3'))
      expect(await deps.campaigns.getSend('cmp_1', id)).toBeUndefined();
    expect((await deps.campaigns.get('cmp_1'))?.status).toBe('paused');
  });

  it('with several in flight, an unexpected error stops the others, writes what was counted, and fails the job', async () => {
    const { deps } = await given({ contacts: contacts(12), deps: { inFlight: 4 } });
    // A permanent refusal whose settle write fails: the one path where sendOne throws.
    deps.messenger.failFor('c_3@example.com', new SendFailure('permanent', 'Address refused'));
    const settle = deps.campaigns.settleSend.bind(deps.campaigns);
    deps.campaigns.settleSend = async (campaignId, contactId, outcome, channel) => {
      if (contactId === 'c_3') throw new Error('DynamoDB unavailable');
      return settle(campaignId, contactId, outcome, channel);
    };
    await expect(sendJob(deps, job(ids(12)))).rejects.toThrow('DynamoDB unavailable');
    const sent = deps.messenger.sent.length;
    expect(sent).toBeLessThan(12);
    // Those settled are counted now; nothing of the job is put back: the queue retries it whole.
    expect((await deps.campaigns.get('cmp_1'))?.counts.sent).toBe(sent);
    expect(deps.sendQueue.batches).toEqual([]);
  });

  it('sends every recipient, writes the counts, publishes `sent` and completes the campaign', async () => {
    const { deps } = await given({ contacts: contacts(3) });
    expect(await sendJob(deps, job(ids(3)))).toEqual({
      counted: { sent: 3, failed: 0, skipped: 0 },
      requeued: 0,
    });
    expect(deps.messenger.sent.map((m) => m.to)).toEqual([
      'c_1@example.com',
      'c_2@example.com',
      'c_3@example.com',
    ]);
    const after = await deps.campaigns.get('cmp_1');
    expect(after?.counts).toEqual({ targeted: 3, sent: 3, failed: 0, skipped: 0 });
    expect(after?.status).toBe('sent');
    expect(after?.completedAt).toBe(ISO);
    expect(deps.publisher.published).toEqual(
      ids(3).map((id, i) => ({
        type: 'sent',
        at: ISO,
        campaignId: 'cmp_1',
        contactId: id,
        channel: 'email',
        data: { messageId: `email-${i + 1}` },
      })),
    );
    expect(deps.sendQueue.batches).toEqual([]);
    // Nothing but SMS, caps and coupons goes to the engagement counters: none here.
    expect(deps.engagement.countCalls).toEqual([]);
  });

  it('completes once every recipient has an outcome, skipped ones included', async () => {
    const { deps } = await given({ contacts: [contact('c_1'), contact('c_2', { consent: {} })] });
    expect((await sendJob(deps, job(['c_1', 'c_2']))).counted).toEqual({ sent: 1, failed: 0, skipped: 1 });
    expect((await deps.campaigns.get('cmp_1'))?.status).toBe('sent');
  });

  it('does not complete while planning goes on or recipients are pending', async () => {
    const planning = await given({
      campaign: { plan: { cursor: 'c_9', done: false } },
      contacts: contacts(1),
    });
    await sendJob(planning.deps, job(['c_1']));
    expect(await planning.deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'sending',
      counts: { sent: 1 },
    });

    const more = await given({
      campaign: { counts: { targeted: 5, sent: 0, failed: 0, skipped: 0 } },
      contacts: contacts(2),
    });
    await sendJob(more.deps, job(['c_1', 'c_2']));
    expect((await more.deps.campaigns.get('cmp_1'))?.status).toBe('sending');
  });

  it('sends nothing twice when the same job runs twice at once, and counts each recipient once', async () => {
    const { deps } = await given({ contacts: contacts(4) });
    const [a, b] = await Promise.all([sendJob(deps, job(ids(4))), sendJob(deps, job(ids(4)))]);
    expect(deps.messenger.sent.map((m) => m.to).sort()).toEqual(ids(4).map((id) => `${id}@example.com`));
    expect((a.counted.sent ?? 0) + (b.counted.sent ?? 0)).toBe(4);
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'sent',
      counts: { targeted: 4, sent: 4, failed: 0, skipped: 0 },
    });
    // And once more, later (SQS delivers at least once): nothing at all.
    expect(await sendJob(deps, job(ids(4)))).toEqual({ counted: {}, requeued: 0 });
    expect(deps.messenger.calls).toHaveLength(4);
  });

  it('sends nothing twice when a duplicate job runs after the first', async () => {
    const { deps } = await given({ campaign: { plan: { done: false } }, contacts: contacts(3) });
    await sendJob(deps, job(ids(3)));
    expect(await sendJob(deps, job(ids(3)))).toEqual({
      counted: { sent: 0, failed: 0, skipped: 0 },
      requeued: 0,
    });
    expect(deps.messenger.calls).toHaveLength(3);
    expect((await deps.campaigns.get('cmp_1'))?.counts.sent).toBe(3);
  });

  it('on a retry, requeues that recipient and everyone after it, with the requeue delay', async () => {
    const { deps } = await given({ contacts: contacts(4) });
    deps.messenger.failFor('c_2@example.com', new SendFailure('throttled', 'slow down'));
    expect(await sendJob(deps, job(ids(4)))).toEqual({
      counted: { sent: 1, failed: 0, skipped: 0 },
      requeued: 3,
    });
    expect(deps.sendQueue.batches).toEqual([
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_2', 'c_3', 'c_4'], channel: 'email' }], delay: 60 },
    ]);
    // Those after it were not tried.
    expect(deps.messenger.calls.map((m) => m.to)).not.toContain('c_3@example.com');
    expect(await deps.campaigns.getSend('cmp_1', 'c_3')).toBeUndefined();
    expect((await deps.campaigns.get('cmp_1'))?.status).toBe('sending');
    expect(deps.logger.warn).toHaveBeenCalledWith(
      'Sending deferred',
      expect.objectContaining({ kind: 'throttled', remaining: 3 }),
    );
  });

  it('does not requeue a recipient whose message the provider accepted', async () => {
    const { deps } = await given({ contacts: contacts(3) });
    const settle = deps.campaigns.settleSend.bind(deps.campaigns);
    vi.spyOn(deps.campaigns, 'settleSend').mockImplementation(
      async (campaignId, contactId, outcome, channel) => {
        if (contactId === 'c_2') throw new Error('ProvisionedThroughputExceeded');
        return settle(campaignId, contactId, outcome, channel);
      },
    );
    expect(await sendJob(deps, job(ids(3)))).toEqual({
      counted: { sent: 1, failed: 0, skipped: 0 },
      requeued: 1,
    });
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_1', contactIds: ['c_3'], channel: 'email' }]);
    expect(deps.messenger.sentTo('c_2@example.com')).toHaveLength(1);
    expect((await deps.campaigns.getSend('cmp_1', 'c_2'))?.status).toBe('claimed');
    // An unexpected error is logged as such.
    expect(deps.logger.error).toHaveBeenCalledWith(
      'Sending deferred',
      expect.objectContaining({ kind: 'unexpected', remaining: 1 }),
    );
  });

  it('stops before the function’s timeout: what is left goes back on the queue, unclaimed', async () => {
    const { deps } = await given({ contacts: contacts(4) });
    let asked = 0;
    const remaining = () => (++asked <= 2 ? 60_000 : 9_999);
    expect(await sendJob(deps, job(ids(4)), remaining)).toEqual({
      counted: { sent: 2, failed: 0, skipped: 0 },
      requeued: 2,
    });
    expect(deps.sendQueue.batches).toEqual([
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_3', 'c_4'], channel: 'email' }], delay: 60 },
    ]);
    expect(await deps.campaigns.getSend('cmp_1', 'c_3')).toBeUndefined();
    expect(await deps.campaigns.getSend('cmp_1', 'c_4')).toBeUndefined();
  });

  it('pauses the campaign on a fatal failure, requeueing the rest', async () => {
    const { deps } = await given({ contacts: contacts(3) });
    deps.messenger.failFor('c_2@example.com', new SendFailure('fatal', 'Account sending paused'));
    expect(await sendJob(deps, job(ids(3)))).toEqual({
      counted: { sent: 1, failed: 0, skipped: 0 },
      requeued: 2,
    });
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_1', contactIds: ['c_2', 'c_3'], channel: 'email' },
    ]);
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'paused',
      pausedReason: 'The email provider refused to send: Account sending paused',
      counts: { sent: 1 },
    });
    expect(deps.logger.warn).toHaveBeenCalledWith('Campaign paused', {
      campaignId: 'cmp_1',
      reason: 'The email provider refused to send: Account sending paused',
    });
  });

  it('pauses the campaign past the error threshold, once the minimum is reached, instead of completing it', async () => {
    const { deps } = await given({ contacts: contacts(3), deps: { errorThresholdMin: 2 } });
    for (const id of ['c_1', 'c_3'])
      deps.messenger.failFor(`${id}@example.com`, new SendFailure('permanent', 'MessageRejected'));
    expect(await sendJob(deps, job(ids(3)))).toEqual({
      counted: { sent: 1, failed: 2, skipped: 0 },
      requeued: 0,
    });
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'paused',
      pausedReason: '2 of 3 sends failed (over 10%)',
    });
  });

  it('judges the error rate on the campaign’s counts after this job', async () => {
    const { deps } = await given({
      campaign: { counts: { targeted: 20, sent: 10, failed: 4, skipped: 0 }, plan: { done: false } },
      contacts: contacts(1),
    });
    deps.messenger.failFor('c_1@example.com', new SendFailure('permanent', 'MessageRejected'));
    await sendJob(deps, job(['c_1']));
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'paused',
      pausedReason: '5 of 15 sends failed (over 10%)',
    });
  });

  it('completes instead while the failures are fewer than the minimum', async () => {
    const { deps } = await given({ contacts: contacts(3), deps: { errorThresholdMin: 3 } });
    for (const id of ['c_1', 'c_3'])
      deps.messenger.failFor(`${id}@example.com`, new SendFailure('permanent', 'MessageRejected'));
    await sendJob(deps, job(ids(3)));
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'sent',
      counts: { sent: 1, failed: 2 },
    });
  });

  it('re-enqueues SMS recipients in quiet hours until the first wakes, at most 900 s later, and texts the others', async () => {
    const { deps } = await given({
      campaign: { channel: 'sms' },
      contacts: [contact('c_1'), contact('c_2', { timeZone: 'America/New_York' }), contact('c_3')],
    });
    deps.clock.set(PARIS_NIGHT);
    expect(await sendJob(deps, job(ids(3), 'sms'))).toEqual({
      counted: { sent: 1, failed: 0, skipped: 0 },
      requeued: 0,
    });
    expect(deps.sms.sent.map((m) => m.to)).toEqual(['+33612340002']);
    expect(deps.sendQueue.batches).toEqual([
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_1', 'c_3'], channel: 'sms' }], delay: 900 },
    ]);
    expect((await deps.campaigns.get('cmp_1'))?.status).toBe('sending');
  });

  it('waits just until quiet hours end when that is sooner than 900 s', async () => {
    const { deps } = await given({ campaign: { channel: 'sms' } });
    deps.clock.set(new Date('2026-11-23T06:58:00.000Z')); // 07:58 in Paris
    await sendJob(deps, job(['c_1'], 'sms'));
    expect(deps.sendQueue.batches).toEqual([
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'sms' }], delay: 120 },
    ]);
  });

  it('puts the deferred and the rest of a stopped job back separately, each with its delay', async () => {
    const { deps } = await given({
      campaign: { channel: 'sms' },
      contacts: [
        contact('c_1'),
        contact('c_2', { timeZone: 'America/New_York' }),
        contact('c_3', { timeZone: 'America/New_York' }),
      ],
    });
    deps.clock.set(PARIS_NIGHT);
    deps.sms.failFor('+33612340002', new SendFailure('throttled', 'slow down'));
    expect(await sendJob(deps, job(ids(3), 'sms'))).toEqual({
      counted: { sent: 0, failed: 0, skipped: 0 },
      requeued: 2,
    });
    expect(deps.sendQueue.batches).toEqual([
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'sms' }], delay: 900 },
      { jobs: [{ campaignId: 'cmp_1', contactIds: ['c_2', 'c_3'], channel: 'sms' }], delay: 60 },
    ]);
  });

  it('counts the SMS funnel: parts sent, refusals and opt-outs', async () => {
    const { deps } = await given({ campaign: { channel: 'sms' }, contacts: contacts(3) });
    deps.sms.failFor('+33612340002', new SendFailure('permanent', 'invalid number'));
    deps.sms.failFor('+33612340003', new SendFailure('opted_out', 'opted out'));
    expect((await sendJob(deps, job(ids(3), 'sms'))).counted).toEqual({ sent: 1, failed: 1, skipped: 1 });
    expect(deps.engagement.totals.get('cmp_1')).toEqual({
      sms_sent: 1,
      sms_segments: 1,
      sms_failed: 1,
      sms_opted_out: 1,
    });
    expect(deps.engagement.countCalls).toHaveLength(1);
  });

  it('counts the coupons it issued, once: a duplicate job or a reminder carrying them issues none', async () => {
    const { deps } = await given({
      campaign: { offer: OFFER, plan: { done: false } },
      contacts: contacts(2),
    });
    await sendJob(deps, job(ids(2)));
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ coupons_issued: 2 });
    await sendJob(deps, job(ids(2)));
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ coupons_issued: 2 });

    await deps.campaigns.create(
      campaign({
        id: 'cmp_2',
        offer: OFFER,
        couponFrom: 'cmp_1',
        counts: { targeted: 2, sent: 0, failed: 0, skipped: 0 },
      }),
      content('cmp_2'),
    );
    await sendJob(deps, { campaignId: 'cmp_2', contactIds: ids(2) });
    expect(deps.engagement.totals.get('cmp_2')).toBeUndefined();
    expect(deps.coupons.items.size).toBe(2);
    expect((await deps.campaigns.getSend('cmp_2', 'c_1'))?.couponCode).toBe(couponCode(ring, 'cmp_1', 'c_1'));
  });

  it('counts the recipients held back by the frequency cap', async () => {
    const { deps } = await given({ contacts: contacts(2), deps: { frequencyCap: { messages: 1, days: 7 } } });
    deps.frequency.items.set('c_2', {
      messages: [{ campaignId: 'cmp_0', channel: 'email', at: '2026-11-22T10:00:00.000Z' }],
      version: 1,
    });
    expect((await sendJob(deps, job(ids(2)))).counted).toEqual({ sent: 1, failed: 0, skipped: 1 });
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ capped: 1 });
  });

  it('counts an expired claim as failed', async () => {
    const { deps } = await given({ campaign: { channel: 'sms' }, contacts: contacts(1) });
    await deps.campaigns.claimSend('cmp_1', 'c_1', 'claimed', undefined, 'sms');
    deps.clock.advance(10 * MINUTE);
    expect((await sendJob(deps, job(['c_1'], 'sms'))).counted).toEqual({ sent: 0, failed: 1, skipped: 0 });
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_failed: 1 });
    expect(deps.sms.calls).toEqual([]);
    expect((await deps.campaigns.get('cmp_1'))?.status).toBe('sent');
  });

  it('still writes the counts when the engagement counters or the webhooks fail (logged)', async () => {
    const { deps } = await given({ campaign: { offer: OFFER }, contacts: contacts(1) });
    vi.spyOn(deps.engagement, 'count').mockRejectedValueOnce(new Error('throttled'));
    deps.publisher.fail = new Error('SQS down');
    expect((await sendJob(deps, job(['c_1']))).counted).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(deps.logger.error).toHaveBeenCalledWith('Could not count send totals', expect.anything());
    expect(deps.logger.error).toHaveBeenCalledWith('Could not publish sent events', expect.anything());
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({ status: 'sent', counts: { sent: 1 } });
  });

  it('sends a job without a channel (queued before SMS existed) as email', async () => {
    const { deps } = await given({ campaign: { channel: 'email+sms' }, contacts: contacts(1) });
    await sendJob(deps, { campaignId: 'cmp_1', contactIds: ['c_1'] });
    expect(deps.messenger.sent).toHaveLength(1);
    expect(deps.sms.calls).toEqual([]);
  });
});
