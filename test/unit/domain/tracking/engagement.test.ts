import { describe, expect, it } from 'vitest';
import { keyringFromSecret } from '../../../../functions/domain/shared/hashing';
import { verifyToken } from '../../../../functions/domain/shared/tokens';
import { aggregateEngagement } from '../../../../functions/domain/tracking/engagement';
import type { EngagementEvent } from '../../../../functions/domain/tracking/events';
import {
  type ClickRef,
  machineReason,
  type OpenRef,
  trackLinks,
} from '../../../../functions/domain/tracking/links';
import { FakeEngagementRepository } from '../../../support/fakes';

const ring = keyringFromSecret('unit-test-secret-unit-test-secret-0001');
const ctx = {
  ring,
  baseUrl: 'https://mail.shop.example',
  campaignId: 'cmp_1',
  contactId: 'c_1',
  sentAt: 1_700_000_000_000,
};

describe('trackLinks', () => {
  const html =
    '<html><body><a href="https://shop.example/a?x=1&amp;y=2">A</a> <a class="b" href=\'https://shop.example/b\'>B</a>' +
    '<a href="https://mail.shop.example/u/tok">unsubscribe</a><a href="mailto:hi@shop.example">mail</a>' +
    '<a href="https://shop.example/a?x=1&amp;y=2">A again</a></body></html>';

  it('rewrites web links in order with tokens signed over campaign, contact, index and URL', () => {
    const out = trackLinks(html, ctx);
    const tokens = [...out.matchAll(/https:\/\/mail\.shop\.example\/t\/c\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(tokens).toHaveLength(3);
    const refs = tokens.map((t) => verifyToken<ClickRef>(ring, 'click', t));
    expect(refs.map((r) => [r?.i, r?.u])).toEqual([
      [0, 'https://shop.example/a?x=1&y=2'],
      [1, 'https://shop.example/b'],
      [2, 'https://shop.example/a?x=1&y=2'],
    ]);
    expect(refs[0]).toMatchObject({ c: 'cmp_1', k: 'c_1', t: 1_700_000_000 });
  });

  it('leaves unsubscribe, view-in-browser and non-web links alone, and adds one open pixel before </body>', () => {
    const out = trackLinks(html, ctx);
    expect(out).toContain('href="https://mail.shop.example/u/tok"');
    expect(out).toContain('href="mailto:hi@shop.example"');
    const pixel = /<img src="https:\/\/mail\.shop\.example\/t\/o\/([^"]+)"[^>]*\/><\/body>/.exec(out);
    expect(pixel).not.toBeNull();
    expect(verifyToken<OpenRef>(ring, 'open', pixel?.[1] as string)).toMatchObject({ c: 'cmp_1', k: 'c_1' });
    // A click token is not an open token, and the other way round.
    expect(verifyToken(ring, 'click', pixel?.[1] as string)).toBeUndefined();
  });
});

describe('machineReason', () => {
  const base = {
    method: 'GET',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15',
    sourceIp: '203.0.113.7',
    secondsSinceSend: 3600,
    kind: 'open' as const,
    tooSoonSeconds: 10,
  };
  it('takes a late GET from a mail client for a person', () => {
    expect(machineReason(base)).toBeUndefined();
    expect(machineReason({ ...base, kind: 'click', sourceIp: '17.58.0.1' })).toBeUndefined();
  });
  it.each([
    [{ method: 'HEAD' }, 'head_request'],
    [{ userAgent: 'Barracuda Sentinel' }, 'scanner'],
    [{ userAgent: 'python-requests/2.31' }, 'scanner'],
    [{ userAgent: '' }, 'scanner'],
    [{ sourceIp: '17.58.63.2' }, 'apple_privacy_proxy'],
    [{ secondsSinceSend: 2 }, 'too_soon'],
  ] as const)('flags %o as %s', (change, reason) => {
    expect(machineReason({ ...base, ...change })).toBe(reason);
  });
});

describe('token canonical form', () => {
  it('refuses a token whose last character only changes base64 padding bits', () => {
    const token = trackLinks('<a href="https://shop.example/x">x</a>', ctx).match(
      /\/t\/c\/([^"]+)"/,
    )?.[1] as string;
    expect(verifyToken(ring, 'click', token)).toBeDefined();
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    // 16 bytes encode to 22 characters: the last one carries 2 data bits and 4 spare ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1) as string);
    const sameBytes = alphabet[(last & 0b110000) | ((last + 1) & 0b001111)] as string;
    const variant = `${kid}.${payload}.${sig.slice(0, -1)}${sameBytes}`;
    expect(Buffer.from(variant.split('.')[2] as string, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyToken(ring, 'click', variant)).toBeUndefined();
  });
});

describe('aggregateEngagement', () => {
  /**
   * The shared in-memory EngagementRepository, with the send records the events are about; `counts`
   * and `names` are summed over every campaign.
   */
  function memoryStore() {
    const store = new FakeEngagementRepository();
    for (const [campaignId, contactId] of [
      ['cmp_1', 'c_1'],
      ['cmp_1', 'c_2'],
      ['cmp_b', 'c_1'],
    ] as const) {
      store.sends.put({ campaignId, contactId, status: 'sent', claimedAt: '2026-11-23T09:00:00.000Z' });
    }
    return {
      store,
      /** What the events table's stream delivers: events the tracking endpoints wrote first. */
      stream: async (events: EngagementEvent[]) => {
        for (const e of events) await store.recordEvent(e);
        return events;
      },
      get counts() {
        const all: Record<string, number> = {};
        for (const numbers of store.totals.values())
          for (const [k, v] of Object.entries(numbers)) all[k] = (all[k] ?? 0) + v;
        return all;
      },
      get names() {
        return Object.assign({}, ...store.names.values()) as Record<string, string>;
      },
      calls: () => store.countCalls.length,
    };
  }
  const ev = (over: Partial<EngagementEvent>): EngagementEvent => ({
    campaignId: 'cmp_1',
    contactId: 'c_1',
    kind: 'open',
    at: '2026-11-23T10:00:00.000Z',
    requestId: 'r1',
    ...over,
  });

  it('counts unique and total, people and machines, per link, with one counter write per campaign', async () => {
    const m = memoryStore();
    const batch = await m.stream([
      ev({ requestId: 'r1' }),
      ev({ requestId: 'r2' }),
      ev({ requestId: 'r3', machine: 'apple_privacy_proxy' }),
      ev({ requestId: 'r4', kind: 'click', link: 2, url: 'https://shop.example/x' }),
      ev({ requestId: 'r5', kind: 'click', link: 2, url: 'https://shop.example/x' }),
      ev({ requestId: 'r6', contactId: 'c_2', kind: 'click', link: 0, url: 'https://shop.example/y' }),
    ]);
    await aggregateEngagement({ engagement: m.store }, batch);
    expect(m.counts).toEqual({
      open_human: 2,
      open_unique_human: 1,
      open_machine: 1,
      open_unique_machine: 1,
      click_human: 3,
      click_unique_human: 2,
      link_2_human: 2,
      link_2_unique: 1,
      link_0_human: 1,
      link_0_unique: 1,
    });
    expect(m.names).toEqual({ link_2_url: 'https://shop.example/x', link_0_url: 'https://shop.example/y' });
    expect(m.calls()).toBe(1);
  });

  it('gives its claims back when a batch fails, so the retry counts everything once', async () => {
    const m = memoryStore();
    const count = m.store.count.bind(m.store);
    let fail = true;
    m.store.count = async (...args: Parameters<typeof count>) => {
      if (fail) throw new Error('throttled');
      return count(...args);
    };
    const batch = await m.stream([ev({ requestId: 'a' }), ev({ requestId: 'b', contactId: 'c_2' })]);
    await expect(aggregateEngagement({ engagement: m.store }, batch)).rejects.toThrow('throttled');
    fail = false;
    await aggregateEngagement({ engagement: m.store }, batch);
    expect(m.counts).toEqual({ open_human: 2, open_unique_human: 2 });
  });

  it('gives back only the campaign whose counter write failed, so the retry never counts the other twice', async () => {
    const m = memoryStore();
    const count = m.store.count.bind(m.store);
    let failB = true;
    m.store.count = async (
      campaignId: string,
      ...rest: [Record<string, number>, Record<string, string>?]
    ) => {
      if (campaignId === 'cmp_b' && failB) throw new Error('throttled');
      return count(campaignId, ...rest);
    };
    const batch = await m.stream([ev({ requestId: 'a1' }), ev({ requestId: 'b1', campaignId: 'cmp_b' })]);
    await expect(aggregateEngagement({ engagement: m.store }, batch)).rejects.toThrow('throttled');
    failB = false;
    await aggregateEngagement({ engagement: m.store }, batch);
    // Summed over both campaigns: one open each, never two for the first.
    expect(m.counts).toEqual({ open_human: 2, open_unique_human: 2 });
  });

  it('counts a redelivered batch once', async () => {
    const m = memoryStore();
    const batch = await m.stream([ev({ requestId: 'a' }), ev({ requestId: 'b' })]);
    await aggregateEngagement({ engagement: m.store }, batch);
    await aggregateEngagement({ engagement: m.store }, batch);
    expect(m.counts).toEqual({ open_human: 2, open_unique_human: 1 });
  });
});
