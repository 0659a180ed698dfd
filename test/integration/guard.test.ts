import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleStore, startTestStack, type TestStack, waitFor, waitForCampaign } from './helpers';

let s: TestStack;
const from = { name: 'Maison Relance', address: 'bonjour@relance.test' };

beforeAll(async () => {
  // A guard that acts after 20 delivered (5% bounces, 1% complaints after 50), and a slow send.
  s = await startTestStack({
    sendRatePerSecond: 25,
    env: {
      GUARD_MIN_DELIVERED: '20',
      GUARD_MIN_DELIVERED_COMPLAINTS: '50',
      GUARD_COMPLAINT_RATE: '0.01',
    },
  });
  await s.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Maison Lyon' }) });
});
afterAll(() => s?.stop());

async function audience(tag: string, n: number) {
  const rows = Array.from({ length: n }, (_, i) => `${tag}${i}@example.fr,oui,${tag}`);
  const res = await s.call('POST', '/v1/contacts/import', {
    body: ['email,email_consent,tags', ...rows].join('\n'),
    type: 'text/csv',
  });
  expect(res.body.created).toBe(n);
  const c = await s.call('POST', '/v1/campaigns', {
    json: { name: tag, channel: 'email', template: 'winback', segment: { tags: { any: [tag] } }, from },
  });
  expect((await s.call('POST', `/v1/campaigns/${c.body.id}/send`)).status).toBe(202);
  return c.body.id as string;
}

/** The addresses emailed so far by a campaign. */
async function emailed(tag: string, atLeast: number) {
  return waitFor(async () => {
    const items = (await s.call('GET', '/_local/messages', { key: null })).body.items as {
      to: string;
      headers: Record<string, string>;
    }[];
    const mine = items.map((m) => m.to).filter((a) => a.startsWith(tag));
    return mine.length >= atLeast ? mine : undefined;
  });
}

const ses = (type: string, email: string, campaignId: string) =>
  s.call('POST', '/_local/ses-events', { key: null, json: { type, email, campaignId } });

describe('the deliverability guard', () => {
  it('pauses a campaign whose hard bounces pass 5% of delivered, and resumes only with an override', async () => {
    const id = await audience('bounce', 200);
    const sent = (await emailed('bounce', 30)).slice(0, 30);
    for (const a of sent.slice(0, 24)) expect((await ses('delivery', a, id)).status).toBe(202);
    // 2 bounces of 24 delivered: 8.3%.
    for (const a of sent.slice(24, 26)) await ses('bounce', a, id);
    const paused = await waitFor(async () => {
      const c = (await s.call('GET', `/v1/campaigns/${id}`)).body;
      return c.status === 'paused' ? c : undefined;
    });
    expect(paused.pausedReason).toMatch(
      /^Deliverability guard: hard bounces are 7\.69% of 26 emails \(limit 5%\)/,
    );
    expect(paused.counts.sent).toBeLessThan(200);

    const refused = await s.call('POST', `/v1/campaigns/${id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.body.issues[0].path).toBe('override');
    expect((await s.call('GET', `/v1/campaigns/${id}`)).body.status).toBe('paused');

    expect((await s.call('POST', `/v1/campaigns/${id}/resume?override=true`)).status).toBe(202);
    // Overridden: another bounce does not pause it again.
    await ses('bounce', sent[26] as string, id);
    expect((await s.call('GET', `/v1/campaigns/${id}`)).body.status).not.toBe('paused');
    const done = await waitForCampaign(s, id);
    expect(done.counts.sent + done.counts.skipped).toBe(200);
  }, 60_000);

  it('pauses on complaints past their limit, not on a few below the minimum', async () => {
    const id = await audience('angry', 150);
    const sent = (await emailed('angry', 60)).slice(0, 60);
    // One complaint among 10 delivered: under the minimum of 50 delivered, nothing happens.
    for (const a of sent.slice(0, 10)) await ses('delivery', a, id);
    await ses('complaint', sent[10] as string, id);
    expect((await s.call('GET', `/v1/campaigns/${id}`)).body.status).not.toBe('paused');
    for (const a of sent.slice(11, 55)) await ses('delivery', a, id);
    expect((await ses('complaint', sent[55] as string, id)).status).toBe(202);
    const c = (await s.call('GET', `/v1/campaigns/${id}`)).body;
    expect(c.status).toBe('paused');
    expect(c.pausedReason).toMatch(/^Deliverability guard: complaints are /);
    await s.call('POST', `/v1/campaigns/${id}/cancel`);
  }, 60_000);
});
