/**
 * The customer file under concurrency and hostile input (the attacker's and the new user's
 * findings): one person per address, every consent decision kept, households, erasure, and what a
 * store key may do. Runs against the real local stack (dynalite); races that need a real store's
 * latency hold a write in the contact adapter (`beforeWrite`) instead of hoping for the timing.
 */
import { request } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BeforeContactWrite, DynamoContactRepository } from '../../functions/adapters/dynamo/contacts';
import { type ContactInput, contactInputSchema } from '../../functions/domain/contacts/contact';
import {
  eraseContact,
  suppressContactChannel,
  upsertContact,
} from '../../functions/domain/contacts/customer-file';
import { contactDeps } from '../../functions/wiring/contacts';
import { consent, mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

let s: TestStack;
let storeKey: string;
beforeAll(async () => {
  // No quiet hours: the SMS tests text at any hour the suite runs.
  s = await startTestStack({ env: { SMS_QUIET_HOURS: '00:00-00:00' } });
  await s.call('PUT', '/v1/stores/paris', { json: sampleStore({ name: 'Paris' }) });
  await s.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Lyon', city: 'Lyon' }) });
  storeKey = (await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris' } })).body.key;
});
afterAll(() => s?.stop());

const put = (json: unknown) => s.call('PUT', '/v1/contacts', { json });
const byEmail = (email: string) => s.call('GET', `/v1/contacts?email=${encodeURIComponent(email)}`);
const byPhone = (phone: string) => s.call('GET', `/v1/contacts?phone=${encodeURIComponent(phone)}`);
const signup = (json: unknown, key = storeKey) => s.call('POST', '/v1/signups', { key, json });
const input = (raw: Record<string, unknown>): ContactInput => contactInputSchema('FR').parse(raw);
const scan = async () =>
  (await s.doc.send(new ScanCommand({ TableName: s.deps.config.TABLE_NAME }))).Items ?? [];
const contactItems = async () => (await scan()).filter((i) => i.sk === 'CONTACT');
let seq = 0;
const unique = (name: string) => `${name}.${Date.now().toString(36)}${seq++}@example.fr`;
/** A French mobile number nobody else in the file has. */
const mobile = () => `+3361${String(1_000_000 + seq++ * 37).slice(-7)}`;

/** A gate a write waits at: `reached` resolves when a write arrives, `open()` lets it (and later ones) go. */
function gate(match: (op: string) => boolean) {
  let opened = false;
  let open!: () => void;
  let reach!: () => void;
  const opening = new Promise<void>((r) => {
    open = () => {
      opened = true;
      r();
    };
  });
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const hook: BeforeContactWrite = async (op) => {
    if (opened || !match(op)) return;
    reach();
    await opening;
  };
  return { hook, reached, open };
}

/** The deps of the contact use cases, with a contact adapter whose writes pass through `hook`. */
const heldDeps = (hook: BeforeContactWrite) => ({
  ...contactDeps(s.deps),
  contacts: new DynamoContactRepository(s.doc, s.deps.config.TABLE_NAME, hook),
});

describe('lost updates never undo a consent decision or an erasure', () => {
  it('keeps an unsubscribe that lands between an upsert’s read and its write', async () => {
    const email = unique('ann');
    const created = await put({ email, firstName: 'Ann', consent: { email: consent() } });
    expect(created.status).toBe(201);
    const g = gate((op) => op !== 'erase');
    const upsert = upsertContact(heldDeps(g.hook), input({ email, firstName: 'Annie' }));
    await g.reached;
    expect(
      await suppressContactChannel(contactDeps(s.deps), created.body.id, 'email', 'unsubscribe:test'),
    ).toBe(true);
    g.open();
    await upsert;
    const after = (await byEmail(email)).body;
    expect(after.firstName).toBe('Annie');
    expect(after.consent.email.status).toBe('denied');
    expect(after.suppressed).toContain('email');
  });

  it('keeps a STOP that lands between an upsert’s read and its write', async () => {
    const phone = mobile();
    const created = await put({ phone, firstName: 'Sam', consent: { sms: consent() } });
    const g = gate((op) => op !== 'erase');
    const upsert = upsertContact(heldDeps(g.hook), input({ phone, firstName: 'Samuel' }));
    await g.reached;
    const stop = await s.call('POST', '/_local/sms/inbound', { json: { from: phone, body: 'STOP' } });
    expect(stop.status).toBeLessThan(300);
    g.open();
    await upsert;
    const [after] = (await byPhone(phone)).body.items;
    expect(after.id).toBe(created.body.id);
    expect(after.consent.sms.status).toBe('denied');
    expect(after.suppressed).toContain('sms');
  });

  it('never brings an erased contact back, with or without its address', async () => {
    const email = unique('eve');
    const created = await put({ email, firstName: 'Eve', consent: { email: consent() } });
    const g = gate((op) => op !== 'erase');
    const upsert = upsertContact(heldDeps(g.hook), input({ email, firstName: 'Evelyne' }));
    await g.reached;
    await eraseContact(contactDeps(s.deps), created.body.id);
    g.open();
    await upsert.catch(() => undefined);
    // The erased record stays gone; whatever the upsert left is a new, suppressed contact found by its address.
    const items = await contactItems();
    expect(items.some((i) => i.id === created.body.id)).toBe(false);
    const found = await byEmail(email);
    if (found.status === 200) {
      expect(found.body.id).not.toBe(created.body.id);
      expect(found.body.suppressed).toContain('email');
      expect(found.body.consent.email.status).toBe('denied');
    } else {
      expect(found.status).toBe(404);
    }
    expect(items.filter((i) => i.email === email).length).toBeLessThanOrEqual(1);
  });
});

describe('one person per address, and 201 exactly once', () => {
  it('answers 201 once for 100 concurrent upserts of one email, and leaves no stale phone claim', async () => {
    const email = unique('con');
    const phones = Array.from({ length: 100 }, () => mobile());
    const results = await Promise.all(
      phones.map((phone, i) =>
        put({ email, ...(i % 2 === 1 ? { phone } : {}), firstName: `N${i}`, consent: { email: consent() } }),
      ),
    );
    expect(
      results.filter((r) => r.status !== 200 && r.status !== 201).map((r) => JSON.stringify(r.body)),
    ).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const contact = (await byEmail(email)).body;
    expect((await contactItems()).filter((i) => i.email === email)).toHaveLength(1);
    // Only the phone the contact has now finds it; the 49 others find nobody.
    for (const [i, phone] of phones.entries()) {
      if (i % 2 === 0) continue;
      const found = await byPhone(phone);
      if (phone === contact.phone)
        expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([contact.id]);
      else expect(found.status).toBe(404);
    }
  });

  it('does not hand a customer’s record or consent to a stranger who gives their old phone', async () => {
    const email = unique('owner');
    const oldPhone = mobile();
    const newPhone = mobile();
    const owner = await put({
      email,
      phone: oldPhone,
      consent: { email: { status: 'granted', source: 'web-form', at: '2026-01-01T00:00:00Z' } },
    });
    await put({ email, phone: newPhone });
    const stranger = unique('stranger');
    const res = await put({ email: stranger, phone: oldPhone });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(owner.body.id);
    expect(res.body.consent.email).toBeUndefined();
    const kept = (await byEmail(email)).body;
    expect(kept).toMatchObject({ id: owner.body.id, email, phone: newPhone });
    expect(kept.consent.email.source).toBe('web-form');
  });

  it('keeps one contact per address for 10 concurrent shop sign-ups of one address', async () => {
    const email = unique('sign');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        signup({ email, firstName: 'Léa', emailConsent: true, smsConsent: false }),
      ),
    );
    expect(results.every((r) => r.status === 201 || r.status === 202)).toBe(true);
    expect((await contactItems()).filter((i) => i.email === email)).toHaveLength(1);
    // A confirmation email went out once, not ten times.
    expect((await mailTo(s, email)).length).toBe(1);
  });
});

describe('households share a phone', () => {
  it('keeps both customers of a file whose two lines share a mobile, with all their data', async () => {
    const phone = '06 12 34 00 01';
    const [a, b] = [unique('paul'), unique('marie')];
    const csv = [
      'email,phone,firstName,homeStoreId,attr.card,email_consent',
      `${a},${phone},Paul,paris,C-1,yes`,
      `${b},${phone},Marie,lyon,C-2,yes`,
    ].join('\n');
    const res = await s.call('POST', '/v1/contacts/import', { body: csv, type: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, updated: 0, rejected: [] });
    const paul = (await byEmail(a)).body;
    const marie = (await byEmail(b)).body;
    expect(paul).toMatchObject({ firstName: 'Paul', homeStoreId: 'paris', attributes: { card: 'C-1' } });
    expect(marie).toMatchObject({ firstName: 'Marie', homeStoreId: 'lyon', attributes: { card: 'C-2' } });
    expect(paul.id).not.toBe(marie.id);
    const both = (await byPhone(phone)).body.items.map((c: { id: string }) => c.id).sort();
    expect(both).toEqual([paul.id, marie.id].sort());
    // Each one's receipts are theirs.
    for (const [who, ref] of [
      [a, 'R-P'],
      [b, 'R-M'],
    ] as const) {
      const p = await s.call('POST', '/v1/purchases', {
        json: {
          contact: who,
          storeId: 'paris',
          amount: 10,
          currency: 'EUR',
          at: new Date().toISOString(),
          channel: 'store',
          ref,
        },
      });
      expect(p.status).toBe(201);
    }
    expect((await byEmail(a)).body.purchases.store).toBe(1);
    expect((await byEmail(b)).body.purchases.store).toBe(1);
  });

  it('texts a shared number once per campaign, and a STOP from it stops everyone who has it', async () => {
    const phone = mobile();
    const tag = `hh${seq++}`;
    for (const name of ['Jo', 'Max']) {
      expect(
        (await put({ email: unique(name), phone, firstName: name, tags: [tag], consent: { sms: consent() } }))
          .status,
      ).toBe(201);
    }
    const c = await s.call('POST', '/v1/campaigns', {
      json: { name: 'Household SMS', channel: 'sms', template: 'winback', segment: { tags: { any: [tag] } } },
    });
    expect(c.status).toBe(201);
    await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
    const done = await waitForCampaign(s, c.body.id);
    expect(done.counts.sent).toBe(1);
    expect(s.smsOutbox.sent.filter((m) => m.to === phone)).toHaveLength(1);
    await s.call('POST', '/_local/sms/inbound', { json: { from: phone, body: 'STOP' } });
    for (const c2 of (await byPhone(phone)).body.items) {
      expect(c2.consent.sms.status).toBe('denied');
      expect(c2.suppressed).toContain('sms');
    }
  });
});

describe('consent times', () => {
  it('refuses a consent dated in the future, naming the field', async () => {
    const res = await put({
      email: unique('fut'),
      consent: { email: { status: 'granted', source: 'form', at: '2099-12-31T00:00:00Z' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain('consent.email.at');
  });

  it('rejects a CSV line with a future consent alone', async () => {
    const [ok, bad] = [unique('okc'), unique('badc')];
    const csv = `email,email_consent,email_consent_at\n${ok},yes,\n${bad},yes,2099-01-01T00:00:00Z`;
    const res = await s.call('POST', '/v1/contacts/import', { body: csv, type: 'text/csv' });
    expect(res.body.created).toBe(1);
    expect(res.body.rejected).toHaveLength(1);
    expect(res.body.rejected[0].line).toBe(3);
  });

  it('lets a withdrawal received now override a grant stored with a future date', async () => {
    const email = unique('wd');
    const created = await put({ email, consent: { email: consent() } });
    // Data written before the rule: a grant dated in the future.
    const item = (await scan()).find((i) => i.sk === 'CONTACT' && i.id === created.body.id) as Record<
      string,
      unknown
    >;
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await s.doc.send(
      new PutCommand({
        TableName: s.deps.config.TABLE_NAME,
        Item: {
          ...item,
          consent: { email: { status: 'granted', source: 'legacy', at: '2099-12-31T00:00:00.000Z' } },
        },
      }),
    );
    const res = await put({
      email,
      consent: { email: { status: 'denied', source: 'form', at: new Date().toISOString() } },
    });
    expect(res.status).toBe(200);
    expect(res.body.consent.email.status).toBe('denied');
  });
});

describe('what a store key may do', () => {
  it('cannot take over a known customer with their phone and another address', async () => {
    const email = unique('victim');
    const phone = mobile();
    const victim = await put({
      email,
      phone,
      firstName: 'Victor',
      locale: 'fr',
      consent: { email: consent() },
    });
    const attacker = unique('attacker');
    const res = await signup({
      phone,
      email: attacker,
      firstName: 'X',
      locale: 'en',
      emailConsent: true,
      smsConsent: false,
    });
    expect(res.status).toBeLessThan(300);
    const kept = (await byEmail(email)).body;
    expect(kept).toMatchObject({ id: victim.body.id, email, phone, firstName: 'Victor', locale: 'fr' });
    expect(kept.consent.email.status).toBe('granted');
    // The attacker's address is a contact of its own (pending), never the victim's.
    const other = await byEmail(attacker);
    if (other.status === 200) expect(other.body.id).not.toBe(victim.body.id);
    // Confirming it changes nothing of the victim.
    const [mail] = await mailTo(s, attacker);
    const link = /\/optin\/([A-Za-z0-9._~-]+)/.exec(mail?.text ?? '')?.[1];
    if (link) await fetch(`${s.url}/optin/${link}`, { method: 'POST' });
    expect((await byEmail(email)).body).toMatchObject({ email, firstName: 'Victor', locale: 'fr' });
  });

  it('answers the same whether or not the address was known', async () => {
    const known = unique('known');
    await put({ email: known, firstName: 'Kim', consent: { email: consent() } });
    const a = await signup({ email: known, emailConsent: true, smsConsent: false });
    const b = await signup({ email: unique('unknown'), emailConsent: true, smsConsent: false });
    expect(a.status).toBe(b.status);
    expect(a.body).toEqual(b.body);
    expect(JSON.stringify(a.body)).not.toMatch(/c_[0-9a-z]/);
  });
});

describe('links come from configured base URLs, never from request headers', () => {
  /** A sign-up sent with forged Host and X-Forwarded-Proto headers (fetch will not forge Host). */
  const forged = (email: string) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ email, emailConsent: true, smsConsent: false });
      const req = request(
        `${s.url}/v1/signups`,
        {
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-forwarded-proto': 'https://evil.example/#',
            'x-forwarded-host': 'evil.example',
            authorization: `Bearer ${storeKey}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('builds the opt-in link on the stack’s own URL whatever Host and X-Forwarded-Proto say', async () => {
    const email = unique('host');
    expect(await forged(email)).toBe(202);
    const [mail] = await mailTo(s, email);
    expect(mail?.text).toContain(`${s.url}/optin/`);
    expect(`${mail?.text}${mail?.html}`).not.toContain('evil.example');
  });
});

describe('erasure', () => {
  it('removes the first name from the coupons and revokes them', async () => {
    const email = unique('gone');
    const tag = `er${seq++}`;
    const c0 = await put({
      email,
      firstName: 'Gaston',
      homeStoreId: 'paris',
      tags: [tag],
      consent: { email: consent() },
    });
    const c = await s.call('POST', '/v1/campaigns', {
      json: {
        name: 'Erase me',
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: [tag] } },
        from: { name: 'Relance', address: 'hello@relance.test' },
        offer: {
          kind: 'percent',
          value: 10,
          currency: 'EUR',
          validDays: 30,
          stores: 'all',
          description: { fr: '-10 %' },
        },
      },
    });
    await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
    await waitForCampaign(s, c.body.id);
    const [m] = await mailTo(s, email);
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(m?.text ?? '')?.[1] as string;
    const print = /(\/c\/[A-Za-z0-9._~-]+)/.exec(m?.html ?? '')?.[1] as string;
    expect((await s.call('GET', `/v1/coupons/${code}`, { key: storeKey })).body.firstName).toBe('Gaston');
    expect((await s.call('DELETE', `/v1/contacts/${c0.body.id}`)).status).toBe(204);
    const look = await s.call('GET', `/v1/coupons/${code}`, { key: storeKey });
    expect(look.body.firstName).toBeUndefined();
    expect(look.body.valid).toBe(false);
    const page = await fetch(`${s.url}${print}`);
    expect(await page.text()).not.toContain('Gaston');
    const redeem = await s.call('POST', `/v1/coupons/${code}/redeem`, {
      key: storeKey,
      json: { receiptRef: 'R-ERASED', basketAmount: 50, currency: 'EUR', channel: 'store' },
    });
    expect(redeem.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await scan())).not.toContain('Gaston');
  });
});

describe('numbers and names a database cannot store', () => {
  it('refuses attributes DynamoDB cannot keep exactly, and reserved names, with a 400 naming them', async () => {
    // Written as the JSON a client sends: 9007199254740993 is not a double, so it cannot be a literal here.
    for (const attributes of [
      '{"constructor":1}',
      '{"n":9007199254740993}',
      '{"n":1.5e-300}',
      '{"n":1e21}',
      '{"__proto__":{"x":1}}',
    ]) {
      const res = await s.call('PUT', '/v1/contacts', {
        body: `{"email":"${unique('num')}","attributes":${attributes}}`,
        type: 'application/json',
      });
      expect(res.status, attributes).toBe(400);
      expect(res.body.issues[0].path).toMatch(/^attributes/);
    }
  });

  it('imports every good line of a file with one unstorable number, and refuses a reserved column', async () => {
    const rows = [unique('r1'), unique('r2'), unique('r3')];
    const csv = `email,attr.n:number\n${rows[0]},1\n${rows[1]},1e21\n${rows[2]},3`;
    const res = await s.call('POST', '/v1/contacts/import', { body: csv, type: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.rejected).toEqual([{ line: 3, errors: [expect.objectContaining({ path: 'attr.n' })] }]);
    const reserved = await s.call('POST', '/v1/contacts/import', {
      body: `email,attr.constructor\n${unique('r4')},x`,
      type: 'text/csv',
    });
    expect(reserved.status).toBe(400);
    expect(JSON.stringify(reserved.body)).toContain('attr.constructor');
  });
});

describe('smaller rules', () => {
  it('does not accept a landline for SMS', async () => {
    const res = await put({ email: unique('land'), phone: '01 42 68 53 00', consent: { sms: consent() } });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain('phone');
    const su = await signup({ phone: '01 42 68 53 01', smsConsent: true, emailConsent: false });
    expect(su.status).toBe(400);
  });

  it('reports a bad CSV line once, with all its errors', async () => {
    const csv = 'email,phone,email_consent\nnot-an-email,123,maybe';
    const res = await s.call('POST', '/v1/contacts/import', { body: csv, type: 'text/csv' });
    expect(res.body.rejected).toHaveLength(1);
    expect(res.body.rejected[0].errors.length).toBeGreaterThanOrEqual(2);
  });

  it('counts as inactive only those who bought before, and selects those who never bought apart', async () => {
    const tag = `in${seq++}`;
    await put({ email: unique('new'), tags: [tag], consent: { email: consent() } });
    const old = await put({ email: unique('old'), tags: [tag], consent: { email: consent() } });
    await s.call('POST', '/v1/purchases', {
      json: {
        contact: old.body.id,
        storeId: 'paris',
        amount: 5,
        currency: 'EUR',
        at: '2024-01-01T10:00:00Z',
        channel: 'store',
        ref: `old-${tag}`,
      },
    });
    const inactive = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { any: [tag] }, inactiveForDays: 180 } },
    });
    expect(inactive.body.count).toBe(1);
    const never = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { any: [tag] }, neverPurchased: true } },
    });
    expect(never.body.count).toBe(1);
  });

  it('gives an offer without a currency the stack’s, and refuses another at the till', async () => {
    const email = unique('cur');
    const tag = `cu${seq++}`;
    await put({ email, homeStoreId: 'paris', tags: [tag], consent: { email: consent() } });
    const c = await s.call('POST', '/v1/campaigns', {
      json: {
        name: 'No currency',
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: [tag] } },
        from: { name: 'Relance', address: 'hello@relance.test' },
        offer: { kind: 'amount', value: 5, validDays: 30, stores: 'all', description: { fr: '5 € offerts' } },
      },
    });
    expect(c.status).toBe(201);
    expect(c.body.offer.currency).toBe('EUR');
    await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
    await waitForCampaign(s, c.body.id);
    const [m] = await mailTo(s, email);
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(m?.text ?? '')?.[1] as string;
    const jpy = await s.call('POST', `/v1/coupons/${code}/redeem`, {
      key: storeKey,
      json: { receiptRef: 'R-JPY', basketAmount: 0, currency: 'JPY', channel: 'store' },
    });
    expect(jpy.status).toBe(422);
    expect(jpy.body.issues.map((i: { path: string }) => i.path)).toContain('currency');
  });
});
