/** What the campaign tests share: a keyring, a campaign, its content, contacts, and the sender's deps over the fakes. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { vi } from 'vitest';
import type { Campaign, CampaignContent } from '../../../../functions/domain/campaigns/campaign';
import { MessageCache } from '../../../../functions/domain/campaigns/message';
import type { SenderDeps } from '../../../../functions/domain/campaigns/sender';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import type { Offer } from '../../../../functions/domain/coupons/coupon';
import { type Keyring, keyringFromSecret } from '../../../../functions/domain/shared/hashing';
import { TokenBucket } from '../../../../functions/domain/shared/rate-limiter';
import { type FakeDeps, fakeDeps } from '../../../support/fakes';

export const ring: Keyring = keyringFromSecret('unit-test-secret-unit-test-secret-0001');

/** Monday 23 November 2026, 11:00 in Paris: daytime, outside the SMS quiet hours. */
export const NOW = new Date('2026-11-23T10:00:00.000Z');
const AT = '2026-01-01T00:00:00.000Z';
export const BASE_URL = 'https://t.relance.example';
export const COMPANY = { name: 'Maison Relance', address: '12 rue des Halles, 75001 Paris' };

/** A contact reachable by email and SMS, in French, with its home shop in Paris. */
export function contact(id: string, over: Partial<Contact> = {}): Contact {
  return {
    id,
    email: `${id}@example.com`,
    phone: `+3361234${String(id.replace(/\D/g, '') || '0').padStart(4, '0')}`,
    phoneCountry: 'FR',
    firstName: `Ann ${id}`,
    locale: 'fr-FR',
    tags: [],
    attributes: {},
    consent: {
      email: { status: 'granted', source: 'till', at: AT },
      sms: { status: 'granted', source: 'till', at: AT },
    },
    suppressed: [],
    purchases: { store: 1, web: 0, phone: 0 },
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

/** A campaign sending email now, planned to the end, with the given number of recipients targeted. */
export function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    id: 'cmp_1',
    name: 'Relance hiver',
    channel: 'email',
    template: 'winback',
    segment: {},
    from: { name: 'Maison Relance', address: 'news@relance.example' },
    status: 'sending',
    locales: ['en', 'fr'],
    baseUrl: BASE_URL,
    plan: { done: true },
    counts: { targeted: 0, sent: 0, failed: 0, skipped: 0 },
    createdAt: AT,
    updatedAt: AT,
    sendRequestedAt: NOW.toISOString(),
    ...over,
  };
}

/** 20 % off, 30 days, in every shop. */
export const OFFER: Offer = {
  kind: 'percent',
  value: 20,
  validDays: 30,
  stores: 'all',
  description: { fr: '-20 % sur tout le magasin', en: '20% off everything' },
};

/** Minimal compiled templates: Liquid only (the MJML step is the template compiler's, tested apart). */
export function content(campaignId = 'cmp_1'): CampaignContent {
  const html = (hello: string) =>
    `<html><body><p>${hello} {{ contact.firstName }}</p>` +
    '{% if coupon %}<p>Code {{ coupon.code }} ({{ coupon.offer }}), until {{ coupon.validUntil }}</p>{% endif %}' +
    '<a href="https://shop.example/offer">Shop</a> <a href="{{ unsubscribeUrl }}">Unsubscribe</a></body></html>';
  return {
    campaignId,
    defaultLocale: 'fr',
    byLocale: {
      fr: {
        subject: 'Bonjour {{ contact.firstName }}',
        preheader: 'Pour vous',
        html: html('Bonjour'),
        text: 'Bonjour {{ contact.firstName }}{% if coupon %} code {{ coupon.code }}{% endif %}',
      },
      en: {
        subject: 'Hello {{ contact.firstName }}',
        preheader: 'For you',
        html: html('Hello'),
        text: 'Hello {{ contact.firstName }}{% if coupon %} code {{ coupon.code }}{% endif %}',
      },
    },
    sms: {
      defaultLocale: 'fr',
      byLocale: {
        fr: {
          body: '{{ company.name }}: {% if coupon %}code {{ coupon.code }} {% endif %}https://shop.example/offer STOP 36111',
        },
        en: {
          body: '{{ company.name }}: {% if coupon %}code {{ coupon.code }} {% endif %}https://shop.example/offer STOP 36111',
        },
      },
    },
  };
}

export interface TestLogger {
  info: ReturnType<typeof vi.fn>;
  warn: ReturnType<typeof vi.fn>;
  error: ReturnType<typeof vi.fn>;
  debug: ReturnType<typeof vi.fn>;
}

export type TestSenderDeps = FakeDeps & SenderDeps & { logger: Logger & TestLogger; sleeps: number[] };

/** The sender's deps over the shared fakes, the clock at NOW, shop `paris-11` in the directory. */
export function senderDeps(over: Partial<SenderDeps> = {}): TestSenderDeps {
  const f = fakeDeps(['paris-11']);
  f.clock.set(NOW);
  const sleeps: number[] = [];
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
  return {
    ...f,
    company: COMPANY,
    timeZone: 'Europe/Paris',
    cache: new MessageCache(),
    // 21:00-08:00, the default quiet hours.
    smsPolicy: { quietHours: { start: 21 * 60, end: 8 * 60 }, defaultTimeZone: 'Europe/Paris' },
    smsLimiter: new TokenBucket(1_000_000),
    limiter: new TokenBucket(1_000_000),
    keyring: async () => ring,
    logger: logger as unknown as Logger & TestLogger,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    sleeps,
    requeueDelaySeconds: 60,
    claimLeaseSeconds: 300,
    errorThreshold: 0.1,
    errorThresholdMin: 5,
    ...over,
  } as TestSenderDeps;
}

/** Stores a campaign and its content, and the contacts, in the fakes. */
export async function seed(deps: FakeDeps, c: Campaign, contacts: Contact[] = []): Promise<void> {
  await deps.campaigns.create(c, content(c.id));
  for (const k of contacts) deps.contacts.items.set(k.id, structuredClone(k));
}
