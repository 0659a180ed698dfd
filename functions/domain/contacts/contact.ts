import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import * as z from 'zod';
import { timeZoneSchema } from '../shared/time';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PURCHASE_CHANNELS = ['store', 'web', 'phone'] as const;
export type PurchaseChannel = (typeof PURCHASE_CHANNELS)[number];

/** Lower-cases and checks an address; the same address always maps to the same contact. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .pipe(z.email({ message: 'Invalid email address' }));

/**
 * Validates a phone number and normalises it to E.164, so that "06 12 34 56 78"
 * and "+33612345678" are the same contact. A number without a country prefix is
 * read in the default country.
 */
export function normalisePhone(raw: string, defaultCountry: string): string | undefined {
  const country = isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(raw.trim(), country);
  if (!parsed?.isValid()) return undefined;
  return parsed.number;
}

export const phoneSchema = (defaultCountry: string) =>
  z
    .string()
    .max(32)
    .transform((raw, ctx) => {
      const phone = normalisePhone(raw, defaultCountry);
      if (!phone) {
        ctx.addIssue({ code: 'custom', message: `Invalid phone number (default country ${defaultCountry})` });
        return z.NEVER;
      }
      return phone;
    });

/**
 * Where a contact's consent on a channel stands. `pending` is an email consent
 * asked for in a shop and not yet confirmed by the customer (double opt-in): it
 * is never treated as granted — only `granted` makes a contact reachable.
 */
export const CONSENT_STATUSES = ['granted', 'denied', 'pending'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/**
 * A consent statement as callers give it (PUT /v1/contacts, the CSV import):
 * `granted` or `denied` only. `pending` is refused there: it is set by a shop
 * sign-up and ended by the customer's own confirmation, never asserted by a caller.
 */
export const consentSchema = z.strictObject({
  status: z.enum(['granted', 'denied'], {
    error: 'Use "granted" or "denied" ("pending" is set by a shop sign-up until the customer confirms)',
  }),
  source: z.string().trim().min(1).max(100),
  at: z.iso.datetime({ offset: true }),
});

/** A consent as stored on a contact. */
export interface Consent {
  status: ConsentStatus;
  source: string;
  at: string;
  /** A `pending` email consent: when the last confirmation email went out (resent at most every few minutes). */
  confirmationSentAt?: string;
}

const attributeValue = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'Use 1-64 letters, digits, "-" or "_"');
export const storeIdSchema = idSchema;

/** What a caller may send to create or update a contact. Unknown fields are refused. */
export const contactInputSchema = (defaultCountry: string) =>
  z
    .strictObject({
      email: emailSchema.optional(),
      phone: phoneSchema(defaultCountry).optional(),
      firstName: z.string().trim().max(100).optional(),
      lastName: z.string().trim().max(100).optional(),
      locale: z
        .string()
        .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'Use a locale such as "fr" or "fr-FR"')
        .optional(),
      homeStoreId: storeIdSchema.optional(),
      /** Where the contact lives, for quiet hours; by default the home shop's, then DEFAULT_TIME_ZONE. */
      timeZone: timeZoneSchema.optional(),
      tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
      attributes: z
        .record(
          z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'Attribute names are 1-40 letters, digits or "_"'),
          attributeValue,
        )
        .refine((a) => Object.keys(a).length <= 50, 'At most 50 attributes')
        .optional(),
      consent: z.strictObject({ email: consentSchema.optional(), sms: consentSchema.optional() }).optional(),
    })
    .refine((c) => c.email !== undefined || c.phone !== undefined, {
      message: 'A contact needs an email or a phone',
      path: ['email'],
    });
/** An upsert: what the API accepts, with consent widened to what the sign-up service may also write (`pending`). */
export type ContactInput = Omit<z.infer<ReturnType<typeof contactInputSchema>>, 'consent'> & {
  consent?: Partial<Record<Channel, Consent>>;
};

export type PurchaseCounts = Record<PurchaseChannel, number>;

/** A customer in the single customer database. */
export interface Contact {
  id: string;
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  homeStoreId?: string;
  timeZone?: string;
  /** The country of `phone` (ISO 3166-1 alpha-2), kept so the sender needs no phone metadata. */
  phoneCountry?: string;
  tags: string[];
  attributes: Record<string, string | number | boolean>;
  consent: Partial<Record<Channel, Consent>>;
  /** Channels on which this contact must never be messaged again (unsubscribe, bounce, complaint, erasure). */
  suppressed: Channel[];
  purchases: PurchaseCounts;
  lastPurchaseAt?: string;
  createdAt: string;
  updatedAt: string;
}

export const emptyPurchaseCounts = (): PurchaseCounts => ({ store: 0, web: 0, phone: 0 });

/**
 * Applies an upsert to a contact (or creates one). Fields absent from the input
 * are kept; tags and attributes given replace the old ones. Consent is only
 * replaced by a newer statement, and a suppressed channel stays denied whatever
 * the input says — so re-importing an old file cannot re-subscribe anyone.
 */
export function applyContactInput(
  existing: Contact | undefined,
  input: ContactInput,
  ctx: { id: string; now: string; suppressed: Channel[] },
): Contact {
  const base: Contact = existing ?? {
    id: ctx.id,
    tags: [],
    attributes: {},
    consent: {},
    suppressed: [],
    purchases: emptyPurchaseCounts(),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const consent = { ...base.consent };
  for (const channel of CHANNELS) {
    const next = input.consent?.[channel];
    const prev = consent[channel];
    if (next && (!prev || Date.parse(next.at) >= Date.parse(prev.at))) consent[channel] = next;
  }
  const suppressed = [...new Set([...base.suppressed, ...ctx.suppressed])].sort() as Channel[];
  for (const channel of suppressed) {
    if (consent[channel]?.status !== 'denied') {
      consent[channel] = { status: 'denied', source: 'suppression', at: ctx.now };
    }
  }
  return {
    ...base,
    ...defined({
      email: input.email,
      phone: input.phone,
      firstName: input.firstName,
      lastName: input.lastName,
      locale: input.locale,
      homeStoreId: input.homeStoreId,
      timeZone: input.timeZone,
      phoneCountry: input.phone ? parsePhoneNumberFromString(input.phone)?.country : undefined,
    }),
    tags: input.tags ? [...new Set(input.tags)] : base.tags,
    attributes: input.attributes ?? base.attributes,
    consent,
    suppressed,
    updatedAt: ctx.now,
  };
}

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The contact as the API shows it: internal bookkeeping removed. */
export function contactView(contact: Contact & { lastPurchaseRef?: string }): Contact {
  const { lastPurchaseRef: _ref, ...view } = contact;
  return view;
}

/** Unique identifiers (an email, a phone) each point at the one contact that owns them. */
export type IdentifierKind = 'email' | 'phone';
