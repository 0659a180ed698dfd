import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignAutomation } from '../../../../functions/domain/campaigns/campaign';
import { type PlannerDeps, planNextPage } from '../../../../functions/domain/campaigns/planner';
import type { SendRecord } from '../../../../functions/domain/campaigns/send-record';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import { type FakeDeps, fakeDeps } from '../../../support/fakes';
import { campaign, contact, content, NOW, ring } from './support';

const ISO = NOW.toISOString();

type Deps = FakeDeps & PlannerDeps;

function plannerDeps(over: Partial<Pick<PlannerDeps, 'pageSize' | 'recipientsPerJob'>> = {}): Deps {
  const f = fakeDeps();
  f.clock.set(NOW);
  return { ...f, pageSize: 100, recipientsPerJob: 2, keyring: async () => ring, ...over };
}

/** Deps with the campaign (sending, planning from the start) and the contacts stored. */
async function given(
  over: {
    campaign?: Partial<Campaign>;
    contacts?: Contact[];
    deps?: Partial<Pick<PlannerDeps, 'pageSize' | 'recipientsPerJob'>>;
  } = {},
): Promise<Deps> {
  const deps = plannerDeps(over.deps);
  await deps.campaigns.create(campaign({ plan: { done: false }, ...over.campaign }), content());
  for (const k of over.contacts ?? []) deps.contacts.items.set(k.id, k);
  return deps;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c_${i + 1}`);
const contacts = (n: number, over: (id: string) => Partial<Contact> = () => ({})) =>
  ids(n).map((id) => contact(id, over(id)));

describe('planNextPage', () => {
  it('puts a page’s recipients on the send queue in jobs of `recipientsPerJob`, and saves the plan', async () => {
    const deps = await given({ contacts: contacts(5) });
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('done');
    expect(deps.sendQueue.batches).toEqual([
      {
        jobs: [
          { campaignId: 'cmp_1', contactIds: ['c_1', 'c_2'], channel: 'email' },
          { campaignId: 'cmp_1', contactIds: ['c_3', 'c_4'], channel: 'email' },
          { campaignId: 'cmp_1', contactIds: ['c_5'], channel: 'email' },
        ],
      },
    ]);
    const after = await deps.campaigns.get('cmp_1');
    expect(after?.plan).toEqual({ done: true });
    expect(after?.counts).toEqual({ targeted: 5, sent: 0, failed: 0, skipped: 0 });
    // Recipients are pending: the sender completes the campaign, not the planner.
    expect(after?.status).toBe('sending');
    expect(deps.planQueue.batches).toEqual([]);
  });

  it('pages through the base: each page saves its cursor and asks for the next', async () => {
    const deps = await given({ contacts: contacts(5), deps: { pageSize: 2, recipientsPerJob: 10 } });
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('planned');
    expect((await deps.campaigns.get('cmp_1'))?.plan).toEqual({ cursor: 'c_2', done: false });
    expect(deps.planQueue.jobs).toEqual([{ campaignId: 'cmp_1' }]);
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('planned');
    expect((await deps.campaigns.get('cmp_1'))?.plan).toEqual({ cursor: 'c_4', done: false });
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('done');
    expect(deps.planQueue.jobs).toHaveLength(2);
    expect(deps.sendQueue.jobs.map((j) => j.contactIds)).toEqual([['c_1', 'c_2'], ['c_3', 'c_4'], ['c_5']]);
    expect((await deps.campaigns.get('cmp_1'))?.counts.targeted).toBe(5);
    // Planning is over: another message finds nothing to do.
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('stopped');
  });

  it('plans the segment’s members only', async () => {
    const deps = await given({
      campaign: { segment: { tags: { any: ['vip'] } } },
      contacts: [contact('c_1', { tags: ['vip'] }), contact('c_2'), contact('c_3', { tags: ['vip'] })],
    });
    await planNextPage(deps, { campaignId: 'cmp_1' });
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_1', contactIds: ['c_1', 'c_3'], channel: 'email' },
    ]);
    expect((await deps.campaigns.get('cmp_1'))?.counts.targeted).toBe(2);
  });

  it('counts the suppressed as targeted and skipped; those without consent or address are not counted', async () => {
    const deps = await given({
      contacts: [
        contact('c_1'),
        contact('c_2', { suppressed: ['email'] }),
        contact('c_3', { consent: {} }),
        contact('c_4', { email: undefined }),
      ],
    });
    await planNextPage(deps, { campaignId: 'cmp_1' });
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'email' }]);
    expect((await deps.campaigns.get('cmp_1'))?.counts).toEqual({
      targeted: 2,
      sent: 0,
      failed: 0,
      skipped: 1,
    });
  });

  it('makes jobs per channel: both messages to a contact when the SMS goes to all', async () => {
    const deps = await given({
      campaign: { channel: 'email+sms', sms: { to: 'all' } },
      contacts: [contact('c_1'), contact('c_2', { email: undefined }), contact('c_3'), contact('c_4')],
    });
    await planNextPage(deps, { campaignId: 'cmp_1' });
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_1', contactIds: ['c_1', 'c_3'], channel: 'email' },
      { campaignId: 'cmp_1', contactIds: ['c_4'], channel: 'email' },
      { campaignId: 'cmp_1', contactIds: ['c_1', 'c_2'], channel: 'sms' },
      { campaignId: 'cmp_1', contactIds: ['c_3', 'c_4'], channel: 'sms' },
    ]);
    // Every message is targeted: seven of them for four contacts.
    expect((await deps.campaigns.get('cmp_1'))?.counts.targeted).toBe(7);
  });

  it('texts only those who cannot be emailed when the SMS goes to them', async () => {
    const deps = await given({
      campaign: { channel: 'email+sms', sms: { to: 'without-email' } },
      contacts: [
        contact('c_1'),
        contact('c_2', { email: undefined }),
        contact('c_3', {
          consent: { sms: { status: 'granted', source: 'till', at: '2026-01-01T00:00:00.000Z' } },
        }),
      ],
    });
    await planNextPage(deps, { campaignId: 'cmp_1' });
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'email' },
      { campaignId: 'cmp_1', contactIds: ['c_2', 'c_3'], channel: 'sms' },
    ]);
  });

  it('counts a page once when a duplicate planning message runs at the same time', async () => {
    const deps = await given({ contacts: contacts(3), deps: { pageSize: 2 } });
    const results = await Promise.all([
      planNextPage(deps, { campaignId: 'cmp_1' }),
      planNextPage(deps, { campaignId: 'cmp_1' }),
    ]);
    expect(results.sort()).toEqual(['planned', 'stopped']);
    const after = await deps.campaigns.get('cmp_1');
    expect(after?.counts.targeted).toBe(2);
    expect(after?.plan).toEqual({ cursor: 'c_2', done: false });
    // Both enqueued the page before one of them lost the cursor: the send claims absorb the repeat.
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_1', contactIds: ['c_1', 'c_2'], channel: 'email' },
      { campaignId: 'cmp_1', contactIds: ['c_1', 'c_2'], channel: 'email' },
    ]);
    // Only the winner asks for the next page.
    expect(deps.planQueue.jobs).toEqual([{ campaignId: 'cmp_1' }]);
  });

  it('counts nothing for a page whose cursor moved since the campaign was read', async () => {
    const deps = await given({ contacts: contacts(3), deps: { pageSize: 2 } });
    expect(await deps.campaigns.advancePlan('cmp_1', undefined, { cursor: 'c_2', done: false }, {})).toBe(
      true,
    );
    expect(
      await deps.campaigns.advancePlan('cmp_1', undefined, { cursor: 'c_2', done: false }, { targeted: 2 }),
    ).toBe(false);
    expect((await deps.campaigns.get('cmp_1'))?.counts.targeted).toBe(0);
  });

  it.each(['draft', 'paused', 'cancelled', 'sent', 'scheduled'] as const)(
    'does nothing for a %s campaign',
    async (status) => {
      const deps = await given({ campaign: { status }, contacts: contacts(2) });
      expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('stopped');
      expect(deps.sendQueue.batches).toEqual([]);
      expect((await deps.campaigns.get('cmp_1'))?.counts.targeted).toBe(0);
    },
  );

  it('does nothing for an unknown campaign', async () => {
    const deps = plannerDeps();
    expect(await planNextPage(deps, { campaignId: 'cmp_nope' })).toBe('stopped');
    expect(deps.sendQueue.batches).toEqual([]);
  });

  it('starts a scheduled campaign when its schedule fires, then plans it', async () => {
    const deps = await given({
      campaign: { status: 'scheduled', sendRequestedAt: undefined },
      contacts: contacts(1),
    });
    expect(await planNextPage(deps, { campaignId: 'cmp_1', start: true })).toBe('done');
    expect(await deps.campaigns.get('cmp_1')).toMatchObject({
      status: 'sending',
      sendRequestedAt: ISO,
      updatedAt: ISO,
      counts: { targeted: 1 },
    });
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'email' }]);
  });

  it('plans as usual when the start message comes again for a campaign already sending', async () => {
    const deps = await given({ contacts: contacts(1) });
    expect(await planNextPage(deps, { campaignId: 'cmp_1', start: true })).toBe('done');
    expect((await deps.campaigns.get('cmp_1'))?.sendRequestedAt).toBe(ISO);
    expect(await planNextPage(deps, { campaignId: 'cmp_1', start: true })).toBe('stopped');
    expect(deps.sendQueue.jobs).toHaveLength(1);
  });

  it('completes a campaign whose audience is all skipped, or empty', async () => {
    const suppressed = await given({ contacts: contacts(2, () => ({ suppressed: ['email'] })) });
    expect(await planNextPage(suppressed, { campaignId: 'cmp_1' })).toBe('done');
    expect(await suppressed.campaigns.get('cmp_1')).toMatchObject({
      status: 'sent',
      completedAt: ISO,
      counts: { targeted: 2, skipped: 2 },
    });
    expect(suppressed.sendQueue.batches).toEqual([]);

    const empty = await given();
    expect(await planNextPage(empty, { campaignId: 'cmp_1' })).toBe('done');
    expect(await empty.campaigns.get('cmp_1')).toMatchObject({ status: 'sent', counts: { targeted: 0 } });
  });

  it('takes, for an automation’s run, only those who newly match its trigger', async () => {
    const automation: CampaignAutomation = {
      id: 'au_1',
      step: 0,
      runDay: '2026-11-23',
      trigger: { kind: 'signup' },
      window: { after: '2026-11-22T09:00:00.000Z', before: '2026-11-23T09:00:00.000Z' },
      cooldownDays: 30,
    };
    const deps = await given({
      campaign: { automation },
      contacts: [
        contact('c_1', { createdAt: '2026-11-22T12:00:00.000Z' }),
        contact('c_2', { createdAt: '2026-11-20T12:00:00.000Z' }),
        contact('c_3', { createdAt: '2026-11-23T09:30:00.000Z' }),
      ],
    });
    await planNextPage(deps, { campaignId: 'cmp_1' });
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_1', contactIds: ['c_1'], channel: 'email' }]);
  });
});

describe('planNextPage: a journey’s reminder', () => {
  const JOURNEY_START = '2026-11-20T10:00:00.000Z';
  const reminder = (over: Partial<CampaignAutomation> = {}): Partial<Campaign> => ({
    id: 'cmp_r',
    automation: {
      id: 'au_1',
      step: 1,
      runDay: '2026-11-23',
      parentCampaignId: 'cmp_0',
      unless: 'opened',
      journeyStart: JOURNEY_START,
      ...over,
    },
  });
  const sent = (contactId: string, over: Partial<SendRecord> = {}): SendRecord => ({
    campaignId: 'cmp_0',
    contactId,
    status: 'sent',
    claimedAt: JOURNEY_START,
    ...over,
  });

  async function journey(records: SendRecord[], over: Parameters<typeof given>[0] = {}) {
    const deps = await given({
      contacts: contacts(8),
      ...over,
      campaign: { ...reminder(), ...over.campaign },
    });
    await deps.campaigns.create(campaign({ id: 'cmp_0' }), content('cmp_0'));
    for (const r of records) deps.sends.put(r);
    return deps;
  }

  it('goes to the recipients the first message reached who neither responded nor bought since', async () => {
    const deps = await journey([
      sent('c_1'),
      sent('c_2', { openedAt: '2026-11-21T10:00:00.000Z' }),
      sent('c_3', { redeemedAt: '2026-11-21T10:00:00.000Z' }),
      sent('c_4', { status: 'failed' }),
      sent('c_5'),
      sent('c_6', { clickedAt: '2026-11-21T10:00:00.000Z' }),
      sent('c_9'),
    ]);
    const buyer = deps.contacts.items.get('c_5') as Contact;
    deps.contacts.items.set('c_5', { ...buyer, lastPurchaseAt: '2026-11-22T10:00:00.000Z' });
    expect(await planNextPage(deps, { campaignId: 'cmp_r' })).toBe('done');
    // c_2 opened (unless: opened), c_3 redeemed, c_4 was not reached, c_5 bought, c_9 was erased.
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_r', contactIds: ['c_1', 'c_6'], channel: 'email' },
    ]);
    expect((await deps.campaigns.get('cmp_r'))?.counts.targeted).toBe(2);
  });

  it('skips those who clicked when the step says `unless: clicked`, and keeps those who only opened', async () => {
    const deps = await journey(
      [
        sent('c_1', { openedAt: '2026-11-21T10:00:00.000Z' }),
        sent('c_2', { clickedAt: '2026-11-21T10:00:00.000Z' }),
      ],
      { campaign: reminder({ unless: 'clicked' }) },
    );
    await planNextPage(deps, { campaignId: 'cmp_r' });
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_r', contactIds: ['c_1'], channel: 'email' }]);
  });

  it('counts once a contact the first message emailed and texted', async () => {
    const deps = await journey([
      sent('c_1'),
      sent('c_1', { channel: 'sms' }),
      sent('c_2', { channel: 'sms' }),
    ]);
    const parent = (await deps.campaigns.get('cmp_0')) as Campaign;
    deps.campaigns.items.set('cmp_0', { ...parent, channel: 'email+sms', sms: { to: 'all' } });
    await planNextPage(deps, { campaignId: 'cmp_r' });
    // With `to: all` the email's record stands for the contact: c_2, only texted, is not reached.
    expect(deps.sendQueue.jobs).toEqual([{ campaignId: 'cmp_r', contactIds: ['c_1'], channel: 'email' }]);
  });

  it('takes an SMS record as the message when the first message texted only those without email', async () => {
    const deps = await journey([sent('c_1'), sent('c_2', { channel: 'sms' })]);
    const parent = (await deps.campaigns.get('cmp_0')) as Campaign;
    deps.campaigns.items.set('cmp_0', { ...parent, channel: 'email+sms', sms: { to: 'without-email' } });
    await planNextPage(deps, { campaignId: 'cmp_r' });
    expect(deps.sendQueue.jobs).toEqual([
      { campaignId: 'cmp_r', contactIds: ['c_1', 'c_2'], channel: 'email' },
    ]);
  });

  it('pages through the first message’s send records', async () => {
    const deps = await journey([sent('c_1'), sent('c_2'), sent('c_3')], { deps: { pageSize: 2 } });
    expect(await planNextPage(deps, { campaignId: 'cmp_r' })).toBe('planned');
    const plan = (await deps.campaigns.get('cmp_r'))?.plan;
    expect(plan?.done).toBe(false);
    expect(plan?.cursor).toBeDefined();
    expect(await planNextPage(deps, { campaignId: 'cmp_r' })).toBe('done');
    expect(deps.sendQueue.jobs.map((j) => j.contactIds)).toEqual([['c_1', 'c_2'], ['c_3']]);
    expect((await deps.campaigns.get('cmp_r'))?.counts.targeted).toBe(3);
  });

  it('an RFM segment: the base’s cut-offs are computed once, kept in the plan, and every page uses them', async () => {
    // c_1 bought most recently … c_5 longest ago; recency 5 means the two most recent fifths.
    const base = contacts(5, (id) => {
      const n = Number(id.slice(2));
      return { lastPurchaseAt: new Date(NOW.getTime() - n * 30 * 86_400_000).toISOString(), totalSpent: 100 };
    });
    const deps = await given({
      campaign: { segment: { rfm: { recency: { min: 4 } } } },
      contacts: base,
      deps: { pageSize: 2, recipientsPerJob: 10 },
    });
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('planned');
    const rfm = (await deps.campaigns.get('cmp_1'))?.plan.rfm;
    expect(rfm?.recency).toHaveLength(4);
    // Customers bought since: the cut-offs stay those of the start, the audience does not shift mid-campaign.
    deps.contacts.items.set('c_5', { ...base[4], lastPurchaseAt: NOW.toISOString() } as Contact);
    while ((await planNextPage(deps, { campaignId: 'cmp_1' })) === 'planned');
    expect((await deps.campaigns.get('cmp_1'))?.plan.rfm).toEqual(rfm);
    expect(deps.sendQueue.jobs.flatMap((j) => j.contactIds)).toEqual(['c_1', 'c_2', 'c_5']);
  });
});
