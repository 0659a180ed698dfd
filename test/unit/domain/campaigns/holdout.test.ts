import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../../functions/domain/campaigns/campaign';
import { holdoutDraw, holdoutScope, isHeldOut } from '../../../../functions/domain/campaigns/holdout';
import { type PlannerDeps, planNextPage } from '../../../../functions/domain/campaigns/planner';
import { keyringFromSecret } from '../../../../functions/domain/shared/hashing';
import { type FakeDeps, fakeDeps } from '../../../support/fakes';
import { campaign, contact, content, NOW, ring } from './support';

describe('holdout assignment', () => {
  it('holds out 10% of 100,000 contacts within ±0.003, whatever their shop or locale', () => {
    const c = { id: 'cmp_h', holdout: { share: 0.1 } } as Pick<Campaign, 'id' | 'holdout'>;
    const shops = ['paris', 'lyon', 'lille', 'nantes'];
    const locales = ['fr', 'en'];
    const held = new Map<string, { n: number; held: number }>();
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = `c_${i.toString(36)}`;
      const h = isHeldOut(ring, c, id);
      if (h) total++;
      // A contact's shop and locale come from elsewhere: the draw never sees them.
      const group = `${shops[i % 4]}/${locales[(i >> 2) % 2]}`;
      const g = held.get(group) ?? { n: 0, held: 0 };
      g.n++;
      if (h) g.held++;
      held.set(group, g);
    }
    expect(Math.abs(total / 100_000 - 0.1)).toBeLessThan(0.003);
    // Each of the 8 groups (12,500 contacts): within 4 standard errors of 10% (sd ≈ 0.0027).
    for (const [group, g] of held) expect(Math.abs(g.held / g.n - 0.1), group).toBeLessThan(0.011);
  });

  it('is the same for a contact every time, and the same for every run of an automation', () => {
    const a = { id: 'cmp_1', automation: { id: 'aut_1', step: 0, runDay: '2026-01-01' } } as Campaign;
    const b = { id: 'cmp_2', automation: { id: 'aut_1', step: 0, runDay: '2026-01-02' } } as Campaign;
    expect(holdoutScope(a)).toBe(holdoutScope(b));
    for (let i = 0; i < 200; i++) {
      expect(holdoutDraw(ring, holdoutScope(a), `c_${i}`)).toBe(holdoutDraw(ring, holdoutScope(b), `c_${i}`));
    }
    // Another campaign draws other people.
    const other = Array.from({ length: 200 }, (_, i) => holdoutDraw(ring, 'campaign:x', `c_${i}`));
    const mine = Array.from({ length: 200 }, (_, i) => holdoutDraw(ring, holdoutScope(a), `c_${i}`));
    expect(other).not.toEqual(mine);
  });

  it('does not move anyone when a key is added to the keyring (the first key draws)', () => {
    const rotated = keyringFromSecret(
      JSON.stringify({ current: 'k9', keys: { ...ring.keys, k9: 'another-secret-another-secret-0009' } }),
    );
    for (let i = 0; i < 100; i++)
      expect(holdoutDraw(rotated, 's', `c_${i}`)).toBe(holdoutDraw(ring, 's', `c_${i}`));
  });

  it('holds out nobody at share 0 or without a holdout', () => {
    for (let i = 0; i < 1000; i++) {
      expect(isHeldOut(ring, { id: 'x', holdout: { share: 0 } }, `c_${i}`)).toBe(false);
      expect(isHeldOut(ring, { id: 'x' }, `c_${i}`)).toBe(false);
    }
  });
});

describe('planning with a holdout', () => {
  type Deps = FakeDeps & PlannerDeps;
  async function given(n: number, over: Partial<Campaign> = {}): Promise<Deps> {
    const f = fakeDeps();
    f.clock.set(NOW);
    const deps: Deps = { ...f, pageSize: 500, recipientsPerJob: 100, keyring: async () => ring };
    await deps.campaigns.create(
      campaign({ plan: { done: false }, holdout: { share: 0.2 }, ...over }),
      content(),
    );
    for (let i = 0; i < n; i++) deps.contacts.items.set(`c_${i}`, contact(`c_${i}`));
    return deps;
  }

  it('records the holdout, sends them nothing, and counts them apart from the targeted', async () => {
    const deps = await given(1000);
    while ((await planNextPage(deps, { campaignId: 'cmp_1' })) === 'planned');
    const c = await deps.campaigns.get('cmp_1');
    const queued = deps.sendQueue.jobs.flatMap((j) => j.contactIds);
    const held = [...(deps.sends.items.get('cmp_1')?.values() ?? [])].filter((r) => r.status === 'holdout');
    expect(held.length).toBe(c?.counts.holdout);
    expect(held.length).toBeGreaterThan(150);
    expect(held.length).toBeLessThan(250);
    expect(c?.counts.targeted).toBe(1000 - held.length);
    expect(queued).toHaveLength(1000 - held.length);
    for (const r of held) {
      expect(queued).not.toContain(r.contactId);
      expect(r.claimedAt).toBe(NOW.toISOString());
      expect(isHeldOut(ring, c as Campaign, r.contactId)).toBe(true);
    }
  });

  it('counts a page once when its planning message comes twice', async () => {
    const deps = await given(300, { plan: { done: false } });
    const stale = structuredClone(await deps.campaigns.get('cmp_1'));
    expect(await planNextPage(deps, { campaignId: 'cmp_1' })).toBe('done');
    const first = (await deps.campaigns.get('cmp_1'))?.counts.holdout;
    // The same page planned again from the same cursor (a redelivered message): nothing added.
    deps.campaigns.items.set('cmp_1', stale as Campaign);
    await planNextPage(deps, { campaignId: 'cmp_1' });
    const held = [...(deps.sends.items.get('cmp_1')?.values() ?? [])].filter((r) => r.status === 'holdout');
    expect(held.length).toBe(first);
  });

  it('never holds out someone who could not be messaged: they are skipped as before', async () => {
    const deps = await given(0);
    for (let i = 0; i < 200; i++)
      deps.contacts.items.set(`c_${i}`, contact(`c_${i}`, i % 2 ? { suppressed: ['email'] } : {}));
    await planNextPage(deps, { campaignId: 'cmp_1' });
    const held = [...(deps.sends.items.get('cmp_1')?.values() ?? [])].filter((r) => r.status === 'holdout');
    for (const r of held) expect(Number(r.contactId.slice(2)) % 2).toBe(0);
    const c = await deps.campaigns.get('cmp_1');
    expect(c?.counts.skipped).toBe(100);
  });
});
