import * as z from 'zod';
import { type Consent, type Contact, canReceiveSms, emailSchema, phoneSchema } from '../contacts/contact';
import { type ContactDeps, contactsWithPhone, upsertContact } from '../contacts/customer-file';
import { AppError, busy, validationError } from '../shared/errors';
import { allKeyedHashes, type Keyring, keyedHash } from '../shared/hashing';
import { inertText } from '../shared/inert-text';
import { SendFailure } from '../shared/messaging';
import type { EmailMessenger } from '../shared/ports';
import { signToken, verifyToken } from '../shared/tokens';
import type { OptinEmailRenderer } from './ports';

/** How long the confirmation link of a shop sign-up stays valid. */
export const OPTIN_LINK_DAYS = 7;
/** A sign-up repeated while its confirmation is pending sends the email again at most this often. */
export const OPTIN_RESEND_MINUTES = 10;
/** The tag every contact signed up in a shop carries, for segments. */
export const SIGNUP_TAG = 'signup';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * What the till (or a point-of-sale system) sends when a customer signs up in
 * the shop. The shop is not in the body: it comes from the store key. Consent
 * is explicit on each channel, and a consent needs the address it is for.
 */
export const signupInputSchema = (defaultCountry: string) =>
  z
    .strictObject({
      email: emailSchema.optional(),
      phone: phoneSchema(defaultCountry).optional(),
      firstName: z.string().trim().min(1).max(100).optional(),
      locale: z
        .string()
        .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'Use a locale such as "fr" or "fr-FR"')
        .optional(),
      emailConsent: z.boolean(),
      smsConsent: z.boolean(),
    })
    .superRefine((s, ctx) => {
      if (s.email === undefined && s.phone === undefined) {
        ctx.addIssue({ code: 'custom', path: ['email'], message: 'Give an email or a phone number' });
      }
      if (s.emailConsent && s.email === undefined) {
        ctx.addIssue({ code: 'custom', path: ['email'], message: 'Email consent needs an email address' });
      }
      if (s.smsConsent && s.phone === undefined) {
        ctx.addIssue({ code: 'custom', path: ['phone'], message: 'SMS consent needs a phone number' });
      }
    });
export type SignupInput = z.infer<ReturnType<typeof signupInputSchema>>;

/**
 * What a sign-up answers: what the shop may tell the customer, and nothing about the file. It is
 * the same whether or not the address was known, so a store key cannot probe who is a customer.
 */
export interface SignupResult {
  /** `confirmation_requested`: the customer will get (or has) a confirmation email to click. */
  email: 'confirmation_requested' | 'not_requested';
  sms: 'granted' | 'not_requested';
}

export interface SignupDeps extends ContactDeps {
  messenger: EmailMessenger;
  keyring: () => Promise<Keyring>;
  /** The confirmation email's sender, `Name <address>`. */
  sender: string;
  company: { name: string; address: string };
  /** Renders the confirmation email (the UI's). */
  renderOptinEmail: OptinEmailRenderer;
}

/** The sender of confirmation emails, from configuration (see OPTIN_FROM_ADDRESS in config.ts). */
export function optinSender(config: {
  OPTIN_FROM_ADDRESS?: string | undefined;
  OPTIN_FROM_NAME?: string | undefined;
  SENDER_IDENTITY?: string | undefined;
  COMPANY_NAME: string;
}): string {
  const identity = config.SENDER_IDENTITY?.toLowerCase();
  const address =
    config.OPTIN_FROM_ADDRESS ??
    (identity ? (identity.includes('@') ? identity : `no-reply@${identity}`) : 'no-reply@relance.localhost');
  const name = config.OPTIN_FROM_NAME ?? config.COMPANY_NAME;
  const quoted = /[",.<>@;:()[\]\\]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
  return `${quoted} <${address}>`;
}

/** What an opt-in token carries: the contact, a keyed hash of the address confirmed, the shop, the deadline (epoch s). */
interface OptinRef extends Record<string, string | number> {
  k: string;
  h: string;
  s: string;
  x: number;
}

/** The address, bound into the token without being readable in the URL (logs, history). */
const addressHash = (ring: Keyring, email: string) => short(keyedHash(ring, `optin:${email}`));
/** The part of a keyed hash a token carries: its digest, shortened (no key id: the token is signed). */
const short = (hash: string) => hash.split('.')[1]?.slice(0, 22) ?? '';

/** A signed link that confirms `email` for the contact, valid OPTIN_LINK_DAYS. */
export function optinToken(
  ring: Keyring,
  contactId: string,
  email: string,
  storeId: string,
  now: Date,
): string {
  const x = Math.floor((now.getTime() + OPTIN_LINK_DAYS * DAY_MS) / 1000);
  return signToken(ring, 'optin', { k: contactId, h: addressHash(ring, email), s: storeId, x });
}

/**
 * Records a sign-up in the shop, with the customer's consent per channel, under the rules of what
 * a store key may do: a sign-up never replaces an existing customer's address, name, language or
 * shop — for an address already on file it only adds the consent given for that address — and its
 * answer is the same whether or not the address was known.
 *
 * SMS consent given in front of the staff is recorded `granted` (for every contact that has the
 * number: it is the number's holder who agreed); email consent becomes `pending` and a
 * confirmation email goes out — the contact is mailable only once the customer clicks it. An
 * email consent already granted stays granted and nothing is sent. Repeating the sign-up while the
 * confirmation is pending resends it at most every OPTIN_RESEND_MINUTES.
 */
export async function signUp(
  deps: SignupDeps,
  storeId: string,
  input: SignupInput,
  baseUrl: string,
): Promise<SignupResult> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const source = `store:${storeId}`;
  if (input.smsConsent && input.phone && !canReceiveSms(input.phone)) {
    throw validationError([
      { path: 'phone', message: 'This number cannot receive SMS (a landline): give a mobile' },
    ]);
  }
  const sms: Consent | undefined =
    input.smsConsent && input.phone ? { status: 'granted', source, at } : undefined;
  let emailContact: string | undefined;
  if (input.email) {
    const owner = await deps.contacts.ownerOf('email', input.email);
    const known = owner ? await deps.contacts.get(owner) : undefined;
    if (known && !known.erasingAt) {
      emailContact = known.id;
      if (input.emailConsent) await askEmailConsent(deps, known.id, source, now);
      if (sms && input.phone === known.phone) await addConsent(deps, known.id, 'sms', sms);
    } else {
      const { contact } = await upsertContact(
        deps,
        {
          email: input.email,
          ...(input.phone ? { phone: input.phone } : {}),
          ...(input.firstName ? { firstName: input.firstName } : {}),
          ...(input.locale ? { locale: input.locale } : {}),
          homeStoreId: storeId,
          tags: [SIGNUP_TAG],
          consent: {
            ...(input.emailConsent ? { email: { status: 'pending', source, at } } : {}),
            ...(sms ? { sms } : {}),
          },
        },
        undefined,
        { enrich: false },
      );
      emailContact = contact.id;
    }
  } else if (input.phone) {
    const holders = await contactsWithPhone(deps, input.phone);
    if (holders.length > 0) {
      if (sms) for (const h of holders) await addConsent(deps, h.id, 'sms', sms);
    } else {
      await upsertContact(
        deps,
        {
          phone: input.phone,
          ...(input.firstName ? { firstName: input.firstName } : {}),
          ...(input.locale ? { locale: input.locale } : {}),
          homeStoreId: storeId,
          tags: [SIGNUP_TAG],
          ...(sms ? { consent: { sms } } : {}),
        },
        undefined,
        { enrich: false },
      );
    }
  }
  if (emailContact && input.emailConsent) await sendConfirmation(deps, emailContact, storeId, baseUrl);
  return {
    email: input.emailConsent && input.email ? 'confirmation_requested' : 'not_requested',
    sms: sms ? 'granted' : 'not_requested',
  };
}

/** Makes a known contact's email consent `pending` (asking for confirmation), unless it is granted or blocked. */
async function askEmailConsent(
  deps: SignupDeps,
  contactId: string,
  source: string,
  now: Date,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const contact = await deps.contacts.get(contactId);
    const previous = contact?.consent.email;
    if (!contact || contact.erasingAt || contact.suppressed.includes('email')) return;
    if (previous?.status === 'granted' || (previous?.status === 'pending' && recentlySent(previous, now)))
      return;
    if (previous?.status === 'pending') return; // the confirmation is resent below
    const next: Contact = {
      ...contact,
      consent: { ...contact.consent, email: { status: 'pending', source, at: now.toISOString() } },
      updatedAt: nextStamp(now, contact.updatedAt),
    };
    if (await deps.contacts.replace(next, contact.version)) return;
  }
  throw busy('This contact is being changed by another request');
}

/** Records a consent on a known contact (nothing else of it changes), unless the channel is suppressed. */
async function addConsent(
  deps: SignupDeps,
  contactId: string,
  channel: 'sms',
  consent: Consent,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const contact = await deps.contacts.get(contactId);
    if (!contact || contact.erasingAt || contact.suppressed.includes(channel)) return;
    if (contact.consent[channel]?.status === 'granted') return;
    const next: Contact = {
      ...contact,
      consent: { ...contact.consent, [channel]: consent },
      updatedAt: nextStamp(deps.clock.now(), contact.updatedAt),
    };
    if (await deps.contacts.replace(next, contact.version)) return;
  }
  throw busy('This contact is being changed by another request');
}

/** True when a confirmation for this pending consent went out less than OPTIN_RESEND_MINUTES ago. */
export function recentlySent(consent: Consent | undefined, now: Date): boolean {
  const sent = consent?.confirmationSentAt ? Date.parse(consent.confirmationSentAt) : Number.NaN;
  return !Number.isNaN(sent) && now.getTime() - sent < OPTIN_RESEND_MINUTES * MINUTE_MS;
}

/** A timestamp strictly after the contact's last one, so optimistic replaces always see a change. */
const nextStamp = (now: Date, previous: string) => {
  const at = now.toISOString();
  return at > previous ? at : new Date(Date.parse(previous) + 1).toISOString();
};

/**
 * Sends the confirmation email, at most once per resend window: the send is
 * claimed on the contact first (`confirmationSentAt`, an optimistic replace), so
 * two sign-ups at the same moment send one email. A failed send gives the
 * claim back, so the till can simply try again.
 */
async function sendConfirmation(
  deps: SignupDeps,
  contactId: string,
  storeId: string,
  baseUrl: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock.now();
    const contact = await deps.contacts.get(contactId);
    const pending = contact?.consent.email;
    if (!contact?.email || pending?.status !== 'pending' || contact.suppressed.includes('email'))
      return false;
    if (recentlySent(pending, now)) return false;
    const claimed: Contact = {
      ...contact,
      consent: { ...contact.consent, email: { ...pending, confirmationSentAt: now.toISOString() } },
      updatedAt: nextStamp(now, contact.updatedAt),
    };
    if (!(await deps.contacts.replace(claimed, contact.version))) continue;

    const ring = await deps.keyring();
    const token = optinToken(ring, contact.id, contact.email, storeId, now);
    const store = await deps.stores.get(storeId);
    const email = deps.renderOptinEmail({
      locale: contact.locale,
      firstName: contact.firstName && inertText(contact.firstName),
      storeName: store?.name,
      company: deps.company,
      url: `${baseUrl.replace(/\/$/, '')}/optin/${token}`,
      validDays: OPTIN_LINK_DAYS,
    });
    try {
      await deps.messenger.send({
        to: contact.email,
        from: deps.sender,
        subject: email.subject,
        html: email.html,
        text: email.text,
        headers: {},
        tags: { purpose: 'optin', contactId: contact.id },
      });
    } catch (err) {
      await release(deps, contactId, (contact.version ?? 0) + 1);
      // Said for the shop assistant first: the customer is saved, only the email is missing.
      const why = err instanceof SendFailure ? err.message : String(err);
      throw new AppError(
        502,
        'email_not_sent',
        `The customer is saved, but the confirmation email could not be sent: sign them up again in a minute to resend it (${why})`,
      );
    }
    return true;
  }
  throw busy('This contact is being changed by another request');
}

/** Gives a failed send's claim back, if nobody changed the contact since (best effort). */
async function release(deps: SignupDeps, contactId: string, claimedVersion: number): Promise<void> {
  const contact = await deps.contacts.get(contactId);
  const pending = contact?.consent.email;
  if (!contact || contact.version !== claimedVersion || pending?.status !== 'pending') return;
  const { confirmationSentAt: _sent, ...rest } = pending;
  await deps.contacts.replace(
    {
      ...contact,
      consent: { ...contact.consent, email: rest },
      updatedAt: nextStamp(deps.clock.now(), contact.updatedAt),
    },
    claimedVersion,
  );
}

/** What an opt-in link leads to: the page to show, and the contact when there is one. */
export type OptinState =
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'pending' | 'confirmed' | 'already'; contact: Contact & { email: string } };

/** Reads an opt-in link without changing anything (the GET page: link scanners follow GETs). */
export async function inspectOptin(
  deps: Pick<SignupDeps, 'contacts' | 'clock' | 'keyring'>,
  token: string | undefined,
): Promise<OptinState> {
  const found = await readOptin(deps, token);
  if ('kind' in found) return found;
  const { contact } = found;
  const status = contact.consent.email?.status;
  if (status === 'granted') return { kind: 'already', contact };
  if (status === 'pending' && !contact.suppressed.includes('email')) return { kind: 'pending', contact };
  return { kind: 'invalid' };
}

/**
 * Confirms a shop sign-up: the pending email consent becomes `granted`, with
 * source `optin:store:<id>` and the time of the click. A consent already granted
 * is answered as such; a suppressed address, a consent denied since, an address
 * changed since, a tampered or an expired link are refused.
 */
export async function confirmOptin(
  deps: Pick<SignupDeps, 'contacts' | 'clock' | 'keyring'>,
  token: string | undefined,
): Promise<OptinState> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await readOptin(deps, token);
    if ('kind' in found) return found;
    const { contact, ref } = found;
    const email = contact.consent.email;
    if (email?.status === 'granted') return { kind: 'already', contact };
    if (email?.status !== 'pending' || contact.suppressed.includes('email')) return { kind: 'invalid' };
    const now = deps.clock.now();
    const confirmed: Contact & { email: string } = {
      ...contact,
      consent: {
        ...contact.consent,
        email: { status: 'granted', source: `optin:store:${ref.s}`, at: now.toISOString() },
      },
      updatedAt: nextStamp(now, contact.updatedAt),
    };
    if (await deps.contacts.replace(confirmed, contact.version))
      return { kind: 'confirmed', contact: confirmed };
  }
  throw busy('This contact is being changed by another request');
}

/** The token's contact, if the token is genuine, unexpired, and still names the contact's current address. */
async function readOptin(
  deps: Pick<SignupDeps, 'contacts' | 'clock' | 'keyring'>,
  token: string | undefined,
): Promise<{ kind: 'invalid' | 'expired' } | { contact: Contact & { email: string }; ref: OptinRef }> {
  if (!token) return { kind: 'invalid' };
  const ring = await deps.keyring();
  const ref = verifyToken<OptinRef>(ring, 'optin', token);
  if (
    !ref ||
    typeof ref.k !== 'string' ||
    typeof ref.h !== 'string' ||
    typeof ref.s !== 'string' ||
    typeof ref.x !== 'number'
  )
    return { kind: 'invalid' };
  if (deps.clock.now().getTime() > ref.x * 1000) return { kind: 'expired' };
  const contact = await deps.contacts.get(ref.k);
  const email = contact?.email;
  if (!contact || !email || contact.erasingAt) return { kind: 'invalid' };
  const hashes = allKeyedHashes(ring, `optin:${email}`).map(short);
  if (!hashes.includes(ref.h)) return { kind: 'invalid' };
  return { contact: { ...contact, email }, ref };
}
