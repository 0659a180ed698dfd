import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../functions/config';
import {
  type Campaign,
  campaignInputSchema,
  emptyCounts,
} from '../../../../functions/domain/campaigns/campaign';
import { campaignCost, type UnitCosts, unitCostsFrom } from '../../../../functions/domain/reports/costs';
import { redemptionCounter, smsCounter } from '../../../../functions/domain/reports/counters';
import { buildReport } from '../../../../functions/domain/reports/report';

/** The defaults: €0.10 per 1,000 emails, €0.075 per SMS segment, €1.60 a letter. */
const units: UnitCosts = {
  currency: 'EUR',
  emailPer1000: 0.1,
  smsPerSegment: 0.075,
  smsPerSegmentByCountry: {},
  postalLetter: 1.6,
};

describe('campaignCost', () => {
  it('an email campaign: emails / 1000 × rate, against a letter each', () => {
    const c = campaignCost({ units, emailsSent: 20_000, sms: null, overlapping: false, revenue: 5000 });
    expect(c).toEqual({
      currency: 'EUR',
      email: { sent: 20_000, ratePer1000: 0.1, cost: 2 },
      sms: null,
      messages: 2,
      discounts: null,
      total: 2,
      postal: { letters: 20_000, perLetter: 1.6, cost: 32_000 },
      saving: 31_998,
      savingRate: 31_998 / 32_000,
      revenue: 5000,
      revenueBasis: 'redemptions',
      roi: 2499,
      revenuePerEuro: 2500,
      postalRoi: -0.84375,
    });
    expect(c.savingRate).toBe(0.9999375);
  });

  it('counts the discounts given as a cost: the ROI of 1,000 emails that gave 25% off 100 baskets', () => {
    // 100 redemptions of 80 € baskets at 25 % off: 2,000 € given, 8,000 € of baskets.
    const c = campaignCost({
      units,
      emailsSent: 1000,
      sms: null,
      overlapping: false,
      revenue: 8000,
      discounts: 2000,
    });
    expect(c.messages).toBe(0.1);
    expect(c.total).toBe(2000.1);
    expect(c.roi).toBeCloseTo((8000 - 2000.1) / 2000.1, 12);
    // The letters would have carried the same coupon: the saving is on the messages only.
    expect(c.saving).toBe(1600 - 0.1);
    expect(c.postalRoi).toBeCloseTo((8000 - 3600) / 3600, 12);
  });

  it('credits what the campaign brought, when a holdout measured it', () => {
    const c = campaignCost({
      units,
      emailsSent: 1000,
      sms: null,
      overlapping: false,
      revenue: 1200,
      revenueBasis: 'incremental',
      discounts: 300,
    });
    expect(c.revenueBasis).toBe('incremental');
    expect(c.roi).toBeCloseTo((1200 - 300.1) / 300.1, 12);
  });

  it('keeps amounts to the millionth, with no floating-point dust', () => {
    const c = campaignCost({ units, emailsSent: 1147, sms: null, overlapping: false, revenue: 3712.4 });
    expect(c.email?.cost).toBe(0.1147);
    expect(c.postal.cost).toBe(1835.2);
    expect(c.saving).toBe(1835.0853);
    expect(c.roi).toBeCloseTo(32_365.172_624, 6);
    expect(c.revenuePerEuro).toBeCloseTo(32_366.172_624, 6);
    expect(c.postalRoi).toBeCloseTo(1877.2 / 1835.2, 12);
  });

  it('email and SMS to different contacts: segments × rate, the provider bill apart, a letter per message', () => {
    const c = campaignCost({
      units,
      emailsSent: 1000,
      sms: { sent: 400, segments: 800, costUsd: 56.96 },
      overlapping: false,
      revenue: 3005,
    });
    expect(c.email).toEqual({ sent: 1000, ratePer1000: 0.1, cost: 0.1 });
    expect(c.sms).toEqual({
      sent: 400,
      segments: 800,
      cost: 60,
      byCountry: [],
      otherSegments: 800,
      defaultRate: 0.075,
      providerBilledUsd: 56.96,
    });
    // The provider's dollars are never added to the euros.
    expect(c.total).toBe(60.1);
    expect(c.postal).toEqual({ letters: 1400, perLetter: 1.6, cost: 2240 });
    expect(c.saving).toBe(2179.9);
    expect(c.savingRate).toBeCloseTo(2179.9 / 2240, 12);
    expect(c.roi).toBeCloseTo(49, 10);
    expect(c.revenuePerEuro).toBeCloseTo(50, 10);
    expect(c.postalRoi).toBeCloseTo(765 / 2240, 12);
  });

  it('email and SMS to the same contacts (sms.to: all): the larger channel, a floor of the letters', () => {
    const c = campaignCost({
      units,
      emailsSent: 1000,
      sms: { sent: 600, segments: 600, costUsd: null },
      overlapping: true,
      revenue: null,
    });
    expect(c.postal).toEqual({ letters: 1000, perLetter: 1.6, cost: 1600 });
    expect(c.total).toBe(45.1);
    expect(c.saving).toBe(1554.9);
    expect(c.sms?.providerBilledUsd).toBeNull();
  });

  it('an SMS campaign has no email line', () => {
    const c = campaignCost({
      units,
      emailsSent: null,
      sms: { sent: 398, segments: 796, costUsd: 55.536 },
      overlapping: false,
      revenue: 1064.8,
    });
    expect(c.email).toBeNull();
    expect(c.sms?.cost).toBe(59.7);
    expect(c.total).toBe(59.7);
    expect(c.postal.cost).toBe(636.8);
    expect(c.saving).toBe(577.1);
    expect(c.roi).toBeCloseTo((1064.8 - 59.7) / 59.7, 12);
  });

  it('prices segments by country when they are known, the rest at the default rate', () => {
    const c = campaignCost({
      units: { ...units, smsPerSegment: 0.08, smsPerSegmentByCountry: { FR: 0.075, BE: 0.09 } },
      emailsSent: null,
      sms: { sent: 500, segments: 1000, costUsd: null, segmentsByCountry: { FR: 600, BE: 300, DE: 50 } },
      overlapping: false,
      revenue: null,
    });
    expect(c.sms?.byCountry).toEqual([
      { country: 'BE', segments: 300, rate: 0.09, cost: 27 },
      { country: 'DE', segments: 50, rate: 0.08, cost: 4 },
      { country: 'FR', segments: 600, rate: 0.075, cost: 45 },
    ]);
    expect(c.sms?.otherSegments).toBe(50);
    // 27 + 4 + 45 + 50 × 0.08
    expect(c.sms?.cost).toBe(80);
    expect(c.total).toBe(80);
  });

  it('no revenue, no return; nothing sent, no ratio at all', () => {
    const c = campaignCost({ units, emailsSent: 0, sms: null, overlapping: false, revenue: 100 });
    expect(c).toMatchObject({
      total: 0,
      saving: 0,
      savingRate: null,
      roi: null,
      revenuePerEuro: null,
      postalRoi: null,
    });
    const noOffer = campaignCost({ units, emailsSent: 1000, sms: null, overlapping: false, revenue: null });
    expect(noOffer).toMatchObject({ revenue: null, roi: null, revenuePerEuro: null, postalRoi: null });
    expect(noOffer.saving).toBe(1599.9);
  });

  it('a letter cheaper than the messages is a negative saving, not hidden', () => {
    const c = campaignCost({
      units: { ...units, postalLetter: 0.05 },
      emailsSent: null,
      sms: { sent: 100, segments: 200, costUsd: null },
      overlapping: false,
      revenue: null,
    });
    expect(c.saving).toBe(-10);
    expect(c.savingRate).toBe(-2);
  });
});

describe('unit costs from the configuration', () => {
  const base = { TABLE_NAME: 't', EVENTS_TABLE_NAME: 'e', KEYRING: 'k'.repeat(40) };

  it('defaults: EUR, 0.10 per 1,000 emails, 0.075 per segment, 1.60 a letter', () => {
    expect(unitCostsFrom(loadConfig(base))).toEqual(units);
  });

  it('reads the variables, the per-country rates as JSON', () => {
    const config = loadConfig({
      ...base,
      COST_CURRENCY: 'CHF',
      COST_EMAIL_PER_1000: '0.25',
      COST_SMS_PER_SEGMENT: '0.1',
      COST_SMS_PER_SEGMENT_BY_COUNTRY: '{"FR":0.075,"BE":0.09}',
      COST_POSTAL_LETTER: '2.1',
    });
    expect(unitCostsFrom(config)).toEqual({
      currency: 'CHF',
      emailPer1000: 0.25,
      smsPerSegment: 0.1,
      smsPerSegmentByCountry: { FR: 0.075, BE: 0.09 },
      postalLetter: 2.1,
    });
  });

  it.each([
    ['COST_SMS_PER_SEGMENT_BY_COUNTRY', 'FR=0.075', /Not JSON/],
    ['COST_SMS_PER_SEGMENT_BY_COUNTRY', '{"fr":0.075}', /COST_SMS_PER_SEGMENT_BY_COUNTRY: fr:/],
    ['COST_SMS_PER_SEGMENT_BY_COUNTRY', '{"FR":-1}', /COST_SMS_PER_SEGMENT_BY_COUNTRY: FR:/],
    ['COST_SMS_PER_SEGMENT_BY_COUNTRY', '[0.075]', /COST_SMS_PER_SEGMENT_BY_COUNTRY/],
    ['COST_POSTAL_LETTER', '-1', /COST_POSTAL_LETTER/],
    ['COST_EMAIL_PER_1000', 'cheap', /COST_EMAIL_PER_1000/],
    ['COST_CURRENCY', 'euro', /COST_CURRENCY/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
  });
});

describe('buildReport with unit costs', () => {
  const campaign = (over: Partial<Campaign>): Campaign => ({
    ...campaignInputSchema.parse({
      name: 'Relance',
      channel: 'email',
      template: 'winback',
      segment: {},
      from: { name: 'Shop', address: 'shop@example.com' },
      offer: {
        kind: 'percent',
        value: 20,
        currency: 'EUR',
        stores: 'all',
        validDays: 30,
        description: { en: '20% off' },
      },
    }),
    id: 'cmp_1',
    status: 'sent',
    locales: ['en'],
    plan: { done: true },
    counts: { ...emptyCounts(), targeted: 1400, sent: 1400 },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  });
  const counters = {
    numbers: {
      [smsCounter.sent]: 400,
      [smsCounter.segments]: 800,
      [smsCounter.priceMicroUsd]: 56_960_000,
      [redemptionCounter.revenueCents]: 300_500,
    },
    names: {},
  };

  it('has no cost block without unit costs, and every other field unchanged', () => {
    const without = buildReport(campaign({ channel: 'email+sms' }), counters);
    const withCosts = buildReport(campaign({ channel: 'email+sms' }), counters, units);
    expect(without.cost).toBeNull();
    expect({ ...withCosts, cost: null }).toEqual(without);
  });

  it('costs the emails (sent − SMS) and the SMS, and returns the redemption revenue', () => {
    const { cost } = buildReport(campaign({ channel: 'email+sms' }), counters, units);
    expect(cost).toMatchObject({
      currency: 'EUR',
      email: { sent: 1000, cost: 0.1 },
      sms: { sent: 400, segments: 800, cost: 60, providerBilledUsd: 56.96 },
      total: 60.1,
      postal: { letters: 1400, cost: 2240 },
      saving: 2179.9,
      revenue: 3005,
    });
    expect(cost?.roi).toBeCloseTo(49, 10);
  });

  it('counts the larger channel as letters when contacts may get both (sms.to: all)', () => {
    const { cost } = buildReport(campaign({ channel: 'email+sms', sms: { to: 'all' } }), counters, units);
    expect(cost?.postal.letters).toBe(1000);
  });

  it('measures no return without an offer, or with revenue in another currency', () => {
    const noOffer = campaign({ channel: 'email' });
    delete noOffer.offer;
    expect(buildReport(noOffer, { numbers: {}, names: {} }, units).cost).toMatchObject({
      email: { sent: 1400, cost: 0.14 },
      sms: null,
      revenue: null,
      roi: null,
    });
    const chf = buildReport(campaign({ channel: 'email+sms' }), counters, { ...units, currency: 'CHF' });
    expect(chf.cost?.revenue).toBeNull();
    expect(chf.coupons?.revenue).toBe(3005);
  });
});
