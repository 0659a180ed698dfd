import * as z from 'zod';
import { type Channel, type Contact, storeIdSchema } from '../contacts/contact';
import { purchaseCount, type RfmThresholds, rfmScores } from './rfm';

const DAY = 86_400_000;
const tag = z.string().trim().min(1).max(50);

/** `{ min?, max? }`, both included. */
function range<T extends z.ZodNumber>(n: T) {
  return z
    .strictObject({ min: n.optional(), max: n.optional() })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
      message: 'min must not be above max',
      path: ['max'],
    })
    .optional();
}
const score = z.strictObject({
  min: z.number().int().min(1).max(5).optional(),
  max: z.number().int().min(1).max(5).optional(),
});

/**
 * Who a campaign is for. Every criterion given must hold; consent for the
 * campaign's channel is always required on top, whatever the filter says.
 */
export const segmentSchema = z
  .strictObject({
    tags: z
      .strictObject({
        any: z.array(tag).min(1).max(50).optional(),
        all: z.array(tag).min(1).max(50).optional(),
      })
      .optional(),
    homeStoreIds: z.array(storeIdSchema).min(1).max(200).optional(),
    /** A language (`fr`) matches every regional locale (`fr-BE`); a full locale matches only itself. */
    locale: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'Use a locale such as "fr" or "fr-FR"')
      .optional(),
    /** Bought before, and not in the last N days (those who never bought are `neverPurchased`). */
    inactiveForDays: z.number().int().positive().max(3650).optional(),
    /** `true`: never bought anything; `false`: bought at least once. */
    neverPurchased: z.boolean().optional(),
    /** At least one purchase in the last N days. */
    purchasedWithinDays: z.number().int().positive().max(3650).optional(),
    lastPurchase: z
      .strictObject({
        before: z.iso.datetime({ offset: true }).optional(),
        after: z.iso.datetime({ offset: true }).optional(),
      })
      .optional(),
    attributes: z
      .record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/), z.union([z.string(), z.number(), z.boolean()]))
      .optional(),
    /** Number of purchases, every channel together. */
    purchases: range(z.number().int().min(0).max(1_000_000)),
    /** Total spent, in the stack's currency. */
    totalSpend: range(z.number().min(0).max(1_000_000_000)),
    /** Average basket (total spent ÷ purchases), of those who bought. */
    averageBasket: range(z.number().min(0).max(1_000_000)),
    /** Where the last purchase was made. */
    lastPurchaseStoreIds: z.array(storeIdSchema).min(1).max(200).optional(),
    /** When the first purchase was made: new customers are those whose first purchase is recent. */
    firstPurchase: z
      .strictObject({
        before: z.iso.datetime({ offset: true }).optional(),
        after: z.iso.datetime({ offset: true }).optional(),
      })
      .optional(),
    /** Born in this month (1–12), from the contact's birth date. */
    birthdayMonth: z.number().int().min(1).max(12).optional(),
    /** Recency, frequency and monetary scores, 1–5 by quintile over those who bought (5 the best). */
    rfm: z
      .strictObject({ recency: score, frequency: score, monetary: score })
      .partial()
      .refine((r) => Object.keys(r).length > 0, 'Give recency, frequency or monetary')
      .optional(),
  })
  .refine(
    (s) => !(s.inactiveForDays && s.purchasedWithinDays && s.purchasedWithinDays <= s.inactiveForDays),
    {
      message: 'purchasedWithinDays must be larger than inactiveForDays, or nobody can match',
      path: ['purchasedWithinDays'],
    },
  );
export type Segment = z.infer<typeof segmentSchema>;

/** True when the segment needs RFM scores: the base's quintiles must be computed before evaluating it. */
export const needsRfm = (segment: Segment) => segment.rfm !== undefined;

const within = (v: number, r?: { min?: number | undefined; max?: number | undefined }) =>
  !r || ((r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max));

/**
 * True when the contact meets every criterion of the segment (consent aside). `rfm`: the base's
 * quintile cut-offs, needed when the segment scores customers (see needsRfm).
 */
export function inSegment(contact: Contact, segment: Segment, now: Date, rfm?: RfmThresholds): boolean {
  const tags = new Set(contact.tags);
  if (segment.tags?.any && !segment.tags.any.some((t) => tags.has(t))) return false;
  if (segment.tags?.all && !segment.tags.all.every((t) => tags.has(t))) return false;
  if (segment.homeStoreIds && !(contact.homeStoreId && segment.homeStoreIds.includes(contact.homeStoreId)))
    return false;
  if (segment.locale) {
    const l = contact.locale ?? '';
    if (!(l === segment.locale || (!segment.locale.includes('-') && l.startsWith(`${segment.locale}-`))))
      return false;
  }
  const last = contact.lastPurchaseAt ? Date.parse(contact.lastPurchaseAt) : undefined;
  if (
    segment.inactiveForDays !== undefined &&
    (last === undefined || last > now.getTime() - segment.inactiveForDays * DAY)
  )
    return false;
  if (segment.neverPurchased !== undefined && segment.neverPurchased !== (last === undefined)) return false;
  if (
    segment.purchasedWithinDays !== undefined &&
    (last === undefined || last < now.getTime() - segment.purchasedWithinDays * DAY)
  )
    return false;
  if (segment.lastPurchase?.before && (last === undefined || last >= Date.parse(segment.lastPurchase.before)))
    return false;
  if (segment.lastPurchase?.after && (last === undefined || last <= Date.parse(segment.lastPurchase.after)))
    return false;
  for (const [name, value] of Object.entries(segment.attributes ?? {})) {
    if (contact.attributes[name] !== value) return false;
  }
  const count = purchaseCount(contact);
  if (!within(count, segment.purchases)) return false;
  if (!within(contact.totalSpent ?? 0, segment.totalSpend)) return false;
  if (
    segment.averageBasket &&
    (count === 0 || !within((contact.totalSpent ?? 0) / count, segment.averageBasket))
  )
    return false;
  if (
    segment.lastPurchaseStoreIds &&
    !(contact.lastPurchaseStoreId && segment.lastPurchaseStoreIds.includes(contact.lastPurchaseStoreId))
  )
    return false;
  const first = contact.firstPurchaseAt ? Date.parse(contact.firstPurchaseAt) : undefined;
  if (
    segment.firstPurchase?.after &&
    (first === undefined || first <= Date.parse(segment.firstPurchase.after))
  )
    return false;
  if (
    segment.firstPurchase?.before &&
    (first === undefined || first >= Date.parse(segment.firstPurchase.before))
  )
    return false;
  if (segment.birthdayMonth !== undefined && Number(contact.birthDate?.slice(5, 7)) !== segment.birthdayMonth)
    return false;
  if (segment.rfm) {
    const scores = rfm ? rfmScores(contact, rfm, now) : undefined;
    if (!scores) return false;
    for (const k of ['recency', 'frequency', 'monetary'] as const)
      if (!within(scores[k], segment.rfm[k])) return false;
  }
  return true;
}

/** Whether a contact in the segment can be messaged on a channel now, and if not, why. */
export type Eligibility = 'eligible' | 'suppressed' | 'no_consent' | 'no_address';

/** Only `granted` is consent: a `pending` one (a shop sign-up not yet confirmed by email) counts as none. */
export function eligibility(contact: Contact, channel: Channel): Eligibility {
  if (contact.suppressed.includes(channel)) return 'suppressed';
  if (!(channel === 'email' ? contact.email : contact.phone)) return 'no_address';
  if (channel === 'sms' && contact.smsCapable === false) return 'no_address';
  if (contact.consent[channel]?.status !== 'granted') return 'no_consent';
  return 'eligible';
}
