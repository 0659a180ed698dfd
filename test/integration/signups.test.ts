import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

/**
 * Sign-ups in the shop, through the local stack: a store key signs a customer
 * up, the confirmation email lands in the local SES, the customer is not
 * mailable until the link's button is pressed, and mailable after.
 */
let s: TestStack;
let storeKey: string;
const from = { name: 'Maison Relance', address: 'bonjour@relance.test' };

beforeAll(async () => {
  s = await startTestStack();
  expect((await s.call('PUT', '/v1/stores/paris-11', { json: sampleStore() })).status).toBe(201);
  const key = await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris-11' } });
  expect(key.status).toBe(201);
  storeKey = key.body.key;
});
afterAll(() => s?.stop());

const signup = (json: unknown, key: string | null = storeKey) => s.call('POST', '/v1/signups', { json, key });

/** The path of the confirmation link in the email, `/optin/<token>`. */
function optinPath(mail: { text: string; html: string } | undefined): string {
  const url = /https?:\/\/\S+\/optin\/[\w.-]+/.exec(mail?.text ?? '')?.[0];
  expect(url, 'the confirmation link').toBeDefined();
  expect(mail?.html).toContain(`href="${url}"`);
  return new URL(url as string).pathname;
}

async function sendCampaign(tag: string) {
  const c = await s.call('POST', '/v1/campaigns', {
    json: {
      name: `Shop ${tag}`,
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: [tag] } },
      from,
    },
  });
  expect(c.status).toBe(201);
  expect((await s.call('POST', `/v1/campaigns/${c.body.id}/send`)).status).toBe(202);
  return waitForCampaign(s, c.body.id);
}

describe('POST /v1/signups', () => {
  it('signs a customer up in the shop, mailable only once they confirm by email', async () => {
    // Someone already on the list, so the campaigns have an audience either way.
    await s.call('PUT', '/v1/contacts', {
      json: { email: 'regular@example.fr', tags: ['signup'], consent: { email: consent() } },
    });

    const res = await signup({
      email: 'Zoe@Example.fr',
      phone: '06 11 22 33 44',
      firstName: 'Zoé',
      emailConsent: true,
      smsConsent: true,
    });
    // Accepted, saying what the shop may tell the customer and nothing of the file.
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ email: 'confirmation_requested', sms: 'granted' });
    const id = (await s.call('GET', '/v1/contacts?email=zoe%40example.fr')).body.id;
    expect(id).toMatch(/^c_/);
    const contact = (await s.call('GET', `/v1/contacts/${id}`)).body;
    expect(contact).toMatchObject({
      email: 'zoe@example.fr',
      phone: '+33611223344',
      firstName: 'Zoé',
      homeStoreId: 'paris-11',
      tags: ['signup'],
      consent: {
        email: { status: 'pending', source: 'store:paris-11' },
        sms: { status: 'granted', source: 'store:paris-11' },
      },
    });

    // The confirmation email, in French (the default), with the company's footer.
    const mails = await mailTo(s, 'zoe@example.fr');
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail?.subject).toBe('Confirmez votre inscription à Relance Demo');
    expect(mail?.text).toContain('Bonjour Zoé,');
    expect(mail?.text).toContain('Paris Oberkampf');
    expect(mail?.text).toContain('12 rue des Halles, 75001 Paris, France');
    expect(mail?.headers['List-Unsubscribe']).toBeUndefined();
    const path = optinPath(mail);
    const messages = (await s.call('GET', '/_local/messages', { key: null })).body.items;
    expect(messages.find((m: { to: string }) => m.to === 'zoe@example.fr')).toMatchObject({
      channel: 'email',
      from: expect.stringContaining('Relance Demo'),
    });

    // Pending is no consent: not counted by the preview, not targeted, not sent to.
    const preview = await s.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { any: ['signup'] } }, channel: 'email' },
    });
    expect(preview.body).toMatchObject({ count: 1, suppressed: 0 });
    const before = await sendCampaign('signup');
    expect(before.counts).toMatchObject({ targeted: 1, sent: 1, skipped: 0 });
    expect(await mailTo(s, 'zoe@example.fr')).toHaveLength(1);

    // The link: a GET only asks (link scanners follow GETs), a POST confirms.
    const page = await s.call('GET', path, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<form method="post"');
    expect(page.body).toContain('zoe@example.fr');
    expect(page.body).toContain('Je confirme mon inscription');
    expect((await s.call('GET', `/v1/contacts/${id}`)).body.consent.email.status).toBe('pending');

    const done = await s.call('POST', path, {
      key: null,
      body: '',
      type: 'application/x-www-form-urlencoded',
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain('votre inscription est confirmée');
    const confirmed = (await s.call('GET', `/v1/contacts/${id}`)).body;
    expect(confirmed.consent.email).toEqual({
      status: 'granted',
      source: 'optin:store:paris-11',
      at: expect.any(String),
    });
    expect(Date.now() - Date.parse(confirmed.consent.email.at)).toBeLessThan(60_000);
    const again = await s.call('POST', path, { key: null });
    expect(again.status).toBe(200);
    expect(again.body).toContain('déjà confirmée');

    // Now a campaign reaches them.
    const after = await sendCampaign('signup');
    expect(after.counts).toMatchObject({ targeted: 2, sent: 2 });
    expect(await mailTo(s, 'zoe@example.fr')).toHaveLength(2);

    // Signing up again changes nothing and sends nothing: the consent is granted.
    const repeat = await signup({ email: 'zoe@example.fr', emailConsent: true, smsConsent: false });
    expect(repeat.body).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    expect((await s.call('GET', `/v1/contacts/${id}`)).body.consent.email.status).toBe('granted');
    expect(await mailTo(s, 'zoe@example.fr')).toHaveLength(2);
  });

  it('sends the confirmation once while it is pending, in the customer’s language', async () => {
    const body = {
      email: 'sam@example.co.uk',
      firstName: 'Sam',
      locale: 'en-GB',
      emailConsent: true,
      smsConsent: false,
    };
    expect((await signup(body)).body).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    expect((await signup(body)).body).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    const mails = await mailTo(s, 'sam@example.co.uk');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Please confirm your subscription to Relance Demo');
    const page = await s.call('GET', optinPath(mails[0]), { key: null });
    expect(page.body).toContain('Confirm my subscription');
    expect(page.body).toContain('<html lang="en">');
  });

  it('keeps an unsubscribed address denied and sends it nothing', async () => {
    await s.call('PUT', '/v1/contacts', {
      json: { email: 'signup-leaver@example.fr', tags: ['leavers'], consent: { email: consent() } },
    });
    await sendCampaign('leavers');
    const unsubscribe = new URL(
      ((await mailTo(s, 'signup-leaver@example.fr'))[0]?.headers['List-Unsubscribe'] ?? '').slice(1, -1),
    );
    expect((await s.call('POST', unsubscribe.pathname, { key: null })).status).toBe(200);

    const res = await signup({
      email: 'signup-leaver@example.fr',
      firstName: 'Lou',
      emailConsent: true,
      smsConsent: false,
    });
    expect(res.status).toBe(202);
    // The same answer as for any address: a store key learns nothing of who unsubscribed.
    expect(res.body).toEqual({ email: 'confirmation_requested', sms: 'not_requested' });
    const leaver = (await s.call('GET', '/v1/contacts?email=signup-leaver%40example.fr')).body;
    expect(leaver.suppressed).toEqual(['email']);
    expect(leaver.consent.email.status).toBe('denied');
    // A known customer's data is not the shop's to change.
    expect(leaver.tags).toEqual(['leavers']);
    expect(leaver.firstName).toBeUndefined();
    expect(await mailTo(s, 'signup-leaver@example.fr')).toHaveLength(1); // the campaign only
  });

  it('is for store keys only, names the fields at fault, and 404s a tampered link', async () => {
    const marketer = await signup({ email: 'x@example.fr', emailConsent: true, smsConsent: false }, s.key);
    expect(marketer.status).toBe(403);
    expect(
      (await signup({ email: 'x@example.fr', emailConsent: true, smsConsent: false }, null)).status,
    ).toBe(401);

    const bad = await signup({ phone: '12', emailConsent: true, smsConsent: false, storeId: 'lyon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_error');
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['phone', 'storeId']);
    const empty = await signup({ firstName: 'Nobody', emailConsent: false, smsConsent: false });
    expect(empty.status).toBe(400);
    expect(empty.body.issues).toEqual([{ path: 'email', message: 'Give an email or a phone number' }]);
    const noAddress = await signup({ phone: '0611223345', emailConsent: true, smsConsent: true });
    expect(noAddress.body.issues).toEqual([
      { path: 'email', message: 'Email consent needs an email address' },
    ]);

    await signup({ email: 'tamper@example.fr', emailConsent: true, smsConsent: false });
    const path = optinPath((await mailTo(s, 'tamper@example.fr'))[0]);
    const tampered = `${path.slice(0, -3)}AAA`;
    for (const method of ['GET', 'POST']) {
      const res = await s.call(method, tampered, { key: null });
      expect(res.status).toBe(404);
      expect(res.body).toContain('Ce lien n’est pas valide.');
    }
    expect((await s.call('GET', '/v1/contacts?email=tamper%40example.fr')).body.consent.email.status).toBe(
      'pending',
    );
  });
});
