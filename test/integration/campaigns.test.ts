import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

let s: TestStack;
const from = { name: 'Maison Relance', address: 'bonjour@relance.test' };

beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/lyon', {
    json: sampleStore({
      name: 'Maison Lyon',
      address: '8 quai Saint-Antoine',
      city: 'Lyon',
      postcode: '69002',
      openingHours: { sat: ['10:00-19:00'] },
    }),
  });
});
afterAll(() => s?.stop());

/** A contact for these tests; `tag` keeps each test's audience apart. */
async function contact(email: string, tag: string, over: Record<string, unknown> = {}) {
  const res = await s.call('PUT', '/v1/contacts', {
    json: {
      email,
      firstName: email.split('@')[0],
      homeStoreId: 'lyon',
      tags: [tag],
      consent: { email: consent() },
      ...over,
    },
  });
  expect(res.status).toBeLessThan(300);
  return res.body as { id: string };
}

async function campaign(tag: string, over: Record<string, unknown> = {}) {
  const res = await s.call('POST', '/v1/campaigns', {
    json: {
      name: `Relance ${tag}`,
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: [tag] } },
      from,
      ...over,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; status: string };
}

describe('templates', () => {
  it('lists the shipped templates with their locales', async () => {
    const res = await s.call('GET', '/v1/templates');
    expect(res.status).toBe(200);
    const names = res.body.items.map(
      (t: { name: string; locales: string[] }) => `${t.name}:${t.locales.join('+')}`,
    );
    expect(names).toEqual(expect.arrayContaining(['winback:en+fr', 'store-event:en+fr']));
  });

  it('previews a template for a contact, escaped, with a text part generated from the HTML', async () => {
    const c = await contact('preview@example.fr', 'preview', { firstName: '<b>Zoé</b>', locale: 'fr' });
    const res = await s.call('POST', '/v1/templates/winback/preview', { json: { contactId: c.id } });
    expect(res.status).toBe(200);
    expect(res.body.locale).toBe('fr');
    expect(res.body.subject).toContain('<b>Zoé</b>');
    expect(res.body.html).toContain('&lt;b&gt;Zoé&lt;/b&gt;');
    expect(res.body.html).not.toContain('<b>Zoé</b>');
    expect(res.body.html).toContain('8 quai Saint-Antoine');
    expect(res.body.text).toContain('Maison Lyon');
    expect(res.body.text).not.toMatch(/<(table|div|td|a|p|span)[\s>]/i);

    const sample = await s.call('POST', '/v1/templates/store-event/preview', {
      json: { contact: { firstName: 'Sam', locale: 'en-GB' }, event: { title: 'Autumn evening' } },
    });
    expect(sample.body.locale).toBe('en');
    expect(sample.body.subject).toContain('Autumn evening');
    expect((await s.call('POST', '/v1/templates/nope/preview', { json: {} })).status).toBe(404);
  });
});

describe('segments', () => {
  it('counts who a segment reaches, with consent required and suppressed contacts left out', async () => {
    await contact('seg1@example.fr', 'seg');
    await contact('seg2@example.fr', 'seg', { locale: 'en' });
    await contact('seg3@example.fr', 'seg', { consent: { email: consent('denied') } });
    const res = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { any: ['seg'] } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    expect(res.body.sample.map((c: { email: string }) => c.email).sort()).toEqual([
      'seg1@example.fr',
      'seg2@example.fr',
    ]);
    const en = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { all: ['seg'] }, locale: 'en' } },
    });
    expect(en.body.count).toBe(1);
    const bad = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { inactiveForDays: -3, colour: 'x' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'segment.colour',
      'segment.inactiveForDays',
    ]);
  });
});

describe('campaigns', () => {
  it('refuses a campaign with an unknown template or bad fields, naming them', async () => {
    const res = await s.call('POST', '/v1/campaigns', {
      json: { name: 'x', channel: 'email', template: 'nope', segment: {}, from },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('template');
    const bad = await s.call('POST', '/v1/campaigns', {
      json: {
        name: '',
        channel: 'fax',
        template: 'winback',
        segment: {},
        from: { name: 'x', address: 'nope' },
      },
    });
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'channel',
      'from.address',
      'name',
    ]);
  });

  it('sends a personalised campaign once, with RFC 8058 headers, a visible unsubscribe link and the postal address', async () => {
    for (let i = 0; i < 12; i++)
      await contact(`send${i}@example.fr`, 'send', { locale: i % 2 ? 'en' : 'fr' });
    await contact('nosend@example.fr', 'send', { consent: { email: consent('denied') } });
    const c = await campaign('send', { objective: { kpi: 'open_rate', target: 0.3 } });
    expect(c.status).toBe('draft');

    const [first, second] = await Promise.all([
      s.call('POST', `/v1/campaigns/${c.id}/send`),
      s.call('POST', `/v1/campaigns/${c.id}/send`),
    ]);
    expect([first.status, second.status]).toEqual([202, 202]);
    const done = await waitForCampaign(s, c.id);
    expect(done.counts).toMatchObject({ targeted: 12, sent: 12, failed: 0, skipped: 0, pending: 0 });
    expect(done.completedAt).toEqual(expect.any(String));
    expect((await s.call('POST', `/v1/campaigns/${c.id}/send`)).status).toBe(409);

    const fr = await mailTo(s, 'send0@example.fr');
    expect(fr).toHaveLength(1);
    const m = fr[0] as NonNullable<(typeof fr)[0]>;
    expect(m.subject).toContain('send0');
    expect(m.headers['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/k1\.[\w-]+\.[\w-]+>$/);
    expect(m.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribeUrl = m.headers['List-Unsubscribe']?.slice(1, -1) as string;
    expect(m.html).toContain(unsubscribeUrl);
    expect(m.html).toContain('12 rue des Halles, 75001 Paris');
    expect(m.text).toContain(unsubscribeUrl);
    expect((await mailTo(s, 'send1@example.fr'))[0]?.html).toContain('lang="en"');
    expect(await mailTo(s, 'nosend@example.fr')).toHaveLength(0);

    // The view-in-browser link renders the message as this recipient received it.
    const view = /\/v\/[\w.-]+/.exec(m.text)?.[0] as string;
    const page = await s.call('GET', view, { key: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('send0');
  });

  it('pauses, resumes and cancels, refusing what the status does not allow', async () => {
    await contact('steer@example.fr', 'steer');
    const c = await campaign('steer');
    expect((await s.call('POST', `/v1/campaigns/${c.id}/pause`)).status).toBe(409);
    expect((await s.call('POST', `/v1/campaigns/${c.id}/resume`)).status).toBe(409);
    const cancelled = await s.call('POST', `/v1/campaigns/${c.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await s.call('POST', `/v1/campaigns/${c.id}/cancel`)).status).toBe(200);
    const send = await s.call('POST', `/v1/campaigns/${c.id}/send`);
    expect(send.status).toBe(409);
    expect(send.body.error).toBe('conflict');
    expect((await s.call('POST', '/v1/campaigns/cmp_nope/send')).status).toBe(404);
    const list = await s.call('GET', '/v1/campaigns?limit=100');
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
  });
});

describe('unsubscribe and suppression', () => {
  it('asks on GET, unsubscribes on POST, 404s a tampered token, and skips the contact in the next campaign', async () => {
    await contact('leaver@example.fr', 'leave');
    await contact('stayer@example.fr', 'leave');
    const first = await campaign('leave');
    await s.call('POST', `/v1/campaigns/${first.id}/send`);
    await waitForCampaign(s, first.id);
    const url = new URL(
      ((await mailTo(s, 'leaver@example.fr'))[0]?.headers['List-Unsubscribe'] ?? '').slice(1, -1),
    );

    const page = await s.call('GET', url.pathname, { key: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect((await s.call('GET', '/v1/contacts?email=leaver%40example.fr')).body.suppressed).toEqual([]);

    const tampered = `${url.pathname.slice(0, -3)}AAA`;
    expect((await s.call('POST', tampered, { key: null })).status).toBe(404);
    expect((await s.call('GET', '/u/k1.e30.AAAAAAAAAAAAAAAAAAAAAA', { key: null })).status).toBe(404);

    const done = await s.call('POST', url.pathname, {
      key: null,
      body: 'List-Unsubscribe=One-Click',
      type: 'application/x-www-form-urlencoded',
    });
    expect(done.status).toBe(200);
    const leaver = (await s.call('GET', '/v1/contacts?email=leaver%40example.fr')).body;
    expect(leaver.suppressed).toEqual(['email']);
    expect(leaver.consent.email.status).toBe('denied');

    const second = await campaign('leave');
    await s.call('POST', `/v1/campaigns/${second.id}/send`);
    const after = await waitForCampaign(s, second.id);
    expect(after.counts).toMatchObject({ targeted: 2, sent: 1, skipped: 1 });
    expect(await mailTo(s, 'leaver@example.fr')).toHaveLength(1);
    expect(await mailTo(s, 'stayer@example.fr')).toHaveLength(2);
  });

  it('suppresses on a hard bounce or a complaint from SES events, and counts soft bounces', async () => {
    for (const who of ['hard', 'soft', 'angry']) await contact(`${who}@example.fr`, 'bounce');
    const c = await campaign('bounce');
    await s.call('POST', `/v1/campaigns/${c.id}/send`);
    await waitForCampaign(s, c.id);
    const event = (type: string, email: string) =>
      s.call('POST', '/_local/ses-events', { key: null, json: { type, email, campaignId: c.id } });
    expect((await event('bounce', 'hard@example.fr')).status).toBe(202);
    expect((await event('soft-bounce', 'soft@example.fr')).status).toBe(202);
    expect((await event('complaint', 'angry@example.fr')).status).toBe(202);
    expect((await event('delivery', 'soft@example.fr')).status).toBe(202);
    const dup = await event('bounce', 'hard@example.fr');
    expect(dup.body).toEqual({ status: 'duplicate' });

    const get = async (e: string) =>
      (await s.call('GET', `/v1/contacts?email=${encodeURIComponent(e)}`)).body;
    expect((await get('hard@example.fr')).suppressed).toEqual(['email']);
    expect((await get('angry@example.fr')).suppressed).toEqual(['email']);
    expect((await get('soft@example.fr')).suppressed).toEqual([]);
    const stats = (await s.call('GET', `/v1/campaigns/${c.id}`)).body.stats;
    expect(stats).toEqual({ bounced: 1, softBounced: 1, complained: 1, delivered: 1 });

    const next = await campaign('bounce');
    await s.call('POST', `/v1/campaigns/${next.id}/send`);
    expect((await waitForCampaign(s, next.id)).counts).toMatchObject({ targeted: 3, sent: 1, skipped: 2 });
  });
});
