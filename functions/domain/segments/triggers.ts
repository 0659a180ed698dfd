import * as z from 'zod';
import type { Contact } from '../contacts/contact';
import { DEFAULT_TIME_ZONE, localDay, localInstant } from '../shared/time';

const DAY = 86_400_000;

/** Who an automation's daily run picks up: those who newly match since the previous run. */
export const triggerSchema = z.discriminatedUnion('kind', [
  /** No purchase for `days` days: the win-back ("relance"). */
  z.strictObject({ kind: z.literal('inactive'), days: z.number().int().min(1).max(3650) }),
  /** Joined the customer file (created, or their consent confirmed): a welcome. */
  z.strictObject({ kind: z.literal('signup') }),
  /** `daysAfter` days after their last purchase: a thank-you, a review request. */
  z.strictObject({ kind: z.literal('purchase'), daysAfter: z.number().int().min(0).max(3650) }),
  /**
   * `daysBefore` days before their birthday (midnight, in their time zone), once a year: needs a
   * birth date on the contact (API or import). Born on 29 February: the 28th in other years.
   */
  z.strictObject({ kind: z.literal('birthday'), daysBefore: z.number().int().min(0).max(60).default(0) }),
  /** Every year of their first purchase, or of when they joined: `daysBefore` days before it. */
  z.strictObject({
    kind: z.literal('anniversary'),
    of: z.enum(['firstPurchase', 'signup']),
    daysBefore: z.number().int().min(0).max(60).default(0),
  }),
]);

export type Trigger = z.infer<typeof triggerSchema>;

export const UNLESS = ['opened', 'clicked', 'redeemed'] as const;

export type Unless = (typeof UNLESS)[number];

/**
 * When a contact joined: created, or later when a double opt-in was confirmed
 * (source `optin:…`). Other consent dates do not count: a re-imported file
 * restates consents every night, and that is not joining.
 */
function joinedAt(contact: Contact): number {
  const email = contact.consent.email;
  const confirmed =
    email?.status === 'granted' && email.source.startsWith('optin:') ? Date.parse(email.at) : Number.NaN;
  const created = Date.parse(contact.createdAt);
  return Number.isNaN(confirmed) ? created : Math.max(created, confirmed);
}

/**
 * Whether a contact newly matches a trigger in a run's window: crossed the
 * inactivity threshold, joined, or reached `daysAfter` days after a purchase
 * since the previous run (`window.after`). Without `after` (a backlog run),
 * whoever matches now. Contacts who never bought are not lapsed customers.
 */
export function matchesTrigger(
  contact: Contact,
  trigger: Trigger,
  window: { after?: string; before: string },
  defaultTimeZone: string = DEFAULT_TIME_ZONE,
): boolean {
  const before = Date.parse(window.before);
  const after = window.after ? Date.parse(window.after) : undefined;
  const last = contact.lastPurchaseAt ? Date.parse(contact.lastPurchaseAt) : undefined;
  switch (trigger.kind) {
    case 'inactive': {
      if (last === undefined || last > before - trigger.days * DAY) return false;
      return after === undefined || last > after - trigger.days * DAY;
    }
    case 'purchase': {
      if (last === undefined || last > before - trigger.daysAfter * DAY) return false;
      return last > (after ?? before - DAY) - trigger.daysAfter * DAY;
    }
    case 'signup': {
      const joined = joinedAt(contact);
      return joined <= before && joined > (after ?? before - DAY);
    }
    case 'birthday':
    case 'anniversary': {
      const tz = contact.timeZone ?? defaultTimeZone;
      const base =
        trigger.kind === 'birthday'
          ? contact.birthDate
          : trigger.of === 'firstPurchase'
            ? contact.firstPurchaseAt && localDay(new Date(contact.firstPurchaseAt), tz)
            : localDay(new Date(joinedAt(contact)), tz);
      if (!base) return false;
      const from = after ?? before - DAY;
      const firstYear = Number(base.slice(0, 4)) + (trigger.kind === 'anniversary' ? 1 : 0);
      const year = Number(new Date(before).toISOString().slice(0, 4));
      // The occurrences around the window (it may cross New Year): this year's and its neighbours'.
      return [year - 1, year, year + 1].some((y) => {
        if (y < firstYear) return false;
        const at = annualDay(base, y, tz) - trigger.daysBefore * DAY;
        return at <= before && at > from;
      });
    }
  }
}

/** Midnight, in `timeZone`, of `date`'s month and day in `year` (29 February: the 28th in other years). */
function annualDay(date: string, year: number, timeZone: string): number {
  const md = date.slice(5, 10);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = md === '02-29' && !leap ? '02-28' : md;
  return localInstant(`${String(year).padStart(4, '0')}-${day}`, '00:00', timeZone).getTime();
}
