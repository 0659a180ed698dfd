import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

let s: TestStack;
const HUMAN_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';

beforeAll(async () => {
  // Opens right after sending are normally a gateway's; the tests click at once, so the window is 0 here.
  s = await startTestStack({ env: { TRACK_TOO_SOON_SECONDS: '0' } });
  await s.call('PUT', '/v1/stores/lille', {
    json: sampleStore({ name: 'Lille', city: 'Lille', postcode: '59800' }),
  });
});
afterAll(() => s?.stop());

async function sendTo(tag: string, emails: string[]) {
  for (const email of emails) {
    await s.call('PUT', '/v1/contacts', {
      json: { email, firstName: 'Test', homeStoreId: 'lille', tags: [tag], consent: { email: consent() } },
    });
  }
  const c = await s.call('POST', '/v1/campaigns', {
    json: {
      name: `Tracking ${tag}`,
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: [tag] } },
      from: { name: 'Relance', address: 'hello@relance.test' },
      objective: { kpi: 'click_rate', target: 0.25 },
    },
  });
  await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
  await waitForCampaign(s, c.body.id);
  return c.body.id as string;
}

/** The tracked links and the open pixel of the message sent to one address. */
async function trackingOf(email: string) {
  const [m] = await mailTo(s, email);
  if (!m) throw new Error(`no mail to ${email}`);
  const clicks = [...m.html.matchAll(/href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[^"]+)"/g)].map(
    (x) => x[1] as string,
  );
  const open = /src="(http:\/\/127\.0\.0\.1:\d+\/t\/o\/[^"]+)"/.exec(m.html)?.[1] as string;
  return { clicks, open, html: m.html };
}

const hit = (url: string, init: RequestInit = {}) =>
  fetch(url, { redirect: 'manual', ...init, headers: { 'user-agent': HUMAN_UA, ...(init.headers ?? {}) } });

/** The report once the aggregator has seen every recorded event (the events table's stream, locally a queue). */
const report = async (id: string) => {
  await s.queues.engagement?.idle();
  return (await s.call('GET', `/v1/campaigns/${id}/report`)).body;
};

describe('tracking', () => {
  it('rewrites links and adds a pixel, but never tracks the unsubscribe link', async () => {
    const id = await sendTo('rewrite', ['rewrite@example.fr']);
    const t = await trackingOf('rewrite@example.fr');
    expect(t.clicks.length).toBeGreaterThanOrEqual(1);
    expect(t.open).toBeDefined();
    expect(t.html).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/u\//);
    expect(t.html).not.toContain('openstreetmap.org/search');
    expect(id).toMatch(/^cmp_/);
  });

  it('redirects a click to the signed URL only, and counts it for the right campaign, contact and link', async () => {
    const a = await sendTo('camp-a', ['a1@example.fr', 'a2@example.fr']);
    const b = await sendTo('camp-b', ['b1@example.fr']);
    const ta = await trackingOf('a1@example.fr');
    const tb = await trackingOf('b1@example.fr');
    // Both campaigns carry the same map link for the Lille shop.
    const mapLink = ta.clicks.length - 1;
    const res = await hit(ta.clicks[mapLink] as string);
    expect(res.status).toBe(302);
    const target = res.headers.get('location') as string;
    expect(target).toContain('openstreetmap.org/search');
    expect((await hit(tb.clicks[mapLink] as string)).headers.get('location')).toBe(target);
    await hit(ta.clicks[mapLink] as string);

    const ra = await report(a);
    expect(ra.clicked).toMatchObject({ uniqueHuman: 1, totalHuman: 2, uniqueMachine: 0 });
    expect(ra.links).toContainEqual(
      expect.objectContaining({ index: mapLink, url: target, uniqueHuman: 1, totalHuman: 2 }),
    );
    const rb = await report(b);
    expect(rb.clicked).toMatchObject({ uniqueHuman: 1, totalHuman: 1 });
    expect(ra.rates.click).toBeCloseTo(0.5);
    expect(ra.objective).toEqual({ kpi: 'click_rate', target: 0.25, actual: 0.5, met: true });

    await s.queues.engagement?.idle();
    const csv = (await s.call('GET', `/v1/campaigns/${a}/report.csv`)).body as string;
    const lines = csv.trim().split('\n');
    expect(lines[0]).toContain('contact_id,email,status,sent_at');
    expect(lines).toHaveLength(3);
    const a1 = lines.find((l) => l.includes('a1@example.fr')) as string;
    expect(a1).toMatch(/,sent,/);
    expect(a1.split(',')[11]).toBe(String(mapLink));
    expect(lines.find((l) => l.includes('a2@example.fr'))?.split(',')[9]).toBe('');
  });

  it('counts 50 concurrent opens of one message as 1 unique and 50 in total', async () => {
    const id = await sendTo('opens', ['opener@example.fr']);
    const { open } = await trackingOf('opener@example.fr');
    const results = await Promise.all(Array.from({ length: 50 }, () => hit(open)));
    expect(results.every((r) => r.status === 200 && r.headers.get('content-type') === 'image/gif')).toBe(
      true,
    );
    const r = await report(id);
    expect(r.opened).toMatchObject({ uniqueHuman: 1, totalHuman: 50 });
  });

  it('flags machines without dropping them: HEAD requests and link scanners', async () => {
    const id = await sendTo('machines', ['scanned@example.fr']);
    const t = await trackingOf('scanned@example.fr');
    expect((await hit(t.open, { method: 'HEAD' })).status).toBe(200);
    const scanned = await hit(t.clicks[0] as string, {
      headers: { 'user-agent': 'Barracuda Sentinel (EE)' },
    });
    expect(scanned.status).toBe(302);
    const r = await report(id);
    expect(r.opened).toMatchObject({ uniqueHuman: 0, uniqueMachine: 1, totalMachine: 1 });
    expect(r.clicked).toMatchObject({ uniqueHuman: 0, uniqueMachine: 1, totalMachine: 1 });
  });

  it('answers 1,000 random and mutated tokens with 404s: no redirect, no 5xx', async () => {
    await sendTo('fuzz', ['fuzz@example.fr']);
    const t = await trackingOf('fuzz@example.fr');
    const good = new URL(t.clicks[0] as string);
    const token = good.pathname.split('/').pop() as string;
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    const openToken = new URL(t.open).pathname.split('/').pop() as string;
    const random = (n: number) =>
      Array.from(
        { length: n },
        () =>
          'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'[Math.floor(Math.random() * 65)],
      ).join('');
    const flip = (str: string) => {
      const i = Math.floor(Math.random() * str.length);
      const c = str[i] === 'A' ? 'B' : 'A';
      return str.slice(0, i) + c + str.slice(i + 1);
    };
    const candidates: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const kind = i % 8;
      candidates.push(
        kind === 0
          ? random(10 + (i % 120))
          : kind === 1
            ? `${kid}.${flip(payload)}.${sig}`
            : kind === 2
              ? `${kid}.${payload}.${flip(sig)}`
              : kind === 3
                ? `k9.${payload}.${sig}`
                : kind === 4
                  ? openToken
                  : kind === 5
                    ? token.slice(0, Math.max(1, token.length - 1 - (i % 20)))
                    : kind === 6
                      ? `${kid}.${Buffer.from(JSON.stringify({ c: 'x', k: 'y', i: 0, u: 'https://evil.example', t: 0 })).toString('base64url')}.${sig}`
                      : encodeURIComponent(`${token}%00/../${random(5)}`),
      );
    }
    let redirects = 0;
    let errors = 0;
    for (let i = 0; i < candidates.length; i += 50) {
      const batch = await Promise.all(
        candidates.slice(i, i + 50).map((c) => hit(`${s.url}/t/c/${c}`).then((r) => r.status)),
      );
      redirects += batch.filter((st) => st >= 300 && st < 400).length;
      errors += batch.filter((st) => st >= 500).length;
      expect(batch.filter((st) => st !== 404)).toEqual([]);
    }
    expect({ redirects, errors }).toEqual({ redirects: 0, errors: 0 });
    expect((await hit(good.toString())).status).toBe(302);
  });

  it('turns SES deliveries and unsubscribes into report rows', async () => {
    const id = await sendTo('funnel', ['f1@example.fr', 'f2@example.fr']);
    for (const email of ['f1@example.fr', 'f2@example.fr']) {
      await s.call('POST', '/_local/ses-events', {
        key: null,
        json: { type: 'delivery', campaignId: id, email },
      });
    }
    const unsubscribe = ((await mailTo(s, 'f2@example.fr'))[0]?.headers['List-Unsubscribe'] ?? '').slice(
      1,
      -1,
    );
    await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    const r = await report(id);
    expect(r).toMatchObject({ targeted: 2, sent: 2, delivered: 2, unsubscribed: 1, rateBase: 'delivered' });
    expect(r.rates.delivery).toBe(1);
    expect(r.rates.unsubscribe).toBe(0.5);
    const csv = (await s.call('GET', `/v1/campaigns/${id}/report.csv`)).body as string;
    expect(
      csv
        .split('\n')
        .find((l) => l.includes('f2@example.fr'))
        ?.split(',')[12],
    ).toMatch(/^20\d\d-/);
  });
});

describe('recording failures', () => {
  it('still redirects when the event cannot be recorded', async () => {
    const broken = await startTestStack({
      env: { TRACK_TOO_SOON_SECONDS: '0' },
      overrides: {},
    });
    try {
      await broken.call('PUT', '/v1/stores/lille', { json: sampleStore() });
      await broken.call('PUT', '/v1/contacts', {
        json: {
          email: 'broken@example.fr',
          homeStoreId: 'lille',
          tags: ['broken'],
          consent: { email: consent() },
        },
      });
      const c = await broken.call('POST', '/v1/campaigns', {
        json: {
          name: 'b',
          channel: 'email',
          template: 'winback',
          segment: { tags: { any: ['broken'] } },
          from: { name: 'R', address: 'r@relance.test' },
        },
      });
      await broken.call('POST', `/v1/campaigns/${c.body.id}/send`);
      await waitForCampaign(broken, c.body.id);
      const [m] = await mailTo(broken, 'broken@example.fr');
      const link = /href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[^"]+)"/.exec(m?.html ?? '')?.[1] as string;
      // The events table disappears: every write of the recording fails.
      const fail = async () => {
        throw new Error('DynamoDB is down');
      };
      Object.assign(broken.deps.engagement, {
        recordEvent: fail,
        markFirst: fail,
        markLinkClicked: fail,
        count: fail,
      });
      const res = await fetch(link, { redirect: 'manual', headers: { 'user-agent': HUMAN_UA } });
      expect(res.status).toBe(302);
    } finally {
      await broken.stop();
    }
  });
});
