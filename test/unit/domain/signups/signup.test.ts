import { describe, expect, it } from 'vitest';
import { contactInputSchema } from '../../../../functions/domain/contacts/contact';
import { suppressContactChannel, upsertContact } from '../../../../functions/domain/contacts/customer-file';
import { importNow } from '../../../../functions/domain/imports/engine';
import { eligibility } from '../../../../functions/domain/segments/segment';
import { zodIssues } from '../../../../functions/domain/shared/errors';
import type { Keyring } from '../../../../functions/domain/shared/hashing';
import { type OutboundEmail, SendFailure } from '../../../../functions/domain/shared/messaging';
import { signToken } from '../../../../functions/domain/shared/tokens';
import {
  confirmOptin,
  inspectOptin,
  OPTIN_LINK_DAYS,
  OPTIN_RESEND_MINUTES,
  optinSender,
  type SignupDeps,
  type SignupInput,
  signUp,
  signupInputSchema,
} from '../../../../functions/domain/signups/signup';
import { renderOptinEmail } from '../../../../functions/ui/emails/optin';
import { appError } from '../../../support/assertions';
import { type FakeDeps, fakeDeps, fakeImportEngineDeps } from '../../../support/fakes';

const STORE = 'paris-11';
const BASE = 'https://relance.example';
const ring: Keyring = { current: 'k1', keys: { k1: 'k'.repeat(40) } };
const MINUTE = 60_000;

type Deps = FakeDeps & SignupDeps;

function deps(): Deps {
  const base = fakeDeps([STORE, 'lyon-2']);
  return {
    ...base,
    keyring: async () => ring,
    renderOptinEmail,
    sender: 'Maison Relance <no-reply@relance.example>',
    company: { name: 'Maison Relance', address: '12 rue des Halles, 75001 Paris' },
  };
}

const input = (raw: Record<string, unknown>): SignupInput =>
  signupInputSchema('FR').parse({ emailConsent: false, smsConsent: false, ...raw });

const tokenOf = (m: OutboundEmail | undefined) => /\/optin\/([^\s"<]+)/.exec(m?.text ?? '')?.[1] ?? '';

/** The contact that owns an address, as the file holds it. */
async function byEmail(d: Deps, email: string) {
  const id = await d.contacts.ownerOf('email', email);
  return id ? d.contacts.get(id) : undefined;
}

describe('the sign-up input', () => {
  const parse = (raw: unknown) => signupInputSchema('FR').safeParse(raw);
  const paths = (raw: unknown) => {
    const r = parse(raw);
    return r.success ? [] : zodIssues(r.error).map((i) => i.path);
  };

  it('needs an email or a phone, explicit consents, and the address each consent is for', () => {
    expect(parse({ email: 'A@B.fr', emailConsent: true, smsConsent: false }).data).toMatchObject({
      email: 'a@b.fr',
    });
    expect(paths({ firstName: 'Ann', emailConsent: false, smsConsent: false })).toEqual(['email']);
    expect(paths({ email: 'a@b.fr' })).toEqual(['emailConsent', 'smsConsent']);
    expect(paths({ phone: '0612345678', emailConsent: true, smsConsent: false })).toEqual(['email']);
    expect(paths({ email: 'a@b.fr', emailConsent: false, smsConsent: true })).toEqual(['phone']);
    expect(paths({ email: 'a@b.fr', emailConsent: false, smsConsent: false, storeId: 'x' })).toEqual([
      'storeId',
    ]);
  });

  it('normalises the phone, and refuses an invalid one on its path', () => {
    expect(parse({ phone: '06 12 34 56 78', emailConsent: false, smsConsent: true }).data?.phone).toBe(
      '+33612345678',
    );
    expect(paths({ phone: '12', emailConsent: false, smsConsent: false })).toEqual(['phone']);
  });
});

describe('the pending consent', () => {
  it('cannot be set through the contacts API or the CSV import', async () => {
    const r = contactInputSchema('FR').safeParse({
      email: 'a@b.fr',
      consent: { email: { status: 'pending', source: 'api', at: '2026-01-01T00:00:00Z' } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.')).toBe('consent.email.status');
    expect(r.error?.issues[0]?.message).toContain('pending');

    const d = deps();
    const result = await importNow(
      fakeImportEngineDeps(d),
      new TextEncoder().encode('email,email_consent\npending@b.fr,pending\nok@b.fr,yes\n'),
      'contacts',
      {},
    );
    expect(result.created).toBe(1);
    expect(result.rejected).toEqual([
      {
        line: 2,
        errors: [{ path: 'email_consent', message: '"pending" is not yes or no (oui/non, granted/denied)' }],
      },
    ]);
    expect(await byEmail(d, 'pending@b.fr')).toBeUndefined();
    expect((await byEmail(d, 'ok@b.fr'))?.consent.email?.status).toBe('granted');
  });

  it('never makes a contact eligible', async () => {
    const d = deps();
    await signUp(d, STORE, input({ email: 'ann@b.fr', emailConsent: true }), BASE);
    const contact = await byEmail(d, 'ann@b.fr');
    expect(contact?.consent.email?.status).toBe('pending');
    if (contact) expect(eligibility(contact, 'email')).toBe('no_consent');
  });
});

describe('signUp', () => {
  it('records the customer, SMS consent granted, email consent pending, and sends one confirmation email', async () => {
    const d = deps();
    const r = await signUp(
      d,
      STORE,
      input({
        email: 'Ann@Example.fr',
        phone: '06 12 34 56 78',
        firstName: 'Ann <b>',
        locale: 'en-GB',
        emailConsent: true,
        smsConsent: true,
      }),
      `${BASE}/`,
    );
    // The answer says what the shop may tell the customer, and nothing of the file.
    expect(r).toEqual({ email: 'confirmation_requested', sms: 'granted' });
    const at = d.clock.now().toISOString();
    const contact = await byEmail(d, 'ann@example.fr');
    expect(contact).toMatchObject({
      email: 'ann@example.fr',
      phone: '+33612345678',
      firstName: 'Ann <b>',
      locale: 'en-GB',
      homeStoreId: STORE,
      tags: ['signup'],
      consent: {
        email: { status: 'pending', source: `store:${STORE}`, at, confirmationSentAt: at },
        sms: { status: 'granted', source: `store:${STORE}`, at },
      },
    });
    expect(d.messenger.sent).toHaveLength(1);
    const m = d.messenger.sent[0] as OutboundEmail;
    expect(m).toMatchObject({
      to: 'ann@example.fr',
      from: 'Maison Relance <no-reply@relance.example>',
      subject: 'Please confirm your subscription to Maison Relance',
      headers: {},
      tags: { purpose: 'optin', contactId: contact?.id },
    });
    expect(m.text).toContain(`${BASE}/optin/`);
    expect(m.text).toContain('Hello Ann <b>,');
    expect(m.text).toContain('Store paris-11'); // the shop's name
    expect(m.text).toContain('12 rue des Halles, 75001 Paris');
    expect(m.html).toContain('Hello Ann &lt;b&gt;,');
    expect(m.html).not.toContain('Ann <b>');
    expect(m.html).toContain(`href="${BASE}/optin/${tokenOf(m)}"`);
    // The address is bound into the token without being readable in it.
    expect(Buffer.from(tokenOf(m).split('.')[1] ?? '', 'base64url').toString()).not.toContain('ann@');
  });

  it('writes French by default, and changes nothing of a known customer but the consent asked', async () => {
    const d = deps();
    await upsertContact(d, { email: 'bob@b.fr', firstName: 'Bob', homeStoreId: 'lyon-2', tags: ['vip'] });
    const r = await signUp(
      d,
      STORE,
      input({ email: 'bob@b.fr', firstName: 'Robert', locale: 'en', emailConsent: true }),
      BASE,
    );
    expect(r).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    expect(await byEmail(d, 'bob@b.fr')).toMatchObject({
      firstName: 'Bob',
      homeStoreId: 'lyon-2',
      tags: ['vip'],
      consent: { email: { status: 'pending' } },
    });
    expect((await byEmail(d, 'bob@b.fr'))?.locale).toBeUndefined();
    expect(d.messenger.sent[0]?.subject).toBe('Confirmez votre inscription à Maison Relance');
    expect(d.messenger.sent[0]?.text).toContain('Ce lien est valable 7 jours.');
  });

  it(`resends at most every ${OPTIN_RESEND_MINUTES} minutes while the confirmation is pending`, async () => {
    const d = deps();
    const signup = () => signUp(d, STORE, input({ email: 'cat@b.fr', emailConsent: true }), BASE);
    await signup();
    expect(d.messenger.sent).toHaveLength(1);
    d.clock.advance(3 * MINUTE);
    expect(await signup()).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    d.clock.advance((OPTIN_RESEND_MINUTES - 3) * MINUTE - 1);
    await signup();
    expect(d.messenger.sent).toHaveLength(1);
    d.clock.advance(1);
    await signup();
    expect(d.messenger.sent).toHaveLength(2);
    // Both links work.
    expect((await confirmOptin(d, tokenOf(d.messenger.sent[0]))).kind).toBe('confirmed');
    expect((await confirmOptin(d, tokenOf(d.messenger.sent[1]))).kind).toBe('already');
  });

  it('sends one email for two sign-ups at the same moment', async () => {
    const d = deps();
    await upsertContact(d, { email: 'dan@b.fr' });
    await Promise.all(
      [1, 2, 3].map(() => signUp(d, STORE, input({ email: 'dan@b.fr', emailConsent: true }), BASE)),
    );
    expect(d.messenger.sent).toHaveLength(1);
  });

  it('leaves a granted email consent alone and sends nothing', async () => {
    const d = deps();
    const granted = { status: 'granted' as const, source: 'import', at: '2025-01-01T00:00:00.000Z' };
    await upsertContact(d, { email: 'eve@b.fr', consent: { email: granted } });
    const r = await signUp(d, STORE, input({ email: 'eve@b.fr', emailConsent: true }), BASE);
    expect(r).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    expect((await byEmail(d, 'eve@b.fr'))?.consent.email).toEqual(granted);
    expect(d.messenger.sent).toEqual([]);
  });

  it('asks a new address to confirm as a contact of its own, even on a known customer’s phone', async () => {
    const d = deps();
    const granted = { status: 'granted' as const, source: 'import', at: '2025-01-01T00:00:00.000Z' };
    const { contact: old } = await upsertContact(d, {
      email: 'old@b.fr',
      phone: '+33612345678',
      consent: { email: granted },
    });
    const r = await signUp(
      d,
      STORE,
      input({ email: 'new@b.fr', phone: '0612345678', emailConsent: true }),
      BASE,
    );
    expect(r).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    expect(d.messenger.sent[0]?.to).toBe('new@b.fr');
    // The known customer keeps its address and consent; the phone is now shared (a household).
    expect(await d.contacts.get(old.id)).toMatchObject({ email: 'old@b.fr', consent: { email: granted } });
    expect((await byEmail(d, 'new@b.fr'))?.id).not.toBe(old.id);
  });

  it('keeps a suppressed address denied and sends it nothing; a denial without suppression is superseded', async () => {
    const d = deps();
    const { contact } = await upsertContact(d, { email: 'fay@b.fr', phone: '+33612345679' });
    await suppressContactChannel(d, contact.id, 'email', 'unsubscribe:cmp_1');
    await suppressContactChannel(d, contact.id, 'sms', 'stop');
    const r = await signUp(
      d,
      STORE,
      input({ email: 'fay@b.fr', phone: '+33612345679', emailConsent: true, smsConsent: true }),
      BASE,
    );
    expect(r).toEqual({ email: 'confirmation_requested', sms: 'granted' });
    expect(d.messenger.sent).toEqual([]);
    expect(await d.contacts.get(contact.id)).toMatchObject({
      consent: { email: { status: 'denied' }, sms: { status: 'denied' } },
    });

    // Erased, then signed up again: the keyed-hash suppression still holds.
    await d.suppression.suppress({ email: 'gus@b.fr' }, 'erased');
    await signUp(d, STORE, input({ email: 'gus@b.fr', emailConsent: true }), BASE);
    expect((await byEmail(d, 'gus@b.fr'))?.consent.email?.status).toBe('denied');
    expect(d.messenger.sent).toEqual([]);

    const denied = { status: 'denied' as const, source: 'import', at: '2025-01-01T00:00:00.000Z' };
    await upsertContact(d, { email: 'hal@b.fr', consent: { email: denied } });
    await signUp(d, STORE, input({ email: 'hal@b.fr', emailConsent: true }), BASE);
    expect((await byEmail(d, 'hal@b.fr'))?.consent.email?.status).toBe('pending');
    expect(d.messenger.sent.map((m) => m.to)).toEqual(['hal@b.fr']);
  });

  it('gives the claim back when the email cannot be sent, so a retry sends it', async () => {
    const d = deps();
    d.messenger.fail = new SendFailure('throttled', 'TooManyRequestsException: slow down');
    const err = await appError(signUp(d, STORE, input({ email: 'ivy@b.fr', emailConsent: true }), BASE));
    expect(err.status).toBe(502);
    expect(err.code).toBe('email_not_sent');
    d.messenger.fail = undefined;
    await signUp(d, STORE, input({ email: 'ivy@b.fr', emailConsent: true }), BASE);
    expect(d.messenger.sent.map((m) => m.to)).toEqual(['ivy@b.fr']);
  });

  it('records no email consent when the box is not ticked', async () => {
    const d = deps();
    const r = await signUp(
      d,
      STORE,
      input({ email: 'jo@b.fr', phone: '0612345670', smsConsent: true }),
      BASE,
    );
    expect(r).toEqual({ email: 'not_requested', sms: 'granted' });
    expect((await byEmail(d, 'jo@b.fr'))?.consent.email).toBeUndefined();
    expect(d.messenger.sent).toEqual([]);
  });
});

describe('the confirmation link', () => {
  async function pending(d: Deps, email = 'kim@b.fr') {
    await signUp(d, STORE, input({ email, emailConsent: true }), BASE);
    return { id: (await byEmail(d, email))?.id as string, token: tokenOf(d.messenger.sent.at(-1)) };
  }

  it('is only read by a GET, and confirms on a POST: granted, from the shop, at the click', async () => {
    const d = deps();
    const { id, token } = await pending(d);
    expect((await inspectOptin(d, token)).kind).toBe('pending');
    expect((await d.contacts.get(id))?.consent.email?.status).toBe('pending');
    d.clock.advance(60 * MINUTE);
    const state = await confirmOptin(d, token);
    expect(state.kind).toBe('confirmed');
    const contact = await d.contacts.get(id);
    expect(contact?.consent.email).toEqual({
      status: 'granted',
      source: `optin:store:${STORE}`,
      at: d.clock.now().toISOString(),
    });
    if (contact) expect(eligibility(contact, 'email')).toBe('eligible');
    expect((await inspectOptin(d, token)).kind).toBe('already');
    expect((await confirmOptin(d, token)).kind).toBe('already');
  });

  it('is refused when tampered with, made for another purpose, or expired', async () => {
    const d = deps();
    const { token } = await pending(d);
    const [keyId, payload, sig] = token.split('.');
    const data = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...data, x: data.x + 86_400 })).toString('base64url');
    expect((await confirmOptin(d, `${keyId}.${forged}.${sig}`)).kind).toBe('invalid');
    expect((await confirmOptin(d, signToken(ring, 'unsubscribe', data))).kind).toBe('invalid');
    expect((await confirmOptin(d, undefined)).kind).toBe('invalid');
    expect((await confirmOptin(d, 'nope')).kind).toBe('invalid');
    d.clock.advance(OPTIN_LINK_DAYS * 1440 * MINUTE + 1000);
    expect((await inspectOptin(d, token)).kind).toBe('expired');
    expect((await confirmOptin(d, token)).kind).toBe('expired');
  });

  it('no longer confirms once the address changed or was unsubscribed', async () => {
    const d = deps();
    const a = await pending(d, 'lea@b.fr');
    await upsertContact(d, { email: 'lea@b.fr', phone: '+33612345671' });
    const lea = d.contacts.items.get(a.id);
    if (lea) d.contacts.items.set(a.id, { ...lea, email: 'lea-new@b.fr' });
    expect((await confirmOptin(d, a.token)).kind).toBe('invalid');

    const b = await pending(d, 'max@b.fr');
    await suppressContactChannel(d, b.id, 'email', 'complaint:x');
    expect((await inspectOptin(d, b.token)).kind).toBe('invalid');
    expect((await confirmOptin(d, b.token)).kind).toBe('invalid');
    expect((await d.contacts.get(b.id))?.consent.email?.status).toBe('denied');
  });
});

describe('optinSender', () => {
  const base = { COMPANY_NAME: 'Maison, Relance' };
  it('takes the configured sender, else the sending identity, else a local address', () => {
    expect(optinSender({ ...base, OPTIN_FROM_ADDRESS: 'hello@shop.fr', OPTIN_FROM_NAME: 'Shop' })).toBe(
      'Shop <hello@shop.fr>',
    );
    expect(optinSender({ ...base, SENDER_IDENTITY: 'News@Shop.fr' })).toBe(
      '"Maison, Relance" <news@shop.fr>',
    );
    expect(optinSender({ ...base, SENDER_IDENTITY: 'shop.fr' })).toBe('"Maison, Relance" <no-reply@shop.fr>');
    expect(optinSender({ COMPANY_NAME: 'Relance' })).toBe('Relance <no-reply@relance.localhost>');
  });
});
