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
 * The regions that share France's ten-digit numbering plan: metropolitan France and the overseas
 * departments and collectivities dialled with a 0 (Guadeloupe, Saint-Barthélemy, Saint-Martin,
 * Martinique, French Guiana, Réunion, Mayotte). A number written 0690 12 34 56 in Paris is the same
 * number as in Pointe-à-Pitre, but internationally it is +590 690…, not +33 690….
 */
const FRENCH_PLAN = new Set<string>(['FR', 'GP', 'BL', 'MF', 'MQ', 'GF', 'RE', 'YT']);
const OVERSEAS: CountryCode[] = ['GP', 'BL', 'MF', 'MQ', 'GF', 'RE', 'YT'];
/**
 * Ranges of the French plan that ARCEP gives to overseas regions (0262/0263 Réunion, 0269 Mayotte,
 * 0590 Guadeloupe and the islands, 0594 Guyane, 0596 Martinique, 0598, 0639 Mayotte mobiles, 0690-0697
 * mobiles, 07 09 0x), as national significant numbers. libphonenumber's metadata for France accepts
 * some of them as French fixed lines (0263, 0269, 0596…): in these ranges the overseas regions are
 * asked first, so the number gets its own country code.
 */
const OVERSEAS_RANGES = /^(?:26[2389]|59[0468]|639|69[0-467]|709[0-3])/;

/**
 * Validates a phone number and normalises it to E.164, so that "06 12 34 56 78"
 * and "+33612345678" are the same contact. A number without a country prefix is
 * read in the default country.
 *
 * When the default country is France or one of its overseas regions that share its plan, a national
 * number is read in that one plan: "0690 12 34 56" is a Guadeloupe mobile (+590690123456) and
 * "06 12 34 56 78" a metropolitan one wherever the shop is. A number in an overseas range written
 * with +33 (+33 6 90 12 34 56, a common mistake) gets its overseas code too. Saint-Pierre-et-Miquelon
 * (+508) has its own six-digit plan: its numbers are read when written with +508, not from six bare
 * digits, which are far more often a French number with digits missing.
 */
export function normalisePhone(raw: string, defaultCountry: string): string | undefined {
  const text = raw.trim();
  const supported = isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const country = supported && FRENCH_PLAN.has(supported) ? 'FR' : supported;
  const parsed = parsePhoneNumberFromString(text, country);
  if (parsed?.countryCallingCode === '33') {
    const international = /^(?:\+|00)/.test(text);
    const nsn = parsed.nationalNumber;
    if (OVERSEAS_RANGES.test(nsn) || (!international && !parsed.isValid())) {
      for (const region of OVERSEAS) {
        const overseas = parsePhoneNumberFromString(`0${nsn}`, region);
        if (overseas?.isValid()) return overseas.number;
      }
    }
  }
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

/** Clocks differ by a little: a consent dated up to this far ahead of ours is taken as now. */
export const CONSENT_SKEW_MS = 5 * 60_000;

/** A phone number that can receive SMS: a mobile, or a number its plan cannot tell from one. */
export function canReceiveSms(phone: string): boolean {
  const type = parsePhoneNumberFromString(phone)?.getType();
  return type === undefined || type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/**
 * What an input says that no schema can check alone: a consent dated in the future (a typo, or a
 * trick to outrank every later withdrawal) and an SMS consent for a number that cannot get SMS.
 * Each issue names its field.
 */
export function contactInputIssues(
  input: Pick<ContactInput, 'consent' | 'phone'>,
  now: Date,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const channel of CHANNELS) {
    const c = input.consent?.[channel];
    if (c && Date.parse(c.at) > now.getTime() + CONSENT_SKEW_MS) {
      issues.push({ path: `consent.${channel}.at`, message: 'A consent cannot be dated in the future' });
    }
  }
  if (input.phone && input.consent?.sms?.status === 'granted' && !canReceiveSms(input.phone)) {
    issues.push({
      path: 'phone',
      message: 'This number cannot receive SMS (a landline): SMS consent needs a mobile',
    });
  }
  return issues;
}

/** A consent as stored on a contact. */
export interface Consent {
  status: ConsentStatus;
  source: string;
  at: string;
  /** A `pending` email consent: when the last confirmation email went out (resent at most every few minutes). */
  confirmationSentAt?: string;
}

/**
 * A number DynamoDB stores exactly and the document client can write: finite, an integer no larger
 * than 2^53 − 1 (larger ones are not doubles any more, and the client refuses them), or a decimal
 * between 10^-6 and 10^15 in size (no exponent notation, no silent rounding to zero).
 */
export const storableNumber = z
  .number()
  .finite('Use a finite number')
  .refine(
    (n) => (Number.isInteger(n) ? Number.isSafeInteger(n) : Math.abs(n) >= 1e-6 && Math.abs(n) < 1e15),
    'Use a number DynamoDB can keep exactly: an integer up to 9007199254740991, or a decimal between 0.000001 and 10^15',
  );

const attributeValue = z.union([z.string().max(1000), storableNumber, z.boolean()]);

/** Names that are JavaScript's own on every object: an attribute must never shadow them. */
export const isReservedName = (name: string) => name === '__proto__' || name in Object.prototype;

const ATTRIBUTE_NAME = /^[A-Za-z0-9_]{1,40}$/;

/**
 * A contact's attributes: up to 50 names of 1-40 letters, digits or "_", none of JavaScript's own
 * (`constructor`, `__proto__`…), with string, number (storable) or boolean values. Checked on the
 * raw object before it is copied, so a `__proto__` key is refused rather than silently dropped.
 */
export const attributesSchema = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    message: 'Attributes are an object of names and values',
  })
  .superRefine((raw, ctx) => {
    const names = Object.keys(raw);
    if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'At most 50 attributes' });
    for (const name of names) {
      if (!ATTRIBUTE_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'Attribute names are 1-40 letters, digits or "_"',
        });
      else if (isReservedName(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is a reserved name: choose another`,
        });
    }
  })
  .pipe(z.record(z.string(), attributeValue));
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
      customerRef: customerRefSchema.optional(),
      /** A date of birth, YYYY-MM-DD (birthday segments and messages). */
      birthDate: z.iso.date().optional(),
      /** Where the contact lives, for quiet hours; by default the home shop's, then DEFAULT_TIME_ZONE. */
      timeZone: timeZoneSchema.optional(),
      tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
      attributes: attributesSchema.optional(),
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
  /** False for a number that cannot get SMS (a landline); absent for contacts written before it was kept. */
  smsCapable?: boolean;
  /** The till system's customer or loyalty-card number (unique). */
  customerRef?: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  tags: string[];
  attributes: Record<string, string | number | boolean>;
  consent: Partial<Record<Channel, Consent>>;
  /** Channels on which this contact must never be messaged again (unsubscribe, bounce, complaint, erasure). */
  suppressed: Channel[];
  purchases: PurchaseCounts;
  lastPurchaseAt?: string;
  /** When the contact first bought (new customers), where they last bought, and what they spent in all. */
  firstPurchaseAt?: string;
  lastPurchaseStoreId?: string;
  /** In the stack's currency (COST_CURRENCY); purchases in another currency are counted, not summed. */
  totalSpent?: number;
  /** The last import batches applied to this contact's purchase figures: a batch re-run counts once. */
  purchaseBatches?: string[];
  createdAt: string;
  updatedAt: string;
  /** Bumped by every write: conditional replaces compare it, so no write is ever lost. */
  version?: number;
  /** Set when an erasure began: the contact is on its way out, and no write may bring it back. */
  erasingAt?: string;
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
    if (!next) continue;
    // Asking again for a confirmation already asked is not a new statement (its send time stays).
    if (next.status === 'pending' && prev?.status === 'pending') continue;
    // A withdrawal received now always takes effect, whatever date a stored statement carries; and a
    // stored statement dated after now (bad data from before the rule) counts as made now.
    const now = Date.parse(ctx.now);
    const withdrawnNow = next.status === 'denied' && Date.parse(next.at) >= now - CONSENT_SKEW_MS;
    const prevAt = prev ? Math.min(Date.parse(prev.at), now) : Number.NEGATIVE_INFINITY;
    if (!prev || withdrawnNow || Date.parse(next.at) >= prevAt) consent[channel] = next;
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
      customerRef: input.customerRef,
      birthDate: input.birthDate,
      timeZone: input.timeZone,
      phoneCountry: input.phone ? parsePhoneNumberFromString(input.phone)?.country : undefined,
      smsCapable: input.phone ? canReceiveSms(input.phone) : undefined,
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
  const {
    lastPurchaseRef: _ref,
    version: _version,
    erasingAt: _erasing,
    purchaseBatches: _batches,
    ...view
  } = contact;
  return view;
}

/** Unique identifiers (an email, a phone) each point at the one contact that owns them. */
export type IdentifierKind = 'email' | 'phone' | 'customerRef';

/**
 * The till system's customer or loyalty-card number: unique like an email (one contact per
 * reference), searchable, and how receipts name their customer. Letters, digits and `-_./`, as
 * card numbers are printed.
 */
export const customerRefSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    'Use letters, digits and "-", "_", ".", "/" (a card or customer number)',
  );
