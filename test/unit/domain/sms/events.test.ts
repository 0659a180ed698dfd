import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import { smsCounter } from '../../../../functions/domain/reports/counters';
import {
  classifySmsEvent,
  handleInboundSms,
  handleSmsEvent,
  inboundSmsSchema,
  isStopReply,
  type SmsEvent,
  smsEventSchema,
} from '../../../../functions/domain/sms/events';
import {
  FakeClock,
  FakeContactRepository,
  FakeEngagementRepository,
  FakeEventLog,
  FakeSuppressionList,
} from '../../../support/fakes';

const AT = '2025-01-01T00:00:00.000Z';
const NOW = '2025-03-10T09:00:00.000Z';
const PHONE = '+33612345678';

function smsContact(over: Partial<Contact> = {}): Contact {
  return {
    id: 'c_1',
    email: 'ann@example.com',
    phone: PHONE,
    tags: [],
    attributes: {},
    consent: {
      email: { status: 'granted', source: 'till', at: AT },
      sms: { status: 'granted', source: 'till', at: AT },
    },
    suppressed: [],
    purchases: { store: 0, web: 0, phone: 0 },
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

function setup() {
  const deps = {
    engagement: new FakeEngagementRepository(),
    contacts: new FakeContactRepository(),
    suppression: new FakeSuppressionList(),
    events: new FakeEventLog(),
    clock: new FakeClock(new Date(NOW)),
    defaultCountry: 'FR',
  };
  const c = smsContact();
  deps.contacts.items.set(c.id, c);
  deps.contacts.claims.set(`phone#${PHONE}`, c.id);
  deps.contacts.claims.set('email#ann@example.com', c.id);
  const sent = {
    campaignId: 'cmp_1',
    contactId: 'c_1',
    status: 'sent',
    claimedAt: '2025-03-10T08:00:00.000Z',
  } as const;
  deps.engagement.sends.put({ ...sent, channel: 'sms' });
  deps.engagement.sends.put(sent);
  return deps;
}

const receipt = (over: Partial<SmsEvent> = {}): SmsEvent => ({
  eventType: 'TEXT_DELIVERED',
  messageId: 'msg-1',
  isFinal: true,
  destinationPhoneNumber: PHONE,
  messageStatus: 'DELIVERED',
  messageStatusDescription: 'Message has been delivered',
  totalMessageParts: 1,
  context: { campaignId: 'cmp_1', contactId: 'c_1' },
  ...over,
});

const AWS_EXAMPLE = {
  eventType: 'TEXT_SUCCESSFUL',
  eventVersion: '1.0',
  eventTimestamp: 1686975103470,
  isFinal: true,
  originationPhoneNumber: '+12065550152',
  destinationPhoneNumber: '+14255550156',
  isInternationalSend: false,
  mcc: '310',
  mnc: '800',
  messageId: '862a8790-60c0-4430-9b2b-658bdexample',
  messageRequestTimestamp: 1686975103170,
  messageEncoding: 'GSM',
  messageType: 'PROMOTIONAL',
  messageStatus: 'SUCCESSFUL',
  messageStatusDescription: 'Message has been accepted by phone carrier',
  context: { account: 'bar' },
  totalMessageParts: 1,
  totalMessagePrice: 0.09582,
  totalCarrierFee: 0.0,
};

describe('classifySmsEvent', () => {
  it('TEXT_DELIVERED counts a delivery and marks deliveredAt', () => {
    expect(classifySmsEvent({ eventType: 'TEXT_DELIVERED' })).toEqual({
      type: 'text_delivered',
      stat: 'sms_delivered',
      mark: 'deliveredAt',
    });
  });

  it('TEXT_SUCCESSFUL (accepted by the carrier) is only recorded, unless final', () => {
    expect(classifySmsEvent({ eventType: 'TEXT_SUCCESSFUL' })).toEqual({ type: 'text_successful' });
    expect(classifySmsEvent({ eventType: 'TEXT_SUCCESSFUL', isFinal: true })).toEqual({
      type: 'text_successful',
      stat: 'sms_delivered',
      mark: 'deliveredAt',
    });
  });

  it('TEXT_INVALID is undelivered and suppresses the number', () => {
    expect(classifySmsEvent({ eventType: 'TEXT_INVALID' })).toEqual({
      type: 'text_invalid',
      stat: 'sms_undelivered',
      mark: 'bouncedAt',
      suppress: 'text_invalid',
    });
    // A phone switched off is unreachable too: counted, never suppressed.
    expect(classifySmsEvent({ eventType: 'TEXT_UNREACHABLE' })).toEqual({
      type: 'text_unreachable',
      stat: 'sms_undelivered',
      mark: 'bouncedAt',
    });
  });

  it('TEXT_BLOCKED is undelivered without suppressing', () => {
    expect(classifySmsEvent({ eventType: 'TEXT_BLOCKED' })).toEqual({
      type: 'text_blocked',
      stat: 'sms_undelivered',
      mark: 'bouncedAt',
    });
    expect(classifySmsEvent({ eventType: 'TEXT_TTL_EXPIRED' })).toEqual({
      type: 'text_ttl_expired',
      stat: 'sms_undelivered',
      mark: 'bouncedAt',
    });
  });

  it('an unknown event type is only recorded, under its lower-cased name', () => {
    expect(classifySmsEvent({ eventType: 'TEXT_PENDING' })).toEqual({ type: 'text_pending' });
    expect(classifySmsEvent({ eventType: 'SOMETHING_NEW' })).toEqual({ type: 'something_new' });
  });
});

describe('isStopReply', () => {
  it.each([
    'STOP',
    'stop',
    ' Stop. ',
    'Arrêt',
    'ARRET merci',
    'arrêter',
    'STOPALL',
    'UNSUBSCRIBE',
    'Désabonner',
    'stop!',
    'STOP,merci',
    'Stop!merci',
  ])('%j is a stop reply', (body) => {
    expect(isStopReply(body)).toBe(true);
  });

  it.each(['Stopper', 'non stop', 'merci', '', '   ', 'Je veux arrêter'])(
    '%j is not a stop reply',
    (body) => {
      expect(isStopReply(body)).toBe(false);
    },
  );
});

describe('smsEventSchema', () => {
  it('parses the AWS example event, keeping what Relance reads', () => {
    expect(smsEventSchema.parse(AWS_EXAMPLE)).toEqual({
      eventType: 'TEXT_SUCCESSFUL',
      messageId: '862a8790-60c0-4430-9b2b-658bdexample',
      eventTimestamp: 1686975103470,
      isFinal: true,
      destinationPhoneNumber: '+14255550156',
      messageStatus: 'SUCCESSFUL',
      messageStatusDescription: 'Message has been accepted by phone carrier',
      totalMessageParts: 1,
      totalMessagePrice: 0.09582,
      context: { account: 'bar' },
    });
  });

  it('refuses an event without a type or a message id', () => {
    expect(smsEventSchema.safeParse({ ...AWS_EXAMPLE, eventType: '' }).success).toBe(false);
    const { messageId: _m, ...noId } = AWS_EXAMPLE;
    expect(smsEventSchema.safeParse(noId).success).toBe(false);
  });
});

describe('handleSmsEvent', () => {
  it('marks deliveredAt on the SMS send record and counts the delivery once, even when delivered twice', async () => {
    const deps = setup();
    expect(await handleSmsEvent(deps, receipt())).toBe('recorded');
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      channel: 'sms',
      status: 'sent',
      claimedAt: '2025-03-10T08:00:00.000Z',
      deliveredAt: NOW,
    });
    // The email of the same contact is another record.
    expect(deps.engagement.record('cmp_1', 'c_1', 'email')?.deliveredAt).toBeUndefined();
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1 });

    deps.clock.advance(60_000);
    expect(await handleSmsEvent(deps, receipt())).toBe('duplicate');
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.deliveredAt).toBe(NOW);
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1 });
    expect(deps.engagement.countCalls).toEqual([{ sms_delivered: 1 }]);
  });

  it('records the event once in the event log, with its detail', async () => {
    const deps = setup();
    await handleSmsEvent(deps, receipt({ totalMessagePrice: 0.05 }));
    await handleSmsEvent(deps, receipt({ totalMessagePrice: 0.05 }));
    expect([...deps.events.items.values()]).toEqual([
      {
        messageId: 'msg-1',
        type: 'sms-text_delivered',
        at: NOW,
        campaignId: 'cmp_1',
        contactId: 'c_1',
        detail: {
          status: 'DELIVERED',
          description: 'Message has been delivered',
          parts: 1,
          price: 0.05,
        },
      },
    ]);
  });

  it('counts the price in micro-dollars on the final event only', async () => {
    const deps = setup();
    expect(
      await handleSmsEvent(
        deps,
        receipt({ eventType: 'TEXT_SUCCESSFUL', isFinal: false, totalMessagePrice: 0.09582 }),
      ),
    ).toBe('recorded');
    expect(deps.engagement.totals.get('cmp_1')).toBeUndefined();
    expect(deps.engagement.countCalls).toEqual([]);

    expect(await handleSmsEvent(deps, receipt({ isFinal: true, totalMessagePrice: 0.09582 }))).toBe(
      'recorded',
    );
    expect(deps.engagement.totals.get('cmp_1')).toEqual({
      [smsCounter.delivered]: 1,
      [smsCounter.priceMicroUsd]: 95_820,
    });
    expect(smsCounter.priceMicroUsd).toBe('sms_price_micro_usd');
  });

  it('counts a final TEXT_SUCCESSFUL (no carrier report to come) as delivered, with its price', async () => {
    const deps = setup();
    const aws = smsEventSchema.parse({ ...AWS_EXAMPLE, context: { campaignId: 'cmp_1', contactId: 'c_1' } });
    expect(await handleSmsEvent(deps, aws)).toBe('recorded');
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1, sms_price_micro_usd: 95_820 });
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.deliveredAt).toBe(NOW);
    // A TEXT_DELIVERED after it adds nothing: the message was counted, and paid for, once.
    await handleSmsEvent(deps, receipt({ totalMessagePrice: 0.09582 }));
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1, sms_price_micro_usd: 95_820 });
  });

  it('does not count a TEXT_SUCCESSFUL that is not final: a carrier report follows', async () => {
    const deps = setup();
    await handleSmsEvent(deps, receipt({ eventType: 'TEXT_SUCCESSFUL', isFinal: false }));
    expect(deps.engagement.totals.get('cmp_1')).toBeUndefined();
  });

  it('applies a receipt whose first attempt failed while counting, once, when it is retried', async () => {
    const deps = setup();
    const count = deps.engagement.count.bind(deps.engagement);
    let failures = 1;
    deps.engagement.count = async (campaignId, add) => {
      if (failures-- > 0) throw new Error('DynamoDB is down');
      return count(campaignId, add);
    };
    const priced = receipt({ totalMessagePrice: 0.0712 });
    await expect(handleSmsEvent(deps, priced)).rejects.toThrow('DynamoDB is down');
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.deliveredAt).toBeUndefined();
    expect(await handleSmsEvent(deps, priced)).toBe('recorded');
    expect(await handleSmsEvent(deps, priced)).toBe('duplicate');
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1, sms_price_micro_usd: 71_200 });
  });

  it('does not count a price of 0 or a missing price', async () => {
    const deps = setup();
    await handleSmsEvent(deps, receipt({ isFinal: true, totalMessagePrice: 0 }));
    await handleSmsEvent(deps, receipt({ messageId: 'msg-2', isFinal: true }));
    // One SMS per send record: the second receipt finds it delivered already, and neither had a price.
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_delivered: 1 });
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.billedAt).toBeUndefined();
  });

  it('TEXT_INVALID marks bouncedAt, counts it undelivered and suppresses the contact’s SMS channel', async () => {
    const deps = setup();
    expect(await handleSmsEvent(deps, receipt({ eventType: 'TEXT_INVALID', messageStatus: 'INVALID' }))).toBe(
      'recorded',
    );
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.bouncedAt).toBe(NOW);
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_undelivered: 1 });
    const c = await deps.contacts.get('c_1');
    expect(c?.suppressed).toEqual(['sms']);
    expect(c?.consent).toEqual({
      email: { status: 'granted', source: 'till', at: AT },
      sms: { status: 'denied', source: 'text_invalid:cmp_1', at: NOW },
    });
    expect(c?.updatedAt).toBe(NOW);
    expect([...deps.suppression.entries]).toEqual([
      [`phone#${PHONE}`, { channel: 'sms', reasons: ['text_invalid:cmp_1'] }],
    ]);
    expect(await deps.suppression.suppressedChannels({ email: 'ann@example.com', phone: PHONE })).toEqual([
      'sms',
    ]);
  });

  it('a TEXT_INVALID about a number the contact no longer has does not suppress the new one', async () => {
    const deps = setup();
    await handleSmsEvent(
      deps,
      receipt({
        eventType: 'TEXT_INVALID',
        messageStatus: 'INVALID',
        destinationPhoneNumber: '+33699999999',
      }),
    );
    expect((await deps.contacts.get('c_1'))?.suppressed).toEqual([]);
    expect(deps.suppression.entries.size).toBe(0);
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_undelivered: 1 });
  });

  it('TEXT_BLOCKED marks bouncedAt and counts it undelivered, but does not suppress', async () => {
    const deps = setup();
    expect(await handleSmsEvent(deps, receipt({ eventType: 'TEXT_BLOCKED' }))).toBe('recorded');
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.bouncedAt).toBe(NOW);
    expect(deps.engagement.totals.get('cmp_1')).toEqual({ sms_undelivered: 1 });
    expect((await deps.contacts.get('c_1'))?.suppressed).toEqual([]);
    expect(deps.suppression.entries.size).toBe(0);
  });

  it('records an unknown event type and changes nothing else', async () => {
    const deps = setup();
    expect(await handleSmsEvent(deps, receipt({ eventType: 'TEXT_PENDING', isFinal: false }))).toBe(
      'recorded',
    );
    expect(deps.events.items.has('msg-1#sms-text_pending')).toBe(true);
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')).toEqual({
      campaignId: 'cmp_1',
      contactId: 'c_1',
      channel: 'sms',
      status: 'sent',
      claimedAt: '2025-03-10T08:00:00.000Z',
    });
    expect(deps.engagement.countCalls).toEqual([]);
  });

  it('records an event without a campaign, counting nothing', async () => {
    const deps = setup();
    expect(await handleSmsEvent(deps, receipt({ context: undefined }))).toBe('recorded');
    expect(deps.events.items.get('msg-1#sms-text_delivered')).toEqual({
      messageId: 'msg-1',
      type: 'sms-text_delivered',
      at: NOW,
      detail: { status: 'DELIVERED', description: 'Message has been delivered', parts: 1, price: undefined },
    });
    expect(deps.engagement.countCalls).toEqual([]);
    expect(deps.engagement.record('cmp_1', 'c_1', 'sms')?.deliveredAt).toBeUndefined();
  });
});

describe('inboundSmsSchema', () => {
  it('parses an inbound message', () => {
    const m = {
      originationNumber: PHONE,
      destinationNumber: '+33700000000',
      messageKeyword: 'KEYWORD_123',
      messageBody: 'STOP',
      inboundMessageId: 'in-1',
      previousPublishedMessageId: 'out-1',
    };
    expect(inboundSmsSchema.parse(m)).toEqual(m);
  });
});

describe('handleInboundSms', () => {
  const stop = (
    over: Partial<{ originationNumber: string; messageBody: string; inboundMessageId: string }> = {},
  ) => ({
    originationNumber: PHONE,
    messageBody: 'STOP',
    inboundMessageId: 'in-1',
    ...over,
  });

  it('STOP from a known number revokes the contact’s SMS consent and suppresses the number', async () => {
    const deps = setup();
    expect(await handleInboundSms(deps, stop())).toBe('stopped');
    const c = await deps.contacts.get('c_1');
    expect(c?.suppressed).toEqual(['sms']);
    expect(c?.consent.sms).toEqual({ status: 'denied', source: 'stop:sms', at: NOW });
    expect(c?.consent.email).toEqual({ status: 'granted', source: 'till', at: AT });
    expect([...deps.suppression.entries.keys()]).toEqual([`phone#${PHONE}`]);
    expect(deps.suppression.entries.get(`phone#${PHONE}`)).toMatchObject({ channel: 'sms' });
    expect(new Set(deps.suppression.entries.get(`phone#${PHONE}`)?.reasons)).toEqual(new Set(['stop:sms']));
    // A number may be shared: the event is the number's, not one contact's.
    expect([...deps.events.items.values()]).toEqual([{ messageId: 'in-1', type: 'sms-stop', at: NOW }]);
  });

  it('finds the contact from a number in national format', async () => {
    const deps = setup();
    expect(
      await handleInboundSms(deps, stop({ originationNumber: '06 12 34 56 78', messageBody: 'Arrêt' })),
    ).toBe('stopped');
    expect((await deps.contacts.get('c_1'))?.consent.sms?.status).toBe('denied');
  });

  it('STOP from an unknown number suppresses the number', async () => {
    const deps = setup();
    const other = '+33698765432';
    expect(await handleInboundSms(deps, stop({ originationNumber: other }))).toBe('stopped');
    expect([...deps.suppression.entries]).toEqual([
      [`phone#${other}`, { channel: 'sms', reasons: ['stop:sms'] }],
    ]);
    expect(await deps.suppression.suppressedChannels({ phone: other })).toEqual(['sms']);
    expect((await deps.contacts.get('c_1'))?.consent.sms?.status).toBe('granted');
    expect([...deps.events.items.values()]).toEqual([{ messageId: 'in-1', type: 'sms-stop', at: NOW }]);
  });

  it('ignores a reply that is not a stop word, recording nothing', async () => {
    const deps = setup();
    expect(await handleInboundSms(deps, stop({ messageBody: 'Merci, à bientôt' }))).toBe('ignored');
    expect(await handleInboundSms(deps, stop({ messageBody: 'Stopper' }))).toBe('ignored');
    expect((await deps.contacts.get('c_1'))?.consent.sms?.status).toBe('granted');
    expect(deps.suppression.entries.size).toBe(0);
    expect(deps.events.items.size).toBe(0);
  });

  it('answers duplicate for the same inbound message, leaving the contact opted out', async () => {
    const deps = setup();
    expect(await handleInboundSms(deps, stop())).toBe('stopped');
    const after = await deps.contacts.get('c_1');
    deps.clock.advance(60_000);
    expect(await handleInboundSms(deps, stop())).toBe('duplicate');
    expect(await deps.contacts.get('c_1')).toEqual(after);
    expect(deps.events.items.size).toBe(1);
  });

  it('still applies a STOP whose first handling failed, when retried', async () => {
    const deps = setup();
    const replace = deps.contacts.replace.bind(deps.contacts);
    let failures = 1;
    deps.contacts.replace = async (contact: Contact, expected: number | undefined) => {
      if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
      return replace(contact, expected);
    };

    await expect(handleInboundSms(deps, stop())).rejects.toThrow('ProvisionedThroughputExceededException');
    // Nothing was recorded, so the retry is not taken for a duplicate.
    expect(deps.events.items.size).toBe(0);
    expect((await deps.contacts.get('c_1'))?.consent.sms?.status).toBe('granted');

    deps.clock.advance(1_000);
    expect(await handleInboundSms(deps, stop())).toBe('stopped');
    const c = await deps.contacts.get('c_1');
    expect(c?.suppressed).toEqual(['sms']);
    expect(c?.consent.sms).toEqual({ status: 'denied', source: 'stop:sms', at: '2025-03-10T09:00:01.000Z' });
    expect(deps.suppression.entries.get(`phone#${PHONE}`)).toEqual({
      channel: 'sms',
      reasons: ['stop:sms', 'stop:sms'],
    });
    expect([...deps.events.items.values()]).toEqual([
      { messageId: 'in-1', type: 'sms-stop', at: '2025-03-10T09:00:01.000Z' },
    ]);
  });

  it('still applies a STOP whose contact lookup failed once, when retried', async () => {
    const deps = setup();
    const get = deps.contacts.get.bind(deps.contacts);
    let failures = 1;
    deps.contacts.get = async (id: string) => {
      if (failures-- > 0) throw new Error('timeout');
      return get(id);
    };
    await expect(handleInboundSms(deps, stop())).rejects.toThrow('timeout');
    expect(deps.events.items.size).toBe(0);
    expect(await handleInboundSms(deps, stop())).toBe('stopped');
    expect((await deps.contacts.get('c_1'))?.consent.sms).toEqual({
      status: 'denied',
      source: 'stop:sms',
      at: NOW,
    });
  });
});
