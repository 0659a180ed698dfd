import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  applyContactInput,
  type Contact,
  type ContactInput,
  canReceiveSms,
  contactInputSchema,
  contactView,
  emailSchema,
  normalisePhone,
  phoneSchema,
} from '../../../../functions/domain/contacts/contact';
import { zodIssues } from '../../../../functions/domain/shared/errors';

const NOW = '2025-03-10T09:00:00.000Z';
const LATER = '2025-03-11T09:00:00.000Z';

/** The issues the API would answer for an input, as `{ path, message }`. */
function issuesOf(input: unknown, country = 'FR') {
  const r = contactInputSchema(country).safeParse(input);
  if (r.success) return [];
  return zodIssues(r.error);
}

const parse = (input: unknown, country = 'FR'): ContactInput => contactInputSchema(country).parse(input);

describe('emailSchema', () => {
  it('lower-cases and trims an address', () => {
    expect(emailSchema.parse('  Alice.Martin@Example.COM ')).toBe('alice.martin@example.com');
  });

  it.each(['', 'alice', 'alice@', '@example.com', 'alice@example', 'a b@example.com'])(
    'refuses %j',
    (raw) => {
      const r = emailSchema.safeParse(raw);
      expect(r.success).toBe(false);
    },
  );

  it('says "Invalid email address"', () => {
    const r = emailSchema.safeParse('not-an-email');
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]?.message).toBe('Invalid email address');
  });

  it('refuses an address longer than 254 characters', () => {
    expect(emailSchema.safeParse(`${'a'.repeat(250)}@example.com`).success).toBe(false);
  });
});

describe('normalisePhone', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['  +33 6 12 34 56 78  ', '+33612345678'],
    ['+33612345678', '+33612345678'],
    ['01 42 68 53 00', '+33142685300'],
  ])('reads the French number %j as %s', (raw, e164) => {
    expect(normalisePhone(raw, 'FR')).toBe(e164);
  });

  it('keeps international numbers in their own country whatever the default', () => {
    expect(normalisePhone('+44 20 7946 0958', 'FR')).toBe('+442079460958');
    expect(normalisePhone('+1 212 555 0123', 'FR')).toBe('+12125550123');
    expect(normalisePhone('+49 30 901820', 'FR')).toBe('+4930901820');
  });

  it('reads a national number in the default country', () => {
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    // The same digits mean something else, or nothing, in France.
    expect(normalisePhone('020 7946 0958', 'FR')).not.toBe('+442079460958');
  });

  it.each(['12', 'hello', '', '06 12 34', '+33 6 12 34 56 78 90 12', '00000000000'])('refuses %j', (raw) => {
    expect(normalisePhone(raw, 'FR')).toBeUndefined();
  });

  it('cannot read a national number when the default country is not supported', () => {
    expect(normalisePhone('06 12 34 56 78', 'XX')).toBeUndefined();
    expect(normalisePhone('+33612345678', 'XX')).toBe('+33612345678');
  });

  describe('overseas France, from a French default country', () => {
    it.each([
      ['Guadeloupe', 'GP', '0690 00 12 34', '+590690001234', '0590 20 12 34', '+590590201234'],
      ['Guadeloupe (0691)', 'GP', '0691 22 12 34', '+590691221234', '05 90 82 12 34', '+590590821234'],
      ['Saint-Barthélemy', 'BL', '0690 30 12 34', '+590690301234', '0590 27 12 34', '+590590271234'],
      ['Saint-Martin', 'MF', '0690 40 12 34', '+590690401234', '0590 77 12 34', '+590590771234'],
      ['Martinique', 'MQ', '0696 20 12 34', '+596696201234', '0596 30 12 34', '+596596301234'],
      ['Martinique (0697)', 'MQ', '06 97 12 34 56', '+596697123456', '0596 61 23 45', '+596596612345'],
      ['French Guiana', 'GF', '0694 20 12 34', '+594694201234', '0594 27 12 34', '+594594271234'],
      ['Réunion', 'RE', '0692 12 34 56', '+262692123456', '0262 16 12 34', '+262262161234'],
      ['Réunion (0693, 0263)', 'RE', '0693 00 12 34', '+262693001234', '0263 12 34 56', '+262263123456'],
      ['Mayotte', 'YT', '0639 01 23 45', '+262639012345', '0269 60 12 34', '+262269601234'],
    ])('reads %s numbers with their own code', (_, region, mobile, mobileE164, landline, landlineE164) => {
      expect(normalisePhone(mobile, 'FR')).toBe(mobileE164);
      expect(normalisePhone(landline, 'FR')).toBe(landlineE164);
      // libphonenumber agrees: each is a valid number of that region, of the expected type.
      const m = parsePhoneNumberFromString(mobileE164);
      const l = parsePhoneNumberFromString(landlineE164);
      expect(m?.isValid() && m.getType()).toBe('MOBILE');
      expect(l?.isValid() && l.getType()).toBe('FIXED_LINE');
      expect(parsePhoneNumberFromString(mobile, region as CountryCode)?.number).toBe(mobileE164);
      expect(parsePhoneNumberFromString(landline, region as CountryCode)?.number).toBe(landlineE164);
    });

    it('gives overseas landlines that French metadata also accepts their overseas code', () => {
      // libphonenumber reads these as valid +33 numbers in FR metadata; ARCEP gives them overseas.
      expect(parsePhoneNumberFromString('0596 30 12 34', 'FR')?.isValid()).toBe(true);
      expect(parsePhoneNumberFromString('0269 60 12 34', 'FR')?.isValid()).toBe(true);
      expect(normalisePhone('0596 30 12 34', 'FR')).toBe('+596596301234');
      expect(normalisePhone('0269 60 12 34', 'FR')).toBe('+262269601234');
    });

    it('mends an overseas number written with +33 or 0033', () => {
      expect(normalisePhone('+33 6 90 00 12 34', 'FR')).toBe('+590690001234');
      expect(normalisePhone('0033 692 12 34 56', 'FR')).toBe('+262692123456');
      expect(normalisePhone('+33 6 90 00 12 34', 'GB')).toBe('+590690001234');
    });

    it('keeps overseas numbers written with their own code', () => {
      expect(normalisePhone('+590 690 00 12 34', 'FR')).toBe('+590690001234');
      expect(normalisePhone('+262 262 16 12 34', 'FR')).toBe('+262262161234');
    });

    it('still reads metropolitan numbers as French', () => {
      expect(normalisePhone('06 12 34 56 78', 'FR')).toBe('+33612345678');
      expect(normalisePhone('05 56 12 34 56', 'FR')).toBe('+33556123456');
      expect(normalisePhone('02 40 12 34 56', 'FR')).toBe('+33240123456');
      expect(normalisePhone('0800 12 34 56', 'FR')).toBe('+33800123456');
    });

    it('reads the one French plan from an overseas default country too', () => {
      expect(normalisePhone('0692 12 34 56', 'RE')).toBe('+262692123456');
      expect(normalisePhone('0690 00 12 34', 'RE')).toBe('+590690001234');
      expect(normalisePhone('06 12 34 56 78', 'RE')).toBe('+33612345678');
      expect(normalisePhone('06 12 34 56 78', 'GP')).toBe('+33612345678');
    });

    it('reads Saint-Pierre-et-Miquelon numbers with +508, not from six bare digits', () => {
      expect(normalisePhone('+508 55 12 34', 'FR')).toBe('+508551234');
      expect(normalisePhone('+508 41 23 45', 'FR')).toBe('+508412345');
      expect(normalisePhone('55 12 34', 'FR')).toBeUndefined();
      expect(normalisePhone('061 23 45', 'FR')).toBeUndefined();
    });

    it('refuses numbers valid nowhere in the French plan', () => {
      expect(normalisePhone('0690 12', 'FR')).toBeUndefined();
      expect(normalisePhone('0639 80 12 34', 'FR')).toBeUndefined();
      expect(normalisePhone('+33 6 39 80 12 34', 'FR')).toBeUndefined();
    });

    it('knows overseas mobiles can receive SMS', () => {
      expect(canReceiveSms(normalisePhone('0690 00 12 34', 'FR') ?? '')).toBe(true);
      expect(canReceiveSms(normalisePhone('0590 20 12 34', 'FR') ?? '')).toBe(false);
    });
  });
});

describe('phoneSchema', () => {
  it('normalises to E.164', () => {
    expect(phoneSchema('FR').parse('06 12 34 56 78')).toBe('+33612345678');
  });

  it('names the default country in its message', () => {
    const r = phoneSchema('FR').safeParse('123');
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]?.message).toBe('Invalid phone number (default country FR)');
  });

  it('refuses a value longer than 32 characters', () => {
    expect(phoneSchema('FR').safeParse(`+33612345678${' '.repeat(30)}`).success).toBe(false);
  });

  it('refuses a non-string', () => {
    expect(phoneSchema('FR').safeParse(33612345678).success).toBe(false);
  });
});

describe('contactInputSchema', () => {
  it('accepts a full contact and normalises identifiers', () => {
    const input = parse({
      email: ' Bob@Example.com',
      phone: '06 12 34 56 78',
      firstName: ' Bob ',
      lastName: 'Martin',
      locale: 'fr-FR',
      homeStoreId: 'paris-11',
      tags: ['vip', ' newsletter '],
      attributes: { age: 42, city: 'Paris', loyal: true },
      consent: { email: { status: 'granted', source: 'web form', at: '2025-01-01T10:00:00+01:00' } },
    });
    expect(input).toEqual({
      email: 'bob@example.com',
      phone: '+33612345678',
      firstName: 'Bob',
      lastName: 'Martin',
      locale: 'fr-FR',
      homeStoreId: 'paris-11',
      tags: ['vip', 'newsletter'],
      attributes: { age: 42, city: 'Paris', loyal: true },
      consent: { email: { status: 'granted', source: 'web form', at: '2025-01-01T10:00:00+01:00' } },
    });
  });

  it('accepts a phone alone, read in the given default country', () => {
    expect(parse({ phone: '020 7946 0958' }, 'GB')).toEqual({ phone: '+442079460958' });
  });

  it('refuses unknown fields, naming each one', () => {
    const issues = issuesOf({ email: 'a@example.com', nickname: 'Al', shoeSize: 42 });
    expect(issues).toEqual([
      { path: 'nickname', message: 'Unknown field' },
      { path: 'shoeSize', message: 'Unknown field' },
    ]);
  });

  it('needs an email or a phone', () => {
    expect(issuesOf({ firstName: 'Ann' })).toEqual([
      { path: 'email', message: 'A contact needs an email or a phone' },
    ]);
    expect(issuesOf({})).toEqual([{ path: 'email', message: 'A contact needs an email or a phone' }]);
  });

  it('reports a bad phone at "phone"', () => {
    expect(issuesOf({ phone: '12' })).toEqual([
      { path: 'phone', message: 'Invalid phone number (default country FR)' },
    ]);
  });

  it('accepts string, finite number and boolean attributes', () => {
    expect(parse({ email: 'a@example.com', attributes: { s: 'x', n: 1.5, b: false } }).attributes).toEqual({
      s: 'x',
      n: 1.5,
      b: false,
    });
  });

  it.each([
    ['an object', { nested: { a: 1 } }, 'attributes.nested'],
    ['an array', { list: [1, 2] }, 'attributes.list'],
    ['null', { nothing: null }, 'attributes.nothing'],
    ['an infinite number', { inf: Number.POSITIVE_INFINITY }, 'attributes.inf'],
  ])('refuses %s as an attribute value', (_what, attributes, path) => {
    expect(issuesOf({ email: 'a@example.com', attributes }).map((i) => i.path)).toEqual([path]);
  });

  it('refuses attribute names with other characters', () => {
    const issues = issuesOf({ email: 'a@example.com', attributes: { 'bad name': 1 } });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.path.startsWith('attributes')).toBe(true);
  });

  it('refuses more than 50 attributes', () => {
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
    expect(issuesOf({ email: 'a@example.com', attributes })).toEqual([
      { path: 'attributes', message: 'At most 50 attributes' },
    ]);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
    expect(issuesOf({ email: 'a@example.com', attributes: fifty })).toEqual([]);
  });

  it('accepts consent per channel with an ISO date-time', () => {
    const consent = {
      email: { status: 'granted', source: 'shop', at: '2025-01-01T10:00:00Z' },
      sms: { status: 'denied', source: 'shop', at: '2025-01-01T10:00:00Z' },
    };
    expect(parse({ email: 'a@example.com', consent }).consent).toEqual(consent);
  });

  it.each([
    [
      'an unknown channel',
      { fax: { status: 'granted', source: 's', at: NOW } },
      'consent.fax',
      'Unknown field',
    ],
    [
      'an unknown status',
      { email: { status: 'maybe', source: 's', at: NOW } },
      'consent.email.status',
      undefined,
    ],
    [
      'an empty source',
      { email: { status: 'granted', source: ' ', at: NOW } },
      'consent.email.source',
      undefined,
    ],
    [
      'a date without time',
      { email: { status: 'granted', source: 's', at: '2025-01-01' } },
      'consent.email.at',
      undefined,
    ],
    ['a missing date', { email: { status: 'granted', source: 's' } }, 'consent.email.at', undefined],
    [
      'an extra field',
      { email: { status: 'granted', source: 's', at: NOW, ip: '1.2.3.4' } },
      'consent.email.ip',
      'Unknown field',
    ],
  ])('refuses consent with %s', (_what, consent, path, message) => {
    const issues = issuesOf({ email: 'a@example.com', consent });
    expect(issues.map((i) => i.path)).toEqual([path]);
    if (message) expect(issues[0]?.message).toBe(message);
  });

  it('refuses a malformed locale and store id', () => {
    expect(issuesOf({ email: 'a@example.com', locale: 'french' }).map((i) => i.path)).toEqual(['locale']);
    expect(issuesOf({ email: 'a@example.com', homeStoreId: 'paris 11' }).map((i) => i.path)).toEqual([
      'homeStoreId',
    ]);
  });

  it('refuses empty tags', () => {
    expect(issuesOf({ email: 'a@example.com', tags: ['ok', ' '] }).map((i) => i.path)).toEqual(['tags.1']);
  });
});

const ctx = (over: Partial<{ id: string; now: string; suppressed: ('email' | 'sms')[] }> = {}) => ({
  id: 'c_1',
  now: NOW,
  suppressed: [],
  ...over,
});

function existingContact(over: Partial<Contact> = {}): Contact {
  return {
    id: 'c_old',
    email: 'old@example.com',
    phone: '+33612345678',
    firstName: 'Ann',
    lastName: 'Martin',
    locale: 'fr',
    homeStoreId: 'paris',
    tags: ['vip'],
    attributes: { age: 30 },
    consent: { email: { status: 'granted', source: 'shop', at: '2025-01-01T00:00:00.000Z' } },
    suppressed: [],
    purchases: { store: 2, web: 1, phone: 0 },
    lastPurchaseAt: '2025-02-01T00:00:00.000Z',
    createdAt: '2024-12-01T00:00:00.000Z',
    updatedAt: '2024-12-01T00:00:00.000Z',
    ...over,
  };
}

describe('applyContactInput', () => {
  it('creates a contact with empty defaults', () => {
    const c = applyContactInput(undefined, parse({ email: 'a@example.com', firstName: 'Ann' }), ctx());
    expect(c).toEqual({
      id: 'c_1',
      email: 'a@example.com',
      firstName: 'Ann',
      tags: [],
      attributes: {},
      consent: {},
      suppressed: [],
      purchases: { store: 0, web: 0, phone: 0 },
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('keeps the fields absent from an update, and its id, creation date and purchases', () => {
    const old = existingContact();
    const c = applyContactInput(
      old,
      parse({ email: 'old@example.com', lastName: 'Durand' }),
      ctx({ now: LATER }),
    );
    expect(c).toEqual({ ...old, lastName: 'Durand', updatedAt: LATER });
  });

  it('replaces tags and attributes when given', () => {
    const c = applyContactInput(
      existingContact(),
      parse({ email: 'old@example.com', tags: ['new'], attributes: { city: 'Lyon' } }),
      ctx(),
    );
    expect(c.tags).toEqual(['new']);
    expect(c.attributes).toEqual({ city: 'Lyon' });
  });

  it('de-duplicates tags, keeping their first order', () => {
    const c = applyContactInput(
      undefined,
      parse({ email: 'a@example.com', tags: ['b', 'a', 'b', ' a '] }),
      ctx(),
    );
    expect(c.tags).toEqual(['b', 'a']);
  });

  it('does not mutate the existing contact', () => {
    const old = existingContact();
    const before = structuredClone(old);
    applyContactInput(
      old,
      parse({
        email: 'old@example.com',
        tags: ['x'],
        consent: { sms: { status: 'granted', source: 's', at: LATER } },
      }),
      ctx({ suppressed: ['email'] }),
    );
    expect(old).toEqual(before);
  });

  it('replaces consent with a newer statement', () => {
    const newer = { status: 'denied' as const, source: 'unsubscribe', at: '2025-02-01T00:00:00.000Z' };
    const c = applyContactInput(
      existingContact(),
      parse({ email: 'old@example.com', consent: { email: newer } }),
      ctx(),
    );
    expect(c.consent.email).toEqual(newer);
  });

  it('keeps consent when the statement is older', () => {
    const old = existingContact();
    const c = applyContactInput(
      old,
      parse({
        email: 'old@example.com',
        consent: { email: { status: 'denied', source: 'old file', at: '2024-06-01T00:00:00.000Z' } },
      }),
      ctx(),
    );
    expect(c.consent.email).toEqual(old.consent.email);
  });

  it('compares consent dates as instants, not as strings', () => {
    // 2025-01-01T00:30:00+01:00 is 2024-12-31T23:30Z: older than the stored statement.
    const old = existingContact();
    const c = applyContactInput(
      old,
      parse({
        email: 'old@example.com',
        consent: { email: { status: 'denied', source: 'tz', at: '2025-01-01T00:30:00+01:00' } },
      }),
      ctx(),
    );
    expect(c.consent.email).toEqual(old.consent.email);
  });

  it('keeps consent on a channel the input does not mention', () => {
    const old = existingContact();
    const c = applyContactInput(
      old,
      parse({ email: 'old@example.com', consent: { sms: { status: 'granted', source: 'shop', at: NOW } } }),
      ctx(),
    );
    expect(c.consent).toEqual({
      email: old.consent.email,
      sms: { status: 'granted', source: 'shop', at: NOW },
    });
  });

  it('forces a newly suppressed channel to denied, whatever the input says', () => {
    const c = applyContactInput(
      undefined,
      parse({
        email: 'a@example.com',
        consent: { email: { status: 'granted', source: 'import', at: LATER } },
      }),
      ctx({ suppressed: ['email'] }),
    );
    expect(c.suppressed).toEqual(['email']);
    expect(c.consent.email).toEqual({ status: 'denied', source: 'suppression', at: NOW });
  });

  it('keeps a suppressed channel denied on later updates, even without a new suppression', () => {
    const old = existingContact({
      suppressed: ['email'],
      consent: { email: { status: 'denied', source: 'suppression', at: '2025-01-05T00:00:00.000Z' } },
    });
    const c = applyContactInput(
      old,
      parse({
        email: 'old@example.com',
        consent: { email: { status: 'granted', source: 'web', at: LATER } },
      }),
      ctx({ now: LATER, suppressed: [] }),
    );
    expect(c.suppressed).toEqual(['email']);
    expect(c.consent.email?.status).toBe('denied');
  });

  it('keeps an existing denied statement on a suppressed channel rather than rewriting it', () => {
    const denied = { status: 'denied' as const, source: 'unsubscribe link', at: '2025-01-05T00:00:00.000Z' };
    const c = applyContactInput(
      existingContact({ consent: { email: denied } }),
      parse({ email: 'old@example.com' }),
      ctx({ suppressed: ['email'] }),
    );
    expect(c.consent.email).toEqual(denied);
  });

  it('merges suppressions without duplicates and sorted', () => {
    const c = applyContactInput(
      existingContact({ suppressed: ['sms'] }),
      parse({ email: 'old@example.com' }),
      ctx({ suppressed: ['sms', 'email'] }),
    );
    expect(c.suppressed).toEqual(['email', 'sms']);
    expect(c.consent.sms?.status).toBe('denied');
    expect(c.consent.email?.status).toBe('denied');
  });
});

describe('contactView', () => {
  it('removes internal bookkeeping and keeps everything else', () => {
    const contact = existingContact();
    const view = contactView({ ...contact, lastPurchaseRef: 'p_123' });
    expect(view).toEqual(contact);
    expect(view).not.toHaveProperty('lastPurchaseRef');
  });
});
