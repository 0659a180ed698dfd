import { describe, expect, it, vi } from 'vitest';
import { type ContactInput, contactInputSchema } from '../../../../functions/domain/contacts/contact';
import {
  eraseContact,
  findContact,
  suppressContactChannel,
  upsertContact,
  upsertContacts,
} from '../../../../functions/domain/contacts/customer-file';
import type { PurchaseInput } from '../../../../functions/domain/purchases/purchase';
import { recordPurchase } from '../../../../functions/domain/purchases/record';
import { appError } from '../../../support/assertions';
import { fakeDeps } from '../../../support/fakes';

/** Inputs go through the API schema first, as they do in the handlers. */
const input = (raw: Record<string, unknown>): ContactInput => contactInputSchema('FR').parse(raw);

describe('upsertContact', () => {
  it('creates a contact and claims its email', async () => {
    const deps = fakeDeps();
    const { contact, created } = await upsertContact(
      deps,
      input({ email: 'Ann@Example.com', firstName: 'Ann' }),
    );
    expect(created).toBe(true);
    expect(contact).toMatchObject({
      email: 'ann@example.com',
      firstName: 'Ann',
      createdAt: deps.clock.now().toISOString(),
    });
    expect(await deps.contacts.get(contact.id)).toEqual(contact);
    expect(deps.contacts.claims.get('email#ann@example.com')).toBe(contact.id);
  });

  it('updates the contact that owns the email, keeping what the input does not say', async () => {
    const deps = fakeDeps();
    const first = await upsertContact(
      deps,
      input({ email: 'ann@example.com', firstName: 'Ann', tags: ['vip'] }),
    );
    deps.clock.advance(60_000);
    const second = await upsertContact(deps, input({ email: 'ANN@example.com', lastName: 'Martin' }));
    expect(second.created).toBe(false);
    expect(second.contact).toMatchObject({
      id: first.contact.id,
      firstName: 'Ann',
      lastName: 'Martin',
      tags: ['vip'],
      createdAt: first.contact.createdAt,
      updatedAt: deps.clock.now().toISOString(),
    });
    expect(deps.contacts.items.size).toBe(1);
  });

  it('creates and updates by phone, whatever way the number is written', async () => {
    const deps = fakeDeps();
    const first = await upsertContact(deps, input({ phone: '06 12 34 56 78', firstName: 'Ann' }));
    expect(first.created).toBe(true);
    expect(deps.contacts.claims.get('phone#+33612345678')).toBe(first.contact.id);
    const second = await upsertContact(deps, input({ phone: '+33612345678', lastName: 'Martin' }));
    expect(second.created).toBe(false);
    expect(second.contact).toMatchObject({ id: first.contact.id, firstName: 'Ann', lastName: 'Martin' });
  });

  it('adds an email to a contact found by its phone, and claims it', async () => {
    const deps = fakeDeps();
    const { contact } = await upsertContact(deps, input({ phone: '0612345678' }));
    const res = await upsertContact(deps, input({ phone: '0612345678', email: 'ann@example.com' }));
    expect(res.created).toBe(false);
    expect(res.contact.id).toBe(contact.id);
    expect(deps.contacts.claims.get('email#ann@example.com')).toBe(contact.id);
  });

  it('moves a contact off the phone it no longer has', async () => {
    const deps = fakeDeps();
    const { contact } = await upsertContact(deps, input({ email: 'ann@example.com', phone: '0612345678' }));
    await upsertContact(deps, input({ email: 'ann@example.com', phone: '0698765432' }));
    expect([...(deps.contacts.holders.get('+33612345678') ?? [])]).toEqual([]);
    expect([...(deps.contacts.holders.get('+33698765432') ?? [])]).toEqual([contact.id]);
    expect((await deps.contacts.get(contact.id))?.phone).toBe('+33698765432');
  });

  it('lets two contacts share a phone (a household), each keeping its own email and data', async () => {
    const deps = fakeDeps();
    const a = await upsertContact(
      deps,
      input({ email: 'ann@example.com', phone: '0612345678', firstName: 'Ann' }),
    );
    const b = await upsertContact(
      deps,
      input({ email: 'bob@example.com', phone: '0612345678', firstName: 'Bob' }),
    );
    expect(b.created).toBe(true);
    expect(b.contact.id).not.toBe(a.contact.id);
    expect(await deps.contacts.get(a.contact.id)).toMatchObject({
      email: 'ann@example.com',
      firstName: 'Ann',
    });
    expect(new Set(deps.contacts.holders.get('+33612345678'))).toEqual(new Set([a.contact.id, b.contact.id]));
  });

  it('answers 409 naming the phone when a phone-only input matches several contacts', async () => {
    const deps = fakeDeps();
    await upsertContact(deps, input({ email: 'ann@example.com', phone: '0612345678' }));
    await upsertContact(deps, input({ email: 'bob@example.com', phone: '0612345678' }));
    const err = await appError(upsertContact(deps, input({ phone: '0612345678', firstName: 'Who' })));
    expect(err.status).toBe(409);
    expect(err.issues).toEqual([{ path: 'phone', message: 'Shared by several contacts' }]);
  });

  it('never changes the email of a contact found by its phone: a new address is a new contact', async () => {
    const deps = fakeDeps();
    const ann = await upsertContact(deps, input({ email: 'ann@example.com', phone: '0612345678' }));
    const other = await upsertContact(deps, input({ email: 'eve@example.com', phone: '0612345678' }));
    expect(other.contact.id).not.toBe(ann.contact.id);
    expect((await deps.contacts.get(ann.contact.id))?.email).toBe('ann@example.com');
  });

  it('creates one phone-only contact for concurrent upserts of one new phone', async () => {
    const deps = fakeDeps();
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => upsertContact(deps, input({ phone: '0612345678', firstName: `N${i}` }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
    expect(deps.contacts.items.size).toBe(1);
  });

  it('keeps an unsubscribe that lands between an upsert’s read and its write', async () => {
    const deps = fakeDeps();
    const granted = { status: 'granted' as const, source: 'web', at: '2025-01-01T00:00:00Z' };
    const { contact } = await upsertContact(
      deps,
      input({ email: 'ann@example.com', consent: { email: granted } }),
    );
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let reached!: () => void;
    const arrived = new Promise<void>((r) => {
      reached = r;
    });
    let once = true;
    deps.contacts.beforeWrite = async (op) => {
      if (op === 'replace' && once) {
        once = false;
        reached();
        await held;
      }
    };
    const upsert = upsertContact(deps, input({ email: 'ann@example.com', firstName: 'Annie' }));
    await arrived;
    deps.contacts.beforeWrite = async () => undefined;
    await suppressContactChannel(deps, contact.id, 'email', 'unsubscribe:x');
    release();
    await upsert;
    expect(await deps.contacts.get(contact.id)).toMatchObject({
      firstName: 'Annie',
      suppressed: ['email'],
      consent: { email: { status: 'denied' } },
    });
  });

  it('retries as an update when a new address is claimed concurrently', async () => {
    const deps = fakeDeps();
    const results = await Promise.all([
      upsertContact(deps, input({ email: 'ann@example.com', firstName: 'Ann' })),
      upsertContact(deps, input({ email: 'ann@example.com', lastName: 'Martin' })),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0].contact.id).toBe(results[1].contact.id);
    expect(deps.contacts.items.size).toBe(1);
    expect(deps.contacts.claims.size).toBe(1);
  });

  it('gives up with 503 after repeated lost claims, leaving no stray claim behind', async () => {
    const deps = fakeDeps();
    deps.contacts.claims.set('email#ann@example.com', 'c_other');
    // The read never sees the owner; every conditional claim finds it taken.
    vi.spyOn(deps.contacts, 'ownerOf').mockResolvedValue(undefined);
    const err = await appError(upsertContact(deps, input({ email: 'ann@example.com', phone: '0612345678' })));
    expect(err.status).toBe(503);
    expect(err.code).toBe('busy');
    expect([...deps.contacts.claims.keys()]).toEqual(['email#ann@example.com']);
    expect(deps.contacts.items.size).toBe(0);
  });

  it('adopts a claim left behind without a contact (a crash between claim and put)', async () => {
    const deps = fakeDeps();
    deps.contacts.claims.set('email#ann@example.com', 'c_ghost');
    const res = await upsertContact(deps, input({ email: 'ann@example.com', firstName: 'Ann' }));
    expect(res.created).toBe(true);
    expect(res.contact.id).toBe('c_ghost');
    expect(await deps.contacts.get('c_ghost')).toMatchObject({ email: 'ann@example.com', firstName: 'Ann' });
    expect(deps.contacts.claims.get('email#ann@example.com')).toBe('c_ghost');
  });

  it('checks the home store, in the directory or in the given set', async () => {
    const deps = fakeDeps(['paris']);
    await expect(
      upsertContact(deps, input({ email: 'a@x.fr', homeStoreId: 'paris' })),
    ).resolves.toMatchObject({
      created: true,
    });
    const err = await appError(upsertContact(deps, input({ email: 'b@x.fr', homeStoreId: 'lyon' })));
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([{ path: 'homeStoreId', message: 'Unknown store "lyon"' }]);
    expect(await deps.contacts.ownerOf('email', 'b@x.fr')).toBeUndefined();
    await expect(
      upsertContact(deps, input({ email: 'c@x.fr', homeStoreId: 'lyon' }), new Set(['lyon'])),
    ).resolves.toMatchObject({ created: true });
  });

  it('brings an erased address back suppressed, with email consent denied', async () => {
    const deps = fakeDeps();
    const { contact } = await upsertContact(
      deps,
      input({
        email: 'ann@example.com',
        consent: { email: { status: 'granted', source: 'web', at: '2025-01-01T00:00:00Z' } },
      }),
    );
    await eraseContact(deps, contact.id);
    const again = await upsertContact(
      deps,
      input({
        email: 'ann@example.com',
        consent: { email: { status: 'granted', source: 'old file', at: '2025-03-01T00:00:00Z' } },
      }),
    );
    expect(again.created).toBe(true);
    expect(again.contact.id).not.toBe(contact.id);
    expect(again.contact.suppressed).toEqual(['email']);
    expect(again.contact.consent.email?.status).toBe('denied');
  });
});

describe('upsertContacts', () => {
  it('creates and updates many contacts with one bulk write', async () => {
    const deps = fakeDeps(['paris']);
    const ann = await upsertContact(deps, input({ email: 'ann@example.com', firstName: 'Ann' }));
    const outcomes = await upsertContacts(
      deps,
      [
        input({ email: 'ann@example.com', lastName: 'Martin' }),
        input({ phone: '0612345678', homeStoreId: 'paris' }),
      ],
      new Set(['paris']),
    );
    expect(outcomes).toEqual([
      {
        created: false,
        contact: expect.objectContaining({ id: ann.contact.id, firstName: 'Ann', lastName: 'Martin' }),
      },
      { created: true, contact: expect.objectContaining({ phone: '+33612345678', homeStoreId: 'paris' }) },
    ]);
    const created = outcomes[1];
    if (!created || 'error' in created) throw new Error('expected a result');
    expect(deps.contacts.claims.get('phone#+33612345678')).toBe(created.contact.id);
    expect([...(deps.contacts.holders.get('+33612345678') ?? [])]).toEqual([created.contact.id]);
  });

  it('reports an unknown store and an ambiguous phone per row, without failing the others', async () => {
    const deps = fakeDeps();
    await upsertContact(deps, input({ email: 'a@x.fr', phone: '0612345678' }));
    await upsertContact(deps, input({ email: 'b@x.fr', phone: '0612345678' }));
    const outcomes = await upsertContacts(
      deps,
      [
        input({ email: 'new@x.fr', homeStoreId: 'nowhere' }),
        input({ phone: '0612345678', firstName: 'Who' }),
        input({ email: 'ok@x.fr' }),
      ],
      new Set(),
    );
    const [bad, conflicting, ok] = outcomes;
    expect(bad && 'error' in bad && bad.error.issues).toEqual([
      { path: 'homeStoreId', message: 'Unknown store "nowhere"' },
    ]);
    expect(conflicting && 'error' in conflicting && conflicting.error.status).toBe(409);
    expect(ok && !('error' in ok) && ok.created).toBe(true);
    expect(await deps.contacts.ownerOf('email', 'new@x.fr')).toBeUndefined();
  });

  it('adopts a claim left without a contact', async () => {
    const deps = fakeDeps();
    deps.contacts.claims.set('email#a@x.fr', 'c_ghost');
    const [outcome] = await upsertContacts(deps, [input({ email: 'a@x.fr' })], new Set());
    expect(outcome).toMatchObject({ created: true, contact: { id: 'c_ghost' } });
    expect(deps.contacts.items.has('c_ghost')).toBe(true);
  });

  it('keeps suppressed addresses denied', async () => {
    const deps = fakeDeps();
    await deps.suppression.suppress({ phone: '+33612345678' }, 'STOP');
    const [outcome] = await upsertContacts(
      deps,
      [
        input({
          phone: '0612345678',
          consent: { sms: { status: 'granted', source: 'x', at: '2025-01-01T00:00:00Z' } },
        }),
      ],
      new Set(),
    );
    expect(outcome).toMatchObject({
      contact: { suppressed: ['sms'], consent: { sms: { status: 'denied' } } },
    });
  });

  it('falls back to one-by-one when a claim is lost', async () => {
    const deps = fakeDeps();
    const owner = await upsertContact(deps, input({ email: 'a@x.fr', firstName: 'Owner' }));
    // The batched read misses the email's owner; the conditional claim does not.
    vi.spyOn(deps.contacts, 'ownersOf').mockResolvedValue(new Map());
    const [outcome] = await upsertContacts(deps, [input({ email: 'a@x.fr', lastName: 'Martin' })], new Set());
    expect(outcome).toMatchObject({
      created: false,
      contact: { id: owner.contact.id, email: 'a@x.fr', firstName: 'Owner', lastName: 'Martin' },
    });
    expect(deps.contacts.items.size).toBe(1);
    expect(deps.contacts.claims.get('email#a@x.fr')).toBe(owner.contact.id);
  });

  it('gives a phone-only contact its first email, from the marketer’s file', async () => {
    const deps = fakeDeps();
    const phoneOnly = await upsertContact(deps, input({ phone: '0612345678', firstName: 'Owner' }));
    const [outcome] = await upsertContacts(
      deps,
      [input({ email: 'a@x.fr', phone: '0612345678', lastName: 'Martin' })],
      new Set(),
    );
    expect(outcome).toMatchObject({
      created: false,
      contact: { id: phoneOnly.contact.id, email: 'a@x.fr', firstName: 'Owner', lastName: 'Martin' },
    });
  });
});

describe('findContact', () => {
  it('finds a contact by id or by email, case-insensitively', async () => {
    const deps = fakeDeps();
    const { contact } = await upsertContact(deps, input({ email: 'ann@example.com' }));
    expect((await findContact(deps, contact.id))?.id).toBe(contact.id);
    expect((await findContact(deps, 'Ann@Example.com'))?.id).toBe(contact.id);
    expect(await findContact(deps, 'nobody@example.com')).toBeUndefined();
    expect(await findContact(deps, 'c_missing')).toBeUndefined();
  });
});

describe('eraseContact', () => {
  it('removes the contact, its claims and its purchases, and keeps the suppression', async () => {
    const deps = fakeDeps(['paris']);
    const { contact } = await upsertContact(deps, input({ email: 'ann@example.com', phone: '0612345678' }));
    await recordPurchase(deps, purchase({ contact: contact.id, ref: 'R1' }));
    expect(deps.purchases.items.size).toBe(1);

    await eraseContact(deps, contact.id);

    expect(await deps.contacts.get(contact.id)).toBeUndefined();
    expect(deps.contacts.claims.size).toBe(0);
    expect(deps.purchases.items.size).toBe(0);
    expect(
      await deps.suppression.suppressedChannels({ email: 'ann@example.com', phone: '+33612345678' }),
    ).toEqual(['email', 'sms']);
    expect(deps.suppression.entries.get('email#ann@example.com')?.reasons).toEqual(['erased']);
  });

  it('answers 404 for an unknown contact and suppresses nothing', async () => {
    const deps = fakeDeps();
    const err = await appError(eraseContact(deps, 'c_missing'));
    expect(err.status).toBe(404);
    expect(deps.suppression.entries.size).toBe(0);
  });

  it('does not release a claim another contact holds now', async () => {
    const deps = fakeDeps();
    const { contact } = await upsertContact(deps, input({ email: 'ann@example.com' }));
    deps.contacts.claims.set('email#ann@example.com', 'c_new_owner');
    await eraseContact(deps, contact.id);
    expect(deps.contacts.claims.get('email#ann@example.com')).toBe('c_new_owner');
  });
});

const purchase = (over: Partial<PurchaseInput> = {}): PurchaseInput => ({
  contact: 'ann@example.com',
  storeId: 'paris',
  amount: 42.5,
  currency: 'EUR',
  at: '2025-03-01T15:30:00+01:00',
  channel: 'store',
  ...over,
});
