import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleStore, startTestStack, type TestStack } from './helpers';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  expect((await s.call('PUT', '/v1/stores/paris-11', { json: sampleStore() })).status).toBe(201);
  expect(
    (await s.call('PUT', '/v1/stores/lyon-2', { json: sampleStore({ name: 'Lyon', city: 'Lyon' }) })).status,
  ).toBe(201);
});
afterAll(() => s?.stop());

const scanAll = async () =>
  (await s.doc.send(new ScanCommand({ TableName: s.deps.config.TABLE_NAME }))).Items ?? [];

describe('health and auth', () => {
  it('answers /health without a key', async () => {
    const res = await s.call('GET', '/health', { key: null });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers 401 without a key and with an unknown key', async () => {
    expect((await s.call('GET', '/v1/stores', { key: null })).status).toBe(401);
    const res = await s.call('GET', '/v1/stores', { key: 'rl_definitely-not-a-key' });
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Unauthorized');
  });

  it('creates a store key, lists keys without secrets, forbids marketer routes to it, and revokes it', async () => {
    const created = await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris-11' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'store', storeId: 'paris-11' });
    expect(created.body.key).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);

    const list = await s.call('GET', '/v1/keys');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ role: 'store', storeId: 'paris-11' });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);

    const forbidden = await s.call('GET', '/v1/contacts?email=a@b.fr', { key: created.body.key });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('forbidden');

    expect((await s.call('DELETE', `/v1/keys/${created.body.id}`)).status).toBe(204);
    expect((await s.call('DELETE', `/v1/keys/${created.body.id}`)).status).toBe(404);
    expect((await s.call('GET', '/v1/stores', { key: created.body.key })).status).toBe(401);
  });

  it('stores keys only as hashes', async () => {
    const created = await s.call('POST', '/v1/keys', { json: { role: 'marketer' } });
    const dump = JSON.stringify(await scanAll());
    expect(dump).not.toContain(created.body.key);
    expect(dump).not.toContain(s.key);
  });

  it('refuses a store key without a store, or for an unknown store', async () => {
    const missing = await s.call('POST', '/v1/keys', { json: { role: 'store' } });
    expect(missing.status).toBe(400);
    expect(missing.body.issues).toContainEqual(expect.objectContaining({ path: 'storeId' }));
    const unknown = await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'nowhere' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].path).toBe('storeId');
  });
});

describe('stores', () => {
  it('creates, updates and lists stores', async () => {
    const first = await s.call('PUT', '/v1/stores/nantes', {
      json: sampleStore({ name: 'Nantes', openingHours: { mon: ['09:00-12:00', '14:00-19:00'] } }),
    });
    expect(first.status).toBe(201);
    const again = await s.call('PUT', '/v1/stores/nantes', { json: sampleStore({ name: 'Nantes Centre' }) });
    expect(again.status).toBe(200);
    expect(again.body.createdAt).toBe(first.body.createdAt);
    const list = await s.call('GET', '/v1/stores');
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual(
      expect.arrayContaining(['paris-11', 'nantes']),
    );
    expect(list.body.items.find((x: { id: string }) => x.id === 'nantes').name).toBe('Nantes Centre');
  });

  it('names the field at fault', async () => {
    const res = await s.call('PUT', '/v1/stores/x', {
      json: { ...sampleStore(), country: 'France', extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['country', 'extra']);
  });
});

describe('contacts', () => {
  it('upserts by email, lower-cased, and by phone, normalised to E.164', async () => {
    const created = await s.call('PUT', '/v1/contacts', {
      json: {
        email: ' Marie.Curie@Example.FR ',
        firstName: 'Marie',
        homeStoreId: 'paris-11',
        tags: ['vip', 'vip', 'newsletter'],
        attributes: { visits: 3, loyal: true, size: 'M' },
        consent: { email: { status: 'granted', source: 'web-form', at: '2026-03-01T10:00:00Z' } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'marie.curie@example.fr', tags: ['vip', 'newsletter'] });
    const id = created.body.id;

    const updated = await s.call('PUT', '/v1/contacts', {
      json: { email: 'marie.curie@example.fr', phone: '06 12 34 56 79', lastName: 'Curie' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, phone: '+33612345679', firstName: 'Marie', lastName: 'Curie' });

    const byPhone = await s.call('PUT', '/v1/contacts', {
      json: { phone: '+33 6 12 34 56 79', locale: 'fr' },
    });
    expect(byPhone.body).toMatchObject({ id, locale: 'fr', email: 'marie.curie@example.fr' });

    expect((await s.call('GET', `/v1/contacts/${id}`)).body.id).toBe(id);
    expect((await s.call('GET', '/v1/contacts?email=MARIE.CURIE%40example.fr')).body.id).toBe(id);
    // A phone may be shared: the look-up lists every contact that has it.
    expect(
      (await s.call('GET', '/v1/contacts?phone=0612345679')).body.items.map((c: { id: string }) => c.id),
    ).toEqual([id]);
    expect((await s.call('GET', '/v1/contacts?email=nobody%40example.fr')).status).toBe(404);
    expect((await s.call('GET', '/v1/contacts/c_nope')).status).toBe(404);
    expect((await s.call('GET', '/v1/contacts')).status).toBe(400);
  });

  it('lets a phone be shared: an email’s owner takes a phone another contact has, both remain', async () => {
    const a = await s.call('PUT', '/v1/contacts', { json: { email: 'a@conflict.fr' } });
    const b = await s.call('PUT', '/v1/contacts', { json: { phone: '0611111111' } });
    const res = await s.call('PUT', '/v1/contacts', {
      json: { email: 'a@conflict.fr', phone: '0611111111' },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(a.body.id);
    expect((await s.call('GET', `/v1/contacts/${b.body.id}`)).body).toMatchObject({ phone: '+33611111111' });
    expect((await s.call('GET', `/v1/contacts/${b.body.id}`)).body.email).toBeUndefined();
    const both = (await s.call('GET', '/v1/contacts?phone=0611111111')).body.items.map(
      (c: { id: string }) => c.id,
    );
    expect(both.sort()).toEqual([a.body.id, b.body.id].sort());
  });

  it('updates by a shared phone the contact created from it, and answers 409 when none was', async () => {
    const res = await s.call('PUT', '/v1/contacts', { json: { phone: '0611111111', firstName: 'Bea' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phone: '+33611111111', firstName: 'Bea' });
    expect(res.body.email).toBeUndefined();
    await s.call('PUT', '/v1/contacts', { json: { email: 'c1@household.fr', phone: '0611111119' } });
    await s.call('PUT', '/v1/contacts', { json: { email: 'c2@household.fr', phone: '0611111119' } });
    const ambiguous = await s.call('PUT', '/v1/contacts', {
      json: { phone: '0611111119', firstName: 'Who' },
    });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.issues[0].path).toBe('phone');
  });

  it('refuses an unknown home store and leaves no trace', async () => {
    const res = await s.call('PUT', '/v1/contacts', {
      json: { email: 'ghost@x.fr', homeStoreId: 'atlantis' },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('homeStoreId');
    expect((await s.call('GET', '/v1/contacts?email=ghost%40x.fr')).status).toBe(404);
    expect(JSON.stringify(await scanAll())).not.toContain('ghost@x.fr');
  });

  it('gives one contact to concurrent upserts of the same new address', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.call('PUT', '/v1/contacts', { json: { email: 'race@x.fr', attributes: { n: i } } }),
      ),
    );
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
  });

  it('erases personal data but keeps the address suppressed', async () => {
    const created = await s.call('PUT', '/v1/contacts', {
      json: {
        email: 'erase.me@example.fr',
        phone: '0622334455',
        firstName: 'Zoé',
        consent: {
          email: { status: 'granted', source: 'store', at: '2026-01-01T00:00:00Z' },
          sms: { status: 'granted', source: 'store', at: '2026-01-01T00:00:00Z' },
        },
      },
    });
    const id = created.body.id;
    await s.call('POST', '/v1/purchases', {
      json: {
        contact: id,
        storeId: 'paris-11',
        amount: 12,
        currency: 'EUR',
        at: '2026-02-01T10:00:00Z',
        channel: 'store',
      },
    });
    expect((await s.call('DELETE', `/v1/contacts/${id}`)).status).toBe(204);
    expect((await s.call('GET', `/v1/contacts/${id}`)).status).toBe(404);
    expect((await s.call('DELETE', `/v1/contacts/${id}`)).status).toBe(404);
    const dump = JSON.stringify(await scanAll());
    for (const pii of ['erase.me@example.fr', '+33622334455', 'Zoé', id]) expect(dump).not.toContain(pii);

    const back = await s.call('PUT', '/v1/contacts', {
      json: {
        email: 'erase.me@example.fr',
        phone: '0622334455',
        consent: {
          email: { status: 'granted', source: 'reimport', at: '2026-12-01T00:00:00Z' },
          sms: { status: 'granted', source: 'reimport', at: '2026-12-01T00:00:00Z' },
        },
      },
    });
    expect(back.status).toBe(201);
    expect(back.body.consent.email.status).toBe('denied');
    expect(back.body.consent.sms.status).toBe('denied');
    expect(back.body.suppressed).toEqual(['email', 'sms']);
  });
});

describe('purchases', () => {
  it('records purchases by channel and updates the contact, once per reference', async () => {
    const c = await s.call('PUT', '/v1/contacts', { json: { email: 'buyer@example.fr' } });
    const base = { storeId: 'paris-11', amount: 42.5, currency: 'EUR', channel: 'store' };
    const p1 = await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: 'Buyer@Example.fr', at: '2026-05-01T10:00:00+02:00', ref: 'T-1' },
    });
    expect(p1.status).toBe(201);
    expect(p1.body).toMatchObject({ contactId: c.body.id, channel: 'store', amount: 42.5 });
    const retry = await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: 'Buyer@Example.fr', at: '2026-05-01T10:00:00+02:00', ref: 'T-1' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(p1.body.id);
    await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: c.body.id, channel: 'web', at: '2026-04-01T10:00:00Z' },
    });
    const after = await s.call('GET', `/v1/contacts/${c.body.id}`);
    expect(after.body.purchases).toEqual({ store: 1, web: 1, phone: 0 });
    expect(after.body.lastPurchaseAt).toBe('2026-05-01T08:00:00.000Z');
  });

  it('names the contact or store at fault', async () => {
    const base = { amount: 1, currency: 'EUR', at: '2026-05-01T10:00:00Z', channel: 'web' };
    const noContact = await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: 'x@none.fr', storeId: 'paris-11' },
    });
    expect(noContact.status).toBe(400);
    expect(noContact.body.issues[0].path).toBe('contact');
    await s.call('PUT', '/v1/contacts', { json: { email: 'p2@example.fr' } });
    const noStore = await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: 'p2@example.fr', storeId: 'mars' },
    });
    expect(noStore.status).toBe(400);
    expect(noStore.body.issues[0].path).toBe('storeId');
    const badChannel = await s.call('POST', '/v1/purchases', {
      json: { ...base, contact: 'p2@example.fr', storeId: 'paris-11', channel: 'fax', amount: -1 },
    });
    expect(badChannel.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['amount', 'channel']);
  });
});

describe('bad input never gets a 500', () => {
  it.each([
    ['malformed JSON', { body: '{"email": ', type: 'application/json' }, 400, 'invalid_json'],
    ['an empty body', { body: '', type: 'application/json' }, 400, 'bad_request'],
    ['a JSON array', { json: [1, 2] }, 400, 'validation_error'],
    ['wrong types', { json: { email: 42, tags: 'vip' } }, 400, 'validation_error'],
    ['an unknown field', { json: { email: 'u@x.fr', favouriteColour: 'blue' } }, 400, 'validation_error'],
    ['an invalid email', { json: { email: 'not-an-email' } }, 400, 'validation_error'],
    ['an invalid phone', { json: { phone: '12' } }, 400, 'validation_error'],
    ['neither email nor phone', { json: { firstName: 'Nobody' } }, 400, 'validation_error'],
    [
      'a form body',
      { body: 'email=a@b.fr', type: 'application/x-www-form-urlencoded' },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 256 KB',
      { json: { email: 'big@x.fr', firstName: 'x'.repeat(300 * 1024) } },
      413,
      'payload_too_large',
    ],
  ] as const)('%s', async (_name, opts, status, code) => {
    const res = await s.call('PUT', '/v1/contacts', opts);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: code, message: expect.any(String), issues: expect.any(Array) });
  });

  it('names the unknown field and the invalid ones', async () => {
    const res = await s.call('PUT', '/v1/contacts', { json: { email: 'bad', phone: '12', colour: 'x' } });
    expect(res.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['colour', 'email', 'phone']);
  });
});
