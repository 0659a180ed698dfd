/**
 * "Cost against post": what a campaign cost on its channels, what the same
 * audience would have cost by letter, and what the redemption revenue returned
 * on each. Pure arithmetic on the report's figures and configured unit costs:
 * the point of Relance is replacing postal reminders, so every report puts a
 * number on it.
 */

/**
 * What one message costs, in `currency` (COST_* variables of the reports
 * function). Plain numbers: no exchange rate is applied to any of them.
 */
export interface UnitCosts {
  /** ISO 4217 code of every amount below. */
  currency: string;
  emailPer1000: number;
  /** SMS per segment, for a country missing from `smsPerSegmentByCountry`. */
  smsPerSegment: number;
  /** SMS per segment by destination country (ISO 3166 alpha-2). */
  smsPerSegmentByCountry: Record<string, number>;
  /** A letter: print, envelope and postage. */
  postalLetter: number;
}

/** The unit costs from the configuration's COST_* variables. */
export const unitCostsFrom = (config: {
  COST_CURRENCY: string;
  COST_EMAIL_PER_1000: number;
  COST_SMS_PER_SEGMENT: number;
  COST_SMS_PER_SEGMENT_BY_COUNTRY: Record<string, number>;
  COST_POSTAL_LETTER: number;
}): UnitCosts => ({
  currency: config.COST_CURRENCY,
  emailPer1000: config.COST_EMAIL_PER_1000,
  smsPerSegment: config.COST_SMS_PER_SEGMENT,
  smsPerSegmentByCountry: { ...config.COST_SMS_PER_SEGMENT_BY_COUNTRY },
  postalLetter: config.COST_POSTAL_LETTER,
});

export interface CostInput {
  units: UnitCosts;
  /** Emails sent (null when the campaign only texts). */
  emailsSent: number | null;
  /** The SMS figures of the report (null when the campaign does not text). */
  sms: {
    sent: number;
    segments: number;
    /** What the provider billed so far, in US dollars (null before any final receipt). */
    costUsd: number | null;
    /**
     * Segments per destination country, when the caller knows them. The report's
     * counters do not split segments by country, so it gives none today and every
     * segment is priced at `smsPerSegment`; segments not covered here are too.
     */
    segmentsByCountry?: Record<string, number>;
  } | null;
  /**
   * Whether one contact may have been sent both an email and an SMS (`email+sms`
   * with `sms.to: "all"`). The report does not know how many were: the letters
   * are then counted as the larger channel's messages, the fewest contacts the
   * campaign can have reached, so the saving shown is a floor.
   */
  overlapping: boolean;
  /**
   * The revenue the campaign is credited with, in `units.currency`: what it brought (incremental,
   * against its holdout) when it has one, else its coupons' redemption revenue; null when not
   * measured (no offer, no holdout) or in another currency.
   */
  revenue: number | null;
  /** Where `revenue` comes from. */
  revenueBasis?: 'incremental' | 'redemptions';
  /** The discounts given at redemption (percent × basket, the amount off, the gift's value), in `units.currency`. */
  discounts?: number | null;
}

/** The report's `cost` block. */
export interface CampaignCost {
  currency: string;
  email: { sent: number; ratePer1000: number; cost: number } | null;
  sms: {
    sent: number;
    segments: number;
    /** Segments × the rate of their country (the default rate when unknown): an estimate, in `currency`. */
    cost: number;
    byCountry: Array<{ country: string; segments: number; rate: number; cost: number }>;
    /** Segments of no known country, priced at `defaultRate`. */
    otherSegments: number;
    defaultRate: number;
    /** What the provider actually billed so far, in US dollars: shown apart, never converted or added. */
    providerBilledUsd: number | null;
  } | null;
  /** Email and SMS together. */
  messages: number;
  /** Discounts given at redemption: a cost of the campaign as much as its messages (null without an offer). */
  discounts: number | null;
  /** Messages and discounts. */
  total: number;
  /** The same audience by post: a letter per contact the campaign reached. */
  postal: { letters: number; perLetter: number; cost: number };
  /** postal − total, and its share of postal. */
  saving: number;
  savingRate: number | null;
  revenue: number | null;
  /** `incremental`: what the campaign brought against its holdout; `redemptions`: its coupons' baskets. */
  revenueBasis: 'incremental' | 'redemptions' | null;
  /** (revenue − total) / total: null without revenue or without cost. */
  roi: number | null;
  /** revenue / total: what each unit of currency spent brought back. */
  revenuePerEuro: number | null;
  /** (revenue − postal − discounts) / (postal + discounts), had the letters brought the same revenue. */
  postalRoi: number | null;
}

/** Amounts to the millionth: no 0.30000000000000004 in the JSON, still exact enough for a thousand emails. */
const round = (x: number) => Math.round(x * 1_000_000) / 1_000_000;
const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * The campaign's cost against post. Email = emails sent / 1000 × rate; SMS =
 * Σ segments × their country's rate (default rate otherwise); postal = letters ×
 * letter cost, where letters = the contacts reached: every message sent, or the
 * larger channel when one contact may have had both.
 */
export function campaignCost(input: CostInput): CampaignCost {
  const { units } = input;
  const emailsSent = input.emailsSent ?? 0;
  const email =
    input.emailsSent === null
      ? null
      : {
          sent: emailsSent,
          ratePer1000: units.emailPer1000,
          cost: round((emailsSent / 1000) * units.emailPer1000),
        };

  const sms = input.sms
    ? (() => {
        const s = input.sms;
        const byCountry = Object.entries(s.segmentsByCountry ?? {})
          .filter(([, segments]) => segments > 0)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([country, segments]) => {
            const rate = units.smsPerSegmentByCountry[country] ?? units.smsPerSegment;
            return { country, segments, rate, cost: round(segments * rate) };
          });
        const known = byCountry.reduce((sum, c) => sum + c.segments, 0);
        const otherSegments = Math.max(0, s.segments - known);
        const cost = round(
          byCountry.reduce((sum, c) => sum + c.cost, 0) + otherSegments * units.smsPerSegment,
        );
        return {
          sent: s.sent,
          segments: Math.max(s.segments, known),
          cost,
          byCountry,
          otherSegments,
          defaultRate: units.smsPerSegment,
          providerBilledUsd: s.costUsd,
        };
      })()
    : null;

  const messages = round((email?.cost ?? 0) + (sms?.cost ?? 0));
  const discounts = input.discounts ?? null;
  const total = round(messages + (discounts ?? 0));
  const smsSent = input.sms?.sent ?? 0;
  const letters = input.overlapping ? Math.max(emailsSent, smsSent) : emailsSent + smsSent;
  const postalCost = round(letters * units.postalLetter);
  // A letter carrying the same coupon gives the same discounts: the saving is on the messages.
  const saving = round(postalCost - messages);
  const revenue = input.revenue;
  const postalTotal = postalCost + (discounts ?? 0);
  return {
    currency: units.currency,
    email,
    sms,
    messages,
    discounts,
    total,
    postal: { letters, perLetter: units.postalLetter, cost: postalCost },
    saving,
    savingRate: ratio(saving, postalCost),
    revenue,
    revenueBasis: revenue === null ? null : (input.revenueBasis ?? 'redemptions'),
    roi: revenue === null ? null : ratio(revenue - total, total),
    revenuePerEuro: revenue === null ? null : ratio(revenue, total),
    postalRoi: revenue === null ? null : ratio(revenue - postalTotal, postalTotal),
  };
}
