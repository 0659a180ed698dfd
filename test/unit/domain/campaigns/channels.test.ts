import { describe, expect, it } from 'vitest';
import {
  type CampaignInput,
  campaignChannels,
  campaignInputSchema,
  messagesFor,
} from '../../../../functions/domain/campaigns/campaign';
import type { Channel, Consent, Contact } from '../../../../functions/domain/contacts/contact';

const AT = '2025-01-01T00:00:00.000Z';
const granted: Consent = { status: 'granted', source: 'till', at: AT };
const denied: Consent = { status: 'denied', source: 'form', at: AT };

/** A contact reachable on both channels, unless told otherwise. */
function contact(over: Partial<Contact> = {}): Contact {
  return {
    id: 'c_1',
    email: 'ann@example.com',
    phone: '+33612345678',
    tags: [],
    attributes: {},
    consent: { email: granted, sms: granted },
    suppressed: [],
    purchases: { store: 0, web: 0, phone: 0 },
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

const EMAIL = { channel: 'email' } as const;
const SMS = { channel: 'sms' } as const;
const WITHOUT_EMAIL = { channel: 'email+sms', sms: { to: 'without-email' } } as const;
const ALL = { channel: 'email+sms', sms: { to: 'all' } } as const;
type Routing = Pick<CampaignInput, 'channel' | 'sms'>;

const route = (c: Routing, over: Partial<Contact> = {}) => messagesFor(c, contact(over));

describe('messagesFor: email', () => {
  it('sends an email to an emailable contact', () => {
    expect(route(EMAIL)).toEqual({ channels: ['email'] });
    expect(route(EMAIL, { phone: undefined, consent: { email: granted } })).toEqual({ channels: ['email'] });
  });

  it('gives the reason when it cannot', () => {
    expect(route(EMAIL, { email: undefined })).toEqual({ channels: [], reason: 'no_address' });
    expect(route(EMAIL, { consent: { sms: granted } })).toEqual({ channels: [], reason: 'no_consent' });
    expect(route(EMAIL, { consent: { email: denied, sms: granted } })).toEqual({
      channels: [],
      reason: 'no_consent',
    });
    expect(route(EMAIL, { suppressed: ['email'] })).toEqual({ channels: [], reason: 'suppressed' });
  });

  it('ignores the SMS side', () => {
    expect(route(EMAIL, { suppressed: ['sms'] })).toEqual({ channels: ['email'] });
  });
});

describe('messagesFor: sms', () => {
  it('sends an SMS to a contact with a phone and SMS consent', () => {
    expect(route(SMS)).toEqual({ channels: ['sms'] });
    expect(route(SMS, { email: undefined, consent: { sms: granted } })).toEqual({ channels: ['sms'] });
  });

  it('gives the reason when it cannot', () => {
    expect(route(SMS, { phone: undefined })).toEqual({ channels: [], reason: 'no_address' });
    expect(route(SMS, { consent: { email: granted } })).toEqual({ channels: [], reason: 'no_consent' });
    expect(route(SMS, { consent: { email: granted, sms: denied } })).toEqual({
      channels: [],
      reason: 'no_consent',
    });
    expect(route(SMS, { suppressed: ['sms'] })).toEqual({ channels: [], reason: 'suppressed' });
  });

  it('suppressed wins over every other reason', () => {
    expect(route(SMS, { phone: undefined, consent: {}, suppressed: ['sms'] })).toEqual({
      channels: [],
      reason: 'suppressed',
    });
  });
});

describe('messagesFor: email+sms, sms.to without-email', () => {
  it('sends only the email to a contact reachable on both', () => {
    expect(route(WITHOUT_EMAIL)).toEqual({ channels: ['email'] });
  });

  it('sends the SMS instead to a contact who cannot be emailed', () => {
    expect(route(WITHOUT_EMAIL, { email: undefined })).toEqual({ channels: ['sms'] });
    expect(route(WITHOUT_EMAIL, { consent: { sms: granted } })).toEqual({ channels: ['sms'] });
    expect(route(WITHOUT_EMAIL, { consent: { email: denied, sms: granted } })).toEqual({ channels: ['sms'] });
    expect(route(WITHOUT_EMAIL, { suppressed: ['email'] })).toEqual({ channels: ['sms'] });
  });

  it('sends the email to a contact who cannot be texted', () => {
    expect(route(WITHOUT_EMAIL, { phone: undefined })).toEqual({ channels: ['email'] });
    expect(route(WITHOUT_EMAIL, { suppressed: ['sms'] })).toEqual({ channels: ['email'] });
  });

  it('behaves the same when the sms options are absent', () => {
    const noOptions: Routing = { channel: 'email+sms' };
    expect(messagesFor(noOptions, contact())).toEqual({ channels: ['email'] });
    expect(messagesFor(noOptions, contact({ email: undefined }))).toEqual({ channels: ['sms'] });
  });
});

describe('messagesFor: email+sms, sms.to all', () => {
  it('sends both to a contact reachable on both, email first', () => {
    expect(route(ALL)).toEqual({ channels: ['email', 'sms'] });
  });

  it('sends what each channel allows', () => {
    expect(route(ALL, { email: undefined })).toEqual({ channels: ['sms'] });
    expect(route(ALL, { phone: undefined })).toEqual({ channels: ['email'] });
    expect(route(ALL, { consent: { email: granted } })).toEqual({ channels: ['email'] });
    expect(route(ALL, { consent: { sms: granted } })).toEqual({ channels: ['sms'] });
    expect(route(ALL, { suppressed: ['sms'] })).toEqual({ channels: ['email'] });
    expect(route(ALL, { suppressed: ['email'] })).toEqual({ channels: ['sms'] });
  });
});

describe('messagesFor: email+sms, nothing sent', () => {
  const cases: [string, Partial<Contact>, string][] = [
    ['no address at all', { email: undefined, phone: undefined }, 'no_address'],
    ['no consent at all', { consent: {} }, 'no_consent'],
    [
      'no email, no SMS consent: the email reason',
      { email: undefined, consent: { email: granted } },
      'no_address',
    ],
    [
      'no email consent, no phone: the email reason',
      { phone: undefined, consent: { sms: granted } },
      'no_consent',
    ],
    ['email suppressed, no phone', { phone: undefined, suppressed: ['email'] }, 'suppressed'],
    ['sms suppressed, no email', { email: undefined, suppressed: ['sms'] }, 'suppressed'],
    ['sms suppressed, no email consent', { consent: { sms: granted }, suppressed: ['sms'] }, 'suppressed'],
    ['both suppressed', { suppressed: ['email', 'sms'] as Channel[] }, 'suppressed'],
  ];
  for (const routing of [WITHOUT_EMAIL, ALL]) {
    for (const [name, over, reason] of cases) {
      it(`${routing.sms.to}: ${name} → ${reason}`, () => {
        expect(route(routing, over)).toEqual({ channels: [], reason });
      });
    }
  }
});

describe('campaignChannels', () => {
  it('lists the channels a campaign may send on', () => {
    expect(campaignChannels({ channel: 'email' })).toEqual(['email']);
    expect(campaignChannels({ channel: 'sms' })).toEqual(['sms']);
    expect(campaignChannels({ channel: 'email+sms' })).toEqual(['email', 'sms']);
  });
});

describe('campaignInputSchema and channels', () => {
  const base = { name: 'Winback', template: 'winback', segment: {} };
  const from = { name: 'Maison Martin', address: 'News@Example.com' };
  const issues = (input: Record<string, unknown>) => {
    const r = campaignInputSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path, message: i.message }));
  };

  it('accepts an SMS campaign without a sender', () => {
    expect(campaignInputSchema.parse({ ...base, channel: 'sms' })).toEqual({ ...base, channel: 'sms' });
  });

  it('requires from for email and email+sms', () => {
    for (const channel of ['email', 'email+sms']) {
      expect(issues({ ...base, channel })).toEqual([
        { path: ['from'], message: 'An email campaign needs a sender: from' },
      ]);
    }
    expect(campaignInputSchema.parse({ ...base, channel: 'email', from })).toEqual({
      ...base,
      channel: 'email',
      from: { name: 'Maison Martin', address: 'news@example.com' },
    });
  });

  it('refuses a sender or a reply-to on an SMS campaign', () => {
    const message = 'An SMS campaign has no email sender: remove it, or use channel "email+sms"';
    expect(issues({ ...base, channel: 'sms', from })).toEqual([{ path: ['from'], message }]);
    expect(issues({ ...base, channel: 'sms', replyTo: 'a@example.com' })).toEqual([
      { path: ['replyTo'], message },
    ]);
    expect(issues({ ...base, channel: 'sms', from, replyTo: 'a@example.com' })).toEqual([
      { path: ['from'], message },
    ]);
  });

  it('refuses sms options on an email campaign', () => {
    expect(issues({ ...base, channel: 'email', from, sms: {} })).toEqual([
      { path: ['sms'], message: 'Only sms and email+sms campaigns take sms options' },
    ]);
    expect(issues({ ...base, channel: 'email', from, sms: { to: 'all' } })).toEqual([
      { path: ['sms'], message: 'Only sms and email+sms campaigns take sms options' },
    ]);
  });

  it('defaults sms.to to without-email', () => {
    expect(campaignInputSchema.parse({ ...base, channel: 'email+sms', from, sms: {} }).sms).toEqual({
      to: 'without-email',
    });
    expect(
      campaignInputSchema.parse({ ...base, channel: 'email+sms', from, sms: { template: 'winback-sms' } })
        .sms,
    ).toEqual({ template: 'winback-sms', to: 'without-email' });
    expect(
      campaignInputSchema.parse({ ...base, channel: 'email+sms', from, sms: { to: 'all' } }).sms,
    ).toEqual({
      to: 'all',
    });
  });

  it('refuses an unknown channel, an unknown sms.to and unknown sms fields', () => {
    expect(issues({ ...base, channel: 'push' }).map((i) => i.path)).toEqual([['channel']]);
    expect(issues({ ...base, channel: 'email+sms', from, sms: { to: 'some' } }).map((i) => i.path)).toEqual([
      ['sms', 'to'],
    ]);
    expect(issues({ ...base, channel: 'email+sms', from, sms: { when: 'now' } }).map((i) => i.path)).toEqual([
      ['sms'],
    ]);
  });
});
