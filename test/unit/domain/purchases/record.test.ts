import { describe, expect, it, vi } from 'vitest';
import { type ContactInput, contactInputSchema } from '../../../../functions/domain/contacts/contact';
import { upsertContact } from '../../../../functions/domain/contacts/customer-file';
import type { PurchaseInput } from '../../../../functions/domain/purchases/purchase';
import { recordPurchase } from '../../../../functions/domain/purchases/record';
import { appError } from '../../../support/assertions';
import { type FakeDeps, fakeDeps } from '../../../support/fakes';

/** Inputs go through the API schema first, as they do in the handlers. */
const input = (raw: Record<string, unknown>): ContactInput => contactInputSchema('FR').parse(raw);

const purchase = (over: Partial<PurchaseInput> = {}): PurchaseInput => ({
  contact: 'ann@example.com',
  storeId: 'paris',
  amount: 42.5,
  currency: 'EUR',
  at: '2025-03-01T15:30:00+01:00',
  channel: 'store',
  ...over,
});

async function withContact(): Promise<{ deps: FakeDeps; id: string }> {
  const deps = fakeDeps(['paris', 'lyon']);
  const { contact } = await upsertContact(deps, input({ email: 'ann@example.com' }));
  return { deps, id: contact.id };
}

describe('recordPurchase', () => {
  it('records a purchase for a contact named by email and counts it in its channel', async () => {
    const { deps, id } = await withContact();
    const res = await recordPurchase(deps, purchase({ contact: 'Ann@Example.com', ref: 'T-1' }));
    expect(res.created).toBe(true);
    expect(res.purchase).toMatchObject({
      contactId: id,
      storeId: 'paris',
      amount: 42.5,
      currency: 'EUR',
      channel: 'store',
      ref: 'T-1',
      at: '2025-03-01T14:30:00.000Z',
      recordedAt: deps.clock.now().toISOString(),
    });
    expect(res.purchase).not.toHaveProperty('contact');
    const contact = await deps.contacts.get(id);
    expect(contact?.purchases).toEqual({ store: 1, web: 0, phone: 0 });
    expect(contact?.lastPurchaseAt).toBe('2025-03-01T14:30:00.000Z');
    expect((await deps.purchases.get(id, res.purchase.id))?.applied).toBe(true);
  });

  it('records a purchase for a contact named by id', async () => {
    const { deps, id } = await withContact();
    const res = await recordPurchase(deps, purchase({ contact: id, channel: 'web' }));
    expect(res.purchase.contactId).toBe(id);
    expect((await deps.contacts.get(id))?.purchases).toEqual({ store: 0, web: 1, phone: 0 });
  });

  it('answers 400 with path contact for an unknown contact', async () => {
    const { deps } = await withContact();
    for (const ref of ['nobody@example.com', 'c_missing']) {
      const err = await appError(recordPurchase(deps, purchase({ contact: ref })));
      expect(err.status).toBe(400);
      expect(err.issues).toEqual([{ path: 'contact', message: `Unknown contact "${ref}"` }]);
    }
    expect(deps.purchases.items.size).toBe(0);
  });

  it('answers 400 with path storeId for an unknown store', async () => {
    const { deps, id } = await withContact();
    const err = await appError(recordPurchase(deps, purchase({ storeId: 'marseille' })));
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([{ path: 'storeId', message: 'Unknown store "marseille"' }]);
    expect(deps.purchases.items.size).toBe(0);
    expect((await deps.contacts.get(id))?.purchases.store).toBe(0);
  });

  it('answers the same purchase for the same ref and does not count it twice', async () => {
    const { deps, id } = await withContact();
    const first = await recordPurchase(deps, purchase({ ref: 'T-1' }));
    deps.clock.advance(1000);
    const second = await recordPurchase(deps, purchase({ ref: 'T-1', amount: 99 }));
    expect(second.created).toBe(false);
    expect(second.purchase.id).toBe(first.purchase.id);
    expect(second.purchase.amount).toBe(42.5);
    expect(second.purchase.recordedAt).toBe(first.purchase.recordedAt);
    expect((await deps.contacts.get(id))?.purchases).toEqual({ store: 1, web: 0, phone: 0 });
    expect(deps.purchases.items.size).toBe(1);
  });

  it('counts once when a retry follows a crash between recording and counting', async () => {
    const { deps, id } = await withContact();
    vi.spyOn(deps.contacts, 'applyPurchase').mockRejectedValueOnce(new Error('network'));
    await expect(recordPurchase(deps, purchase({ ref: 'T-1' }))).rejects.toThrow('network');
    expect((await deps.contacts.get(id))?.purchases.store).toBe(0);

    const retry = await recordPurchase(deps, purchase({ ref: 'T-1' }));
    expect(retry.created).toBe(false);
    expect((await deps.contacts.get(id))?.purchases.store).toBe(1);
    await recordPurchase(deps, purchase({ ref: 'T-1' }));
    expect((await deps.contacts.get(id))?.purchases.store).toBe(1);
  });

  it('counts every purchase without a ref, and the same ref in two stores as two purchases', async () => {
    const { deps, id } = await withContact();
    await recordPurchase(deps, purchase());
    await recordPurchase(deps, purchase());
    await recordPurchase(deps, purchase({ ref: 'T-1' }));
    await recordPurchase(deps, purchase({ ref: 'T-1', storeId: 'lyon' }));
    expect((await deps.contacts.get(id))?.purchases.store).toBe(4);
    expect(deps.purchases.items.size).toBe(4);
  });

  it('keeps the latest purchase date whatever the recording order', async () => {
    const { deps, id } = await withContact();
    await recordPurchase(deps, purchase({ ref: 'A', at: '2025-03-05T10:00:00Z' }));
    await recordPurchase(deps, purchase({ ref: 'B', at: '2025-02-01T10:00:00Z', channel: 'phone' }));
    const contact = await deps.contacts.get(id);
    expect(contact?.lastPurchaseAt).toBe('2025-03-05T10:00:00.000Z');
    expect(contact?.purchases).toEqual({ store: 1, web: 0, phone: 1 });
  });
});
