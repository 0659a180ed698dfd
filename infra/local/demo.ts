/**
 * `npm run demo`: a complete local run with no AWS account. Boots a fresh
 * in-memory stack on free ports, loads the sample shops and a few thousand
 * customers with their purchases through the public API, and prints what the
 * single customer database now knows.
 */
import pMap from 'p-map';
import { parseQuietHours, quietUntil } from '../../functions/domain/quiet-hours';
import type { Clock } from '../../functions/ports';
import { prng, sampleCustomers } from './samples/generate';
import stores from './samples/stores.json' with { type: 'json' };
import { startLocalStack } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CUSTOMERS = Number(process.env.RELANCE_DEMO_CUSTOMERS ?? 2000);
const started = Date.now();
const secs = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

// Promotional SMS wait out the quiet hours (21:00-08:00 in the customer's time zone). So that the demo
// shows an SMS campaign at any hour, a run at night plays on a clock moved to 11:00 in Paris.
const quiet = quietUntil(new Date(), 'Europe/Paris', parseQuietHours('21:00-08:00'));
const shiftMs = quiet ? quiet.getTime() + 3 * 3_600_000 - Date.now() : 0;
const clock: Clock = { now: () => new Date(Date.now() + shiftMs) };

const stack = await startLocalStack({
  port: 0,
  sesPort: 0,
  dataDir: ':memory:',
  bootstrapKey: 'demo-marketer-key-0001',
  sendRatePerSecond: 500,
  clock,
  // The simulated opens below come seconds after sending, which would otherwise flag them all as a
  // security gateway's; in real life people open later.
  env: { TRACK_TOO_SOON_SECONDS: '0' },
});
const api = async (method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(stack.url + path, {
    method,
    headers: { authorization: 'Bearer demo-marketer-key-0001', 'content-type': type },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  // biome-ignore lint/suspicious/noExplicitAny: the demo reads a few fields of known API responses
  return json as Record<string, any>;
};

try {
  console.log(`Relance demo — local stack at ${stack.url} (in memory)`);
  if (shiftMs) {
    console.log(
      `  (it is night in Paris: SMS quiet hours. The demo runs on a clock moved to ${clock.now().toISOString().slice(11, 16)} UTC)`,
    );
  }

  for (const { id, ...store } of stores) await api('PUT', `/v1/stores/${id}`, store);
  console.log(`• ${stores.length} shops loaded`);

  const now = clock.now();
  const sample = sampleCustomers(
    CUSTOMERS,
    stores.map((s) => s.id),
    now,
  );
  const imported = await api('POST', '/v1/contacts/import', sample.csv, 'text/csv');
  console.log(
    `• ${imported.created} customers imported from CSV (${imported.updated} updated, ${imported.rejected.length} rejected) [${secs()}]`,
  );

  let done = 0;
  let lastShown = 0;
  await pMap(
    sample.purchases,
    async ({ email, ...p }, i) => {
      await api('POST', '/v1/purchases', { ...p, contact: email, currency: 'EUR', ref: `demo-${i}` });
      done++;
      if (process.stdout.isTTY && Date.now() - lastShown > 250) {
        lastShown = Date.now();
        process.stdout.write(`\r• recording purchases… ${done}/${sample.purchases.length}`);
      }
    },
    { concurrency: 8 },
  );
  if (process.stdout.isTTY) process.stdout.write('\r');
  console.log(`• ${sample.purchases.length} purchases recorded by channel (store, web, phone) [${secs()}]`);

  // A short read-back through the API: the customer file as the marketer now sees it.
  const emails = sample.csv
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(',')[0] as string);
  const contacts = await pMap(emails, (e) => api('GET', `/v1/contacts?email=${encodeURIComponent(e)}`), {
    concurrency: 16,
  });
  const sixMonthsAgo = now.getTime() - 182 * 86_400_000;
  const perStore = new Map<string, { customers: number; lapsed: number; mailable: number }>();
  const channels = { store: 0, web: 0, phone: 0 };
  for (const c of contacts) {
    const row = perStore.get(c.homeStoreId) ?? { customers: 0, lapsed: 0, mailable: 0 };
    row.customers++;
    if (!c.lastPurchaseAt || Date.parse(c.lastPurchaseAt) < sixMonthsAgo) row.lapsed++;
    if (c.consent?.email?.status === 'granted') row.mailable++;
    perStore.set(c.homeStoreId, row);
    for (const k of Object.keys(channels) as (keyof typeof channels)[]) channels[k] += c.purchases?.[k] ?? 0;
  }

  console.log('\nCustomer file by home shop');
  console.log('  shop                        customers  email consent  no purchase for 6 months');
  for (const s of stores) {
    const r = perStore.get(s.id) ?? { customers: 0, lapsed: 0, mailable: 0 };
    console.log(
      `  ${s.name.padEnd(28)}${String(r.customers).padStart(9)}${String(r.mailable).padStart(15)}${String(r.lapsed).padStart(26)}`,
    );
  }
  console.log(
    `\nPurchases by response channel: store ${channels.store}, web ${channels.web}, phone ${channels.phone}`,
  );
  const lapsed = [...perStore.values()].reduce((n, r) => n + r.lapsed, 0);
  console.log(
    `${lapsed} customers have not bought for six months: the audience of a win-back ("relance") campaign.`,
  );

  // The win-back: the email that replaces the postal reminder, to every customer inactive for six months.
  const segment = { inactiveForDays: 182 };
  const preview = await api('POST', '/v1/segments/preview', { segment });
  console.log('\nWin-back campaign');
  console.log(
    `• segment "no purchase for 182 days" reaches ${preview.count} customers with email consent (${preview.suppressed} suppressed)`,
  );
  const campaign = await api('POST', '/v1/campaigns', {
    name: 'Relance — on ne vous a pas vu depuis 6 mois',
    channel: 'email',
    template: 'winback',
    segment,
    from: { name: 'Relance', address: 'bonjour@relance.example' },
    objective: { kpi: 'redemption_rate', target: 0.05 },
    offer: {
      kind: 'percent',
      value: 15,
      currency: 'EUR',
      minBasket: 30,
      validDays: 30,
      stores: 'all',
      description: { fr: '-15 % sur tout le magasin dès 30 €', en: '15% off everything from €30' },
    },
  });
  console.log(`• campaign ${campaign.id} created from template "winback" (${campaign.locales.join(', ')})`);
  await api('POST', `/v1/campaigns/${campaign.id}/send`);
  let status = await api('GET', `/v1/campaigns/${campaign.id}`);
  while (status.status === 'sending') {
    if (process.stdout.isTTY)
      process.stdout.write(`\r• sending… ${status.counts.sent}/${status.counts.targeted || '?'}`);
    await new Promise((r) => setTimeout(r, 250));
    status = await api('GET', `/v1/campaigns/${campaign.id}`);
  }
  if (process.stdout.isTTY) process.stdout.write('\r');
  const c = status.counts;
  console.log(
    `• ${status.status}: ${c.targeted} targeted, ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped (suppressed) [${secs()}]`,
  );

  const messages = (await api('GET', '/_local/messages')).items as {
    to: string;
    subject: string;
    headers: Record<string, string>;
    text: string;
    html: string;
  }[];
  const mail = messages[0];
  if (mail) {
    console.log(`\nOne of the ${messages.length} emails sent, as text:`);
    console.log(`  To: ${mail.to}`);
    console.log(`  Subject: ${mail.subject}`);
    console.log(`  List-Unsubscribe: ${mail.headers['List-Unsubscribe']?.slice(0, 70)}…`);
    const body = mail.text
      .split('\n')
      .filter((l) => l.trim())
      .slice(2, 14)
      .map((l) => `  | ${l.length > 100 ? `${l.slice(0, 97)}…` : l}`);
    console.log(body.join('\n'));
  }

  // What recipients do next, simulated: SES reports deliveries, some people open and click (through
  // the real tracking endpoints), a mail gateway scans some links, and one person unsubscribes.
  const rand = prng(2026);
  const human = {
    'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15',
  };
  const scanner = { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel)' };
  let simulated = 0;
  await pMap(
    messages,
    async (m) => {
      await fetch(`${stack.url}/_local/ses-events`, {
        method: 'POST',
        body: JSON.stringify({ type: 'delivery', campaignId: campaign.id, email: m.to }),
      });
      const pixel = /src="([^"]+\/t\/o\/[^"]+)"/.exec(m.html)?.[1];
      const links = [...m.html.matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((x) => x[1] as string);
      const r = rand();
      if (pixel && r < 0.38) await fetch(pixel, { headers: human });
      if (links.length && r < 0.09)
        await fetch(links[Math.floor(rand() * links.length)] as string, {
          headers: human,
          redirect: 'manual',
        });
      const printable = /href="([^"]+\/t\/c\/[^"]+)"[^>]*>\s*(?:Imprimer|Print)/.exec(m.html)?.[1];
      if (printable && r < 0.12) await fetch(printable, { headers: human });
      if (links[0] && rand() < 0.05) await fetch(links[0], { headers: scanner, redirect: 'manual' });
      simulated++;
      if (process.stdout.isTTY && simulated % 50 === 0)
        process.stdout.write(`\r• simulating opens and clicks… ${simulated}/${messages.length}`);
    },
    { concurrency: 8 },
  );
  if (process.stdout.isTTY) process.stdout.write('\r');
  const leaver = messages[1]?.headers['List-Unsubscribe']?.slice(1, -1);
  if (leaver) await fetch(leaver, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  // Some customers come back with their coupon: the shops' tills redeem them through the till API.
  const tillKeys = new Map<string, string>();
  for (const s of stores)
    tillKeys.set(s.id, (await api('POST', '/v1/keys', { role: 'store', storeId: s.id })).key);
  const homeOf = new Map(contacts.map((c) => [c.email as string, c.homeStoreId as string]));
  let redeemed = 0;
  for (const [i, m] of messages.entries()) {
    if (rand() >= 0.06) continue;
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(m.text)?.[1];
    const key = tillKeys.get(homeOf.get(m.to) ?? '');
    if (!code || !key) continue;
    const res = await fetch(`${stack.url}/v1/coupons/${code}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        receiptRef: `T-${i}`,
        basketAmount: Math.round((30 + rand() * 90) * 100) / 100,
        currency: 'EUR',
        channel: rand() < 0.85 ? 'store' : 'web',
      }),
    });
    if (res.ok) redeemed++;
  }
  console.log(`• ${redeemed} coupons redeemed at the tills of the four shops`);
  await stack.queues.coupons?.idle();
  await stack.queues.engagement?.idle();
  const report = await api('GET', `/v1/campaigns/${campaign.id}/report`);
  const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  console.log(`\nReport (simulated engagement) [${secs()}]`);
  console.log(
    `  delivered ${report.delivered} · bounced ${report.bounced} · unsubscribed ${report.unsubscribed}`,
  );
  console.log(
    `  opened: ${report.opened.uniqueHuman} people (${pct(report.rates.open)}), ${report.opened.uniqueMachine} machines`,
  );
  console.log(
    `  clicked: ${report.clicked.uniqueHuman} people (${pct(report.rates.click)}), ${report.clicked.uniqueMachine} machines`,
  );
  const k = report.coupons;
  console.log(
    `  coupons: ${k.issued} issued, ${k.viewed} viewed, ${k.redeemed} redeemed (${pct(k.redemptionRate)}), revenue ${k.revenue.toFixed(2)} €, average basket ${(k.averageBasket ?? 0).toFixed(2)} €`,
  );
  const ar = report.actionResponse[0];
  console.log(
    `  action → response (email): shop ${pct(ar.store)}, web ${pct(ar.web)}, clicked only ${pct(ar.clickOnly)}`,
  );
  console.log(
    `  objective redemption rate ≥ 5 %: ${pct(report.objective.actual)}, ${report.objective.met ? 'met' : 'not met'}`,
  );
  console.log(
    `  (GET ${'/v1/campaigns/'}${campaign.id}/report.html draws it; report.csv has one row per recipient)`,
  );
  // The second action channel: an SMS invitation to a private sale, for the shop's customers of the
  // last year who consented to SMS, with a coupon code and a short link to the printable coupon.
  const shop = stores[0] as (typeof stores)[number];
  const smsSegment = { homeStoreIds: [shop.id], purchasedWithinDays: 365 };
  const smsAudience = await api('POST', '/v1/segments/preview', { segment: smsSegment, channel: 'sms' });
  console.log(`\nSMS campaign: private sale at ${shop.name}`);
  console.log(`• segment reaches ${smsAudience.count} customers with SMS consent`);
  const smsCampaign = await api('POST', '/v1/campaigns', {
    name: `Vente privée — ${shop.name}`,
    channel: 'sms',
    template: 'store-event',
    segment: smsSegment,
    event: { title: 'Vente privée -20 %', date: 'samedi 10h-19h' },
    offer: {
      kind: 'percent',
      value: 20,
      currency: 'EUR',
      validDays: 7,
      stores: [shop.id],
      description: { fr: '-20 % sur tout', en: '20% off everything' },
    },
  });
  const estimate = smsCampaign.smsEstimate.fr;
  console.log(
    `• created: ${estimate.encoding}, ${estimate.characters} characters, ${estimate.segments} segment(s) per SMS${smsCampaign.warnings ? ` — ${smsCampaign.warnings.join('; ')}` : ''}`,
  );
  await api('POST', `/v1/campaigns/${smsCampaign.id}/send`);
  let smsStatus = await api('GET', `/v1/campaigns/${smsCampaign.id}`);
  while (smsStatus.status === 'sending') {
    await new Promise((r) => setTimeout(r, 200));
    smsStatus = await api('GET', `/v1/campaigns/${smsCampaign.id}`);
  }
  console.log(
    `• ${smsStatus.status}: ${smsStatus.counts.sent} SMS sent, ${smsStatus.counts.skipped} skipped [${secs()}]`,
  );
  const texts = stack.smsOutbox.sent.filter((m) => m.tags.campaignId === smsCampaign.id);
  if (texts[0]) {
    console.log(`\nOne of the ${texts.length} SMS (to ${texts[0].to}, ${texts[0].segments} segment(s)):`);
    console.log(
      texts[0].body
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  }
  // Receipts from the carriers (a few numbers no longer exist), clicks on the short links, one STOP.
  for (const [i, m] of texts.entries()) {
    const type = rand() < 0.03 ? 'invalid' : 'delivered';
    await fetch(`${stack.url}/_local/sms-events`, {
      method: 'POST',
      body: JSON.stringify({ type, campaignId: smsCampaign.id, phone: m.to, price: 0.0712 * m.segments }),
    });
    const short = /https?:\/\/\S+\/s\/[0-9A-Za-z]{11}/.exec(m.body)?.[0];
    if (short && type === 'delivered' && rand() < 0.2) {
      await fetch(short, { headers: human, redirect: 'manual' });
    }
    if (i === 0) {
      await fetch(`${stack.url}/_local/sms/inbound`, {
        method: 'POST',
        body: JSON.stringify({ from: m.to, body: 'STOP' }),
      });
    }
  }
  await stack.queues.engagement?.idle();
  const smsReport = (await api('GET', `/v1/campaigns/${smsCampaign.id}/report`)).sms;
  console.log(`\nSMS report (simulated receipts) [${secs()}]`);
  console.log(
    `  sent ${smsReport.sent} (${smsReport.segments} segments) · delivered ${smsReport.delivered} (${pct(smsReport.rates.delivery)}) · undelivered ${smsReport.undelivered}`,
  );
  console.log(
    `  clicked: ${smsReport.clicked.uniqueHuman} people (${pct(smsReport.rates.click)}) · 1 STOP reply (SMS consent revoked at once)`,
  );
  console.log(`  billed by the provider: ${(smsReport.costUsd ?? 0).toFixed(2)} USD`);
  console.log(
    `\nDemo finished in ${secs()}. With npm start, every message is at /_local/messages and in the SES mailbox.`,
  );
} finally {
  await stack.stop();
}
