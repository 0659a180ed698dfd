/**
 * The customer file under a storm, against the real local stack (dynalite): for one address,
 * 100 concurrent upserts with varied phones, shop sign-ups, unsubscribes, STOPs and an erasure,
 * interleaved, three rounds. Whatever the order the store applies them in, once they are over:
 * one contact per address, `201` at most once (and only for a contact made after the erasure),
 * no claim or phone entry that outlives its contact's address, no consent decision undone, and
 * no erased record back.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../functions/domain/shared/tokens';
import { consent, sampleStore, startTestStack, type TestStack } from './helpers';

let s: TestStack;
let storeKey: string;
beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/paris', { json: sampleStore({ name: 'Paris' }) });
  storeKey = (await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris' } })).body.key;
});
afterAll(() => s?.stop());

const scan = async () =>
  (await s.doc.send(new ScanCommand({ TableName: s.deps.config.TABLE_NAME }))).Items ?? [];
const phoneOf = (round: number, i: number) => `+3367${round}${String(100_000 + i).slice(-6)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([1, 2, 3])('round %i of concurrent writes on one address', (round) => {
  it('keeps one person per address and every consent decision', async () => {
    const email = `storm${round}.${Date.now().toString(36)}@example.fr`;
    const first = phoneOf(round, 0);
    const created = await s.call('PUT', '/v1/contacts', {
      json: { email, phone: first, firstName: 'Original', consent: { email: consent(), sms: consent() } },
    });
    expect(created.status).toBe(201);
    const original = created.body.id as string;
    const unsubscribe = signToken(await s.deps.keyring(), 'unsubscribe', { c: 'cmp_storm', k: original });

    const upserts = Array.from({ length: 100 }, (_, i) =>
      s.call('PUT', '/v1/contacts', {
        json: { email, ...(i % 2 === 1 ? { phone: phoneOf(round, i) } : {}), firstName: `N${i}` },
      }),
    );
    const signups = Array.from({ length: 10 }, () =>
      s.call('POST', '/v1/signups', {
        key: storeKey,
        json: { email, emailConsent: true, smsConsent: false },
      }),
    );
    const unsubscribes = Array.from({ length: 5 }, () =>
      fetch(`${s.url}/u/${unsubscribe}`, { method: 'POST' }),
    );
    const stops = Array.from({ length: 5 }, () =>
      s.call('POST', '/_local/sms/inbound', { json: { from: first, body: 'STOP' } }),
    );
    // The erasure lands in the middle of the storm.
    const erasure = sleep(20 * round).then(() => s.call('DELETE', `/v1/contacts/${original}`));

    const [putResults, signupResults, unsubResults, stopResults, erased] = await Promise.all([
      Promise.all(upserts),
      Promise.all(signups),
      Promise.all(unsubscribes),
      Promise.all(stops),
      erasure,
    ]);
    for (const r of [...putResults, ...signupResults, ...stopResults])
      expect([200, 201, 202], JSON.stringify(r.body)).toContain(r.status);
    for (const r of unsubResults) expect(r.status).toBe(200);
    expect([204, 404]).toContain(erased.status);

    const items = await scan();
    const contacts = items.filter((i) => i.sk === 'CONTACT');
    const withEmail = contacts.filter((c) => c.email === email);

    // One person per address, and its claim points at it.
    expect(withEmail.length).toBeLessThanOrEqual(1);
    const claim = items.find((i) => i.pk === `EMAIL#${email}` && i.sk === 'CLAIM');
    if (withEmail[0]) expect(claim?.contactId).toBe(withEmail[0].id);
    else expect(claim).toBeUndefined();

    // 201 at most once, and only for a contact that is not the original (made after its erasure).
    const made = putResults.filter((r) => r.status === 201);
    expect(made.length).toBeLessThanOrEqual(1);
    if (made[0]) {
      expect(made[0].body.id).not.toBe(original);
      expect(withEmail[0]?.id).toBe(made[0].body.id);
    }

    // The erased record never comes back; whatever holds the address now is suppressed.
    if (erased.status === 204) {
      expect(contacts.some((c) => c.id === original)).toBe(false);
      if (withEmail[0]) {
        expect(withEmail[0].suppressed).toContain('email');
        expect(withEmail[0].consent.email.status).toBe('denied');
      }
    } else {
      // Not erased: the unsubscribe holds, and so does the STOP while it still has that number.
      const kept = contacts.find((c) => c.id === original);
      expect(kept?.consent.email.status).toBe('denied');
      expect(kept?.suppressed).toContain('email');
      if (kept?.phone === first) expect(kept.consent.sms.status).toBe('denied');
    }

    // No claim and no phone entry outlives its contact's address.
    const byId = new Map(contacts.map((c) => [c.id as string, c]));
    for (const claimItem of items.filter((i) => i.sk === 'CLAIM')) {
      if (claimItem.kind === 'email') expect(byId.get(claimItem.contactId)?.email).toBe(claimItem.value);
      if (claimItem.kind === 'phone') {
        for (const holder of claimItem.holders ?? []) expect(byId.get(holder)?.phone).toBe(claimItem.value);
        if (claimItem.contactId) expect(byId.get(claimItem.contactId)?.phone).toBe(claimItem.value);
      }
    }

    // The number that sent STOP is never texted again, whoever has it.
    const look = await s.call('GET', `/v1/contacts?phone=${encodeURIComponent(first)}`);
    for (const c of look.status === 200 ? look.body.items : []) expect(c.suppressed).toContain('sms');
  });
});
