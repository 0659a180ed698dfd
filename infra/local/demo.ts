/**
 * `npm run demo`: a complete local run with no AWS account. Boots a fresh
 * in-memory stack on free ports, loads the sample shops and a few thousand
 * customers with their purchases through the public API, and prints what the
 * single customer database now knows.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import pMap from 'p-map';
import type { Clock } from '../../functions/domain/shared/ports';
import { DEFAULT_TIME_ZONE, localDay, localInstant } from '../../functions/domain/shared/time';
import { prng, sampleCustomers, sampleReceiptsCsv } from './samples/generate';
import stores from './samples/stores.json' with { type: 'json' };
import { startLocalStack } from './stack';

/** The demo's shops are in France: its days start at 10:30 there. */
const DEMO_TIME_ZONE = DEFAULT_TIME_ZONE;

const CUSTOMERS = Number(process.env.RELANCE_DEMO_CUSTOMERS ?? 2000);
const DEMO_KEY = 'demo-marketer-key-0001';
/** Receipts of customers the shops do not know: their traffic, the baseline of a visit count. */
const ANONYMOUS_RECEIPTS = Math.round(CUSTOMERS * 1.5);
const started = Date.now();
const secs = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

// The demo plays several days of the win-back journey on its own clock: it starts at 10:30 in Paris
// today (after the automation's 10:00 run, outside the SMS quiet hours) and moves forward by days.
let offset =
  localInstant(localDay(new Date(), DEMO_TIME_ZONE), '10:30', DEMO_TIME_ZONE).getTime() - Date.now();
const clock: Clock & { advance(ms: number): void } = {
  now: () => new Date(Date.now() + offset),
  advance: (ms) => {
    offset += ms;
  },
};

const stack = await startLocalStack({
  port: 0,
  sesPort: 0,
  dataDir: ':memory:',
  bootstrapKey: DEMO_KEY,
  sendRatePerSecond: 500,
  clock,
  // The simulated opens below come seconds after sending, which would otherwise flag them all as a
  // security gateway's; in real life people open later.
  // At most 2 marketing messages per customer per 7 days: the journey's email and SMS fit.
  env: { TRACK_TOO_SOON_SECONDS: '0', FREQUENCY_CAP: '2/7' },
});
const api = async (method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(stack.url + path, {
    method,
    headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': type },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  // biome-ignore lint/suspicious/noExplicitAny: the demo reads a few fields of known API responses
  return json as Record<string, any>;
};

try {
  console.log(`Relance demo — local stack at ${stack.url} (in memory)`);
  console.log(
    `  (its clock starts at ${clock.now().toISOString().slice(0, 16)}Z, 10:30 in Paris, and moves by days)`,
  );

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

  // The purchase history as the tills export it, imported as a job: uploaded to the (local) S3
  // bucket, read by the import worker in batches, followed here as it goes.
  const receipts = sampleReceiptsCsv(
    sample.purchases,
    stores.map((s) => s.id),
    now,
    ANONYMOUS_RECEIPTS,
  );
  const job = await api('POST', '/v1/imports', { kind: 'receipts', options: {} });
  const put = await fetch(job.uploadUrl, { method: 'PUT', body: receipts });
  if (!put.ok) throw new Error(`Upload of the receipts → ${put.status}`);
  let state = job;
  while (state.status !== 'done' && state.status !== 'failed') {
    await new Promise((r) => setTimeout(r, 200));
    state = await api('GET', `/v1/imports/${job.id}`);
    if (process.stdout.isTTY) {
      const pct = Math.round((state.progress ?? 0) * 100);
      process.stdout.write(`\r• importing the tills' receipts… ${pct}% (${state.counts.read} lines)`);
    }
  }
  if (process.stdout.isTTY) process.stdout.write('\r');
  if (state.status === 'failed') throw new Error(`The receipts import failed: ${state.error?.message}`);
  console.log(
    `• ${state.counts.read} till receipts imported as a job (${state.dialect.encoding}, "${state.dialect.separator}", ${state.dialect.dateFormat} dates): ${state.counts.created - state.counts.anonymous} of known customers, ${state.counts.anonymous} anonymous (the shops' traffic), ${state.counts.rejected} refused, ${state.rowsPerSecond} lines/s [${secs()}]`,
  );

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

  // The win-back journey, set once and left to run every day: the email that replaces the postal
  // reminder ("relance") with a coupon, an SMS three days later to those who did not open it, and a
  // redemption in a shop (or any purchase) ends the journey. The demo plays several days on its clock.
  const automation = await api('POST', '/v1/automations', {
    name: 'Relance 6 mois',
    trigger: { kind: 'inactive', days: 182 },
    runAt: '10:00',
    template: 'winback',
    channel: 'email',
    from: { name: 'Relance', address: 'bonjour@relance.example' },
    offer: {
      kind: 'percent',
      value: 15,
      currency: 'EUR',
      minBasket: 30,
      validDays: 30,
      stores: 'all',
      description: { fr: '-15 % sur tout le magasin dès 30 €', en: '15% off everything from €30' },
    },
    cooldownDays: 90,
    // One lapsed customer in ten gets nothing: what they buy anyway measures what the journey brings.
    holdout: { share: 0.1 },
    backlog: true,
    steps: [{ waitDays: 3, unless: 'opened', template: 'winback', channel: 'sms' }],
  });
  console.log('\nWin-back journey (automation, every day at 10:00)');
  console.log(
    `• ${automation.id}: no purchase for 182 days → email with a coupon; no open after 3 days → SMS; a purchase ends it; 10% held out`,
  );

  const runDay = async (label: string) => {
    const { started } = await api('POST', '/_local/automations/run');
    for (const s of started as { campaignId: string }[]) {
      let c = await api('GET', `/v1/campaigns/${s.campaignId}`);
      while (c.status === 'sending') {
        if (process.stdout.isTTY)
          process.stdout.write(`\r• ${label}: sending… ${c.counts.sent}/${c.counts.targeted || '?'}`);
        await new Promise((r) => setTimeout(r, 250));
        c = await api('GET', `/v1/campaigns/${s.campaignId}`);
      }
      if (process.stdout.isTTY) process.stdout.write('\r');
    }
    return started as { campaignId: string; step: number; day: string }[];
  };

  // Day 0: the first run takes everyone already lapsed (backlog).
  const [first] = await runDay('day 0');
  if (!first) throw new Error('The automation did not run');
  const day0 = await api('GET', `/v1/campaigns/${first.campaignId}`);
  console.log(
    `• day 0 (${first.day}): ${day0.counts.sent} emails sent, ${day0.counts.skipped} skipped (suppressed or capped) [${secs()}]`,
  );

  const messages = (
    (await api('GET', '/_local/messages')).items as {
      channel: string;
      to: string;
      subject: string;
      headers: Record<string, string>;
      text: string;
      html: string;
    }[]
  ).filter((m) => m.channel === 'email');
  const mail = messages[0];
  if (mail) {
    console.log(`\nOne of the ${messages.length} emails, as text:`);
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
  clock.advance(2 * 3_600_000);
  let simulated = 0;
  await pMap(
    messages,
    async (m) => {
      await fetch(`${stack.url}/_local/ses-events`, {
        method: 'POST',
        body: JSON.stringify({ type: 'delivery', campaignId: first.campaignId, email: m.to }),
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

  // Over the next days some customers come back with their coupon: the tills redeem it, which
  // records a purchase and ends their journey.
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
  await stack.queues.coupons?.idle();
  await stack.queues.engagement?.idle();
  console.log(`• days 0-2: ${redeemed} coupons redeemed at the tills of the four shops`);

  // Some customers come back without their coupon, messaged or not: every lapsed customer has the same
  // small chance of a till receipt in the next days, recipients a little more (the email reminded them).
  // The lift printed below comes out of the report, from these receipts against the holdout's.
  const csv = await fetch(`${stack.url}/v1/campaigns/${first.campaignId}/report.csv`, {
    headers: { authorization: `Bearer ${DEMO_KEY}` },
  });
  const groups = parseCsv(await csv.text(), { columns: true }) as { email: string; group: string }[];
  let walkIns = 0;
  for (const [i, g] of groups.entries()) {
    const chance = g.group === 'holdout' ? 0.05 : g.group === 'treated' ? 0.1 : 0;
    if (rand() >= chance) continue;
    const res = await fetch(`${stack.url}/v1/purchases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        contact: g.email,
        storeId: homeOf.get(g.email) ?? stores[0]?.id,
        amount: Math.round((20 + rand() * 80) * 100) / 100,
        currency: 'EUR',
        at: new Date(clock.now().getTime() - Math.floor(rand() * 3_600_000)).toISOString(),
        channel: 'store',
        ref: `WALKIN-${i}`,
      }),
    });
    if (res.ok) walkIns++;
  }
  console.log(`• days 0-2: ${walkIns} more receipts at the tills without a coupon, recipients or held out`);

  // Days 1 to 3: each run picks up the customers who crossed six months since the day before; on
  // day 3 the reminder goes by SMS to those who neither opened the email nor came back.
  const journey = [first];
  for (const day of [1, 2, 3]) {
    clock.advance(day === 1 ? 22 * 3_600_000 : 24 * 3_600_000);
    const started = await runDay(`day ${day}`);
    journey.push(...started);
    for (const s of started) {
      const c = await api('GET', `/v1/campaigns/${s.campaignId}`);
      const what = s.step === 0 ? 'newly lapsed, emailed' : 'SMS reminders to non-openers';
      console.log(
        `• day ${day} (${localDay(clock.now(), DEMO_TIME_ZONE)}): ${c.counts.sent} ${what} (${c.counts.skipped} skipped)`,
      );
    }
  }

  // The SMS reminders as customers get them, then what the carriers and customers do with them.
  const reminder = journey.find((s) => s.step === 1);
  const texts = reminder ? stack.smsOutbox.sent.filter((m) => m.tags.campaignId === reminder.campaignId) : [];
  if (reminder && texts[0]) {
    console.log(
      `\nOne of the ${texts.length} SMS reminders (to ${texts[0].to}, ${texts[0].segments} segment(s)):`,
    );
    console.log(
      texts[0].body
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
    clock.advance(3_600_000);
    for (const [i, m] of texts.entries()) {
      const type = rand() < 0.03 ? 'invalid' : 'delivered';
      await fetch(`${stack.url}/_local/sms-events`, {
        method: 'POST',
        body: JSON.stringify({
          type,
          campaignId: reminder.campaignId,
          phone: m.to,
          price: 0.0712 * m.segments,
        }),
      });
      const short = /https?:\/\/\S+\/s\/[0-9A-Za-z]{11}/.exec(m.body)?.[0];
      if (short && type === 'delivered' && rand() < 0.2)
        await fetch(short, { headers: human, redirect: 'manual' });
      if (i === 0) {
        await fetch(`${stack.url}/_local/sms/inbound`, {
          method: 'POST',
          body: JSON.stringify({ from: m.to, body: 'STOP' }),
        });
      }
    }
    await stack.queues.engagement?.idle();
  }

  // The journey's report: each run is a campaign with its own report; the costs add up.
  const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  const eur = (x: number) =>
    `${x.toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;
  const reports = await pMap(journey, (s) => api('GET', `/v1/campaigns/${s.campaignId}/report`), {
    concurrency: 4,
  });
  const main = reports[0] as (typeof reports)[number];
  console.log(`\nWin-back journey report (simulated engagement) [${secs()}]`);
  console.log(
    `  first email: delivered ${main.delivered} · opened by ${main.opened.uniqueHuman} people (${pct(main.rates.open)}), ${main.opened.uniqueMachine} machines · clicked ${main.clicked.uniqueHuman} (${pct(main.rates.click)}) · unsubscribed ${main.unsubscribed}`,
  );
  const k = main.coupons;
  console.log(
    `  coupons: ${k.issued} issued, ${k.viewed} viewed, ${k.redeemed} redeemed (${pct(k.redemptionRate)}), revenue ${eur(k.revenue)}, average basket ${eur(k.averageBasket ?? 0)}`,
  );
  const a = main.attribution;
  if (a?.lift) {
    const pts = (x: number) => `${(x * 100).toFixed(1)} pts`;
    console.log(
      `  visits within ${a.windowDays} days: ${a.treated.responders} of ${a.treated.people} recipients came back (${pct(a.treated.responseRate?.rate ?? null)}), ${a.holdout.responders} of ${a.holdout.people} held out (${pct(a.holdout.responseRate?.rate ?? null)})`,
    );
    console.log(
      `  lift ${pts(a.lift.absolute.difference)} [95% ${pts(a.lift.absolute.low)} ; ${pts(a.lift.absolute.high)}], p = ${a.lift.pValue.toFixed(3)}: ${a.lift.verdict.replaceAll('_', ' ')} · ${Math.round(a.lift.incrementalResponders.value)} customers brought [${Math.round(a.lift.incrementalResponders.low)} ; ${Math.round(a.lift.incrementalResponders.high)}]${a.provisional ? ' (provisional: the window is open)' : ''}`,
    );
  }
  const smsReport = reports.find((r) => r.sms?.sent)?.sms;
  if (smsReport) {
    console.log(
      `  SMS reminders: ${smsReport.sent} sent (${smsReport.segments} segments) · delivered ${smsReport.delivered} (${pct(smsReport.rates.delivery)}) · clicked by ${smsReport.clicked.uniqueHuman} · 1 STOP (consent revoked at once) · billed ${(smsReport.costUsd ?? 0).toFixed(2)} USD`,
    );
  }
  // By post, each customer the journey reached gets one letter (the reminders go to the same people).
  const totals = reports.reduce(
    (t, r, i) => ({
      messages: t.messages + r.sent,
      cost: t.cost + (r.cost?.total ?? 0),
      postal: t.postal + (journey[i]?.step === 0 ? (r.cost?.postal.cost ?? 0) : 0),
    }),
    { messages: 0, cost: 0, postal: 0 },
  );
  const c0 = main.cost;
  console.log(`  ${journey.length} campaigns over 4 days, ${totals.messages} messages`);
  console.log(
    `  cost ${eur(totals.cost)} against ${eur(totals.postal)} by post: ${eur(totals.postal - totals.cost)} saved (${pct(totals.postal ? (totals.postal - totals.cost) / totals.postal : null)})`,
  );
  if (c0?.revenue !== null && c0?.revenue !== undefined)
    console.log(
      `  first email: ${eur(c0.revenue)} ${c0.revenueBasis === 'incremental' ? 'brought (against the holdout)' : 'of redeemed baskets'} for ${eur(c0.total)} spent, ${eur(c0.discounts ?? 0)} of it in discounts: return ${pct(c0.roi)} (by post: ${pct(c0.postalRoi)})`,
    );
  console.log(
    `  (GET /v1/campaigns/${first.campaignId}/report.html draws it; report.csv has one row per message)`,
  );
  console.log(
    `\nDemo finished in ${secs()}. With npm start, every message is at /_local/messages and in the SES mailbox.`,
  );
} finally {
  await stack.stop();
}
