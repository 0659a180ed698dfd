import { describe, expect, it } from 'vitest';
import type { CampaignReport, SmsFigures } from '../../../../functions/domain/reports/report';
import { esc, reportPage } from '../../../../functions/ui/pages/report';
import { mixedReport, sampleReport, sendingReport, smsReport } from '../../../support/sample-report';

/** The inline SVG of a funnel, alone: the campaign's unless told. */
const svgOf = (html: string, funnel: 'campaign' | 'coupons' | 'sms' = 'campaign') => {
  const m = new RegExp(`<svg class="funnel" data-funnel="${funnel}"[\\s\\S]*?</svg>`).exec(html);
  if (!m) throw new Error(`no ${funnel} funnel SVG`);
  return m[0];
};

/** The SMS section, alone. */
const smsOf = (html: string) => /<section class="card sms"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

/** The coupon section, alone. */
const couponsOf = (html: string) => /<section class="card coupons"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

/** Each bar of an SVG funnel: its step, its count and its width in % of the SVG. */
const barsOf = (svg: string) =>
  [...svg.matchAll(/<rect class="bar[^"]*" data-step="(\w+)" data-count="(\d+)"[^>]*width="([\d.]+)%"/g)].map(
    (b) => ({ step: b[1], count: Number(b[2]), width: Number(b[3]) }),
  );

/** The value cell of one row of the rates table. */
const rateCell = (html: string, rate: string) =>
  new RegExp(`<tr data-rate="${rate}"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>`).exec(
    html,
  )?.[1];

const draft: CampaignReport = {
  ...sampleReport,
  campaign: { ...sampleReport.campaign, status: 'draft' },
  targeted: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  pending: 0,
  delivered: 0,
  bounced: 0,
  softBounced: 0,
  complained: 0,
  rejected: 0,
  unsubscribed: 0,
  opened: { uniqueHuman: 0, uniqueMachine: 0, totalHuman: 0, totalMachine: 0 },
  clicked: { uniqueHuman: 0, uniqueMachine: 0, totalHuman: 0, totalMachine: 0 },
  rateBase: 'sent',
  rates: {
    delivery: null,
    bounce: null,
    complaint: null,
    open: null,
    click: null,
    clickToOpen: null,
    unsubscribe: null,
  },
  links: [],
  coupons: {
    issued: 0,
    viewed: 0,
    printed: 0,
    redeemed: 0,
    redemptionRate: null,
    revenue: 0,
    averageBasket: null,
    byChannel: { store: 0, web: 0, phone: 0 },
    byStore: [],
  },
  actionResponse: [{ action: 'email', recipients: 0, store: 0, web: 0, phone: 0, clickOnly: 0 }],
  objective: { kpi: 'open_rate', target: 0.3, actual: null, met: null },
};

describe('esc', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(esc(42)).toBe('42');
  });
});

describe('reportPage', () => {
  it('is a complete, self-contained document: no script, no link, no external asset', () => {
    const html = reportPage(sampleReport);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport"');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<a\s|\bsrc=|\bhref=|@import|url\(|@font-face/i);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
  });

  it('shows the campaign, its status and its dates', () => {
    const html = reportPage(sampleReport);
    expect(html).toContain('<h1>Relance printemps — clients inactifs depuis 6 mois</h1>');
    expect(html).toContain('>Sent</span>');
    expect(html).toContain('<time datetime="2025-03-25T07:30:00.000Z">25 Mar 2025, 07:30</time>');
    expect(html).toContain('Times are UTC');
    expect(reportPage(sendingReport)).toContain('Too many send errors (12 in the last batch)');
  });

  it('escapes the campaign name, the paused reason and the link URLs', () => {
    const evil = '<script>alert("name")</script>';
    const url = `https://evil.test/?q="><script>alert('url')</script>&x=1`;
    const html = reportPage({
      ...sampleReport,
      campaign: { ...sampleReport.campaign, name: evil, pausedReason: '<img src=x onerror=alert(1)>' },
      links: [{ index: 0, url, uniqueHuman: 3, totalHuman: 4, totalMachine: 1 }],
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).toContain('<h1>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;</h1>');
    expect(html).toContain('<title>Campaign report · &lt;script&gt;');
    const escapedUrl =
      'https://evil.test/?q=&quot;&gt;&lt;script&gt;alert(&#39;url&#39;)&lt;/script&gt;&amp;x=1';
    // Shown as text (and in a tooltip), never as a live link.
    expect(html).toContain(`<span class="url" title="${escapedUrl}">${escapedUrl}</span>`);
  });

  it('draws the funnel as an accessible SVG with one labelled bar per step', () => {
    const svg = svgOf(reportPage(sampleReport));
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/aria-label="Campaign funnel: Targeted 1,167 → Sent 1,147 → Delivered 1,131 → /);
    expect(svg).toMatch(/<title>Campaign funnel: Targeted 1,167 .*Clicked \(people\) 96<\/title>/);
    const bars = barsOf(svg);
    expect(bars.map((b) => [b.step, b.count])).toEqual([
      ['targeted', 1167],
      ['sent', 1147],
      ['delivered', 1131],
      ['opened', 389],
      ['clicked', 96],
    ]);
    const widths = bars.map((b) => b.width);
    expect(widths[0]).toBe(100);
    expect(widths[3]).toBeCloseTo((100 * 389) / 1167, 1);
    for (const label of ['Targeted', 'Sent', 'Delivered', 'Opened (people)', 'Clicked (people)']) {
      expect(svg).toContain(`<text class="step-name" x="0" y="`);
      expect(svg).toContain(`>${label}</text>`);
    }
    for (const count of ['1,167', '1,147', '1,131', '389', '96']) expect(svg).toContain(`>${count}</text>`);
    expect(svg).toContain('98.6% of sent');
    expect(svg).toContain('34.4% of delivered · 33.9% of sent');
    expect(svg).toContain('24.7% of openers · 8.4% of sent');
    expect(svg).toContain('Not sent: 3 failed · 17 skipped');
  });

  it('shows deliveries as not yet reported while the rates use sent messages', () => {
    const html = reportPage(sendingReport);
    const svg = svgOf(html);
    expect(svg).toMatch(/<rect class="bar bar-delivered unreported" data-step="delivered"/);
    expect(svg).toContain('>not reported yet</text>');
    expect(svg).toContain('33.9% of sent');
    expect(svg).not.toContain('of delivered');
    expect(html).toContain('rates are shares of sent messages');
    // A 0 % delivery rate would be wrong: the rate is unknown.
    expect(rateCell(html, 'delivery')).toBe('—');
    expect(rateCell(html, 'open')).toBe('33.9%');
  });

  it('prints rates as percentages and null rates as —', () => {
    const html = reportPage(sampleReport);
    expect(rateCell(html, 'delivery')).toBe('98.6%');
    expect(rateCell(html, 'bounce')).toBe('1.0%');
    expect(rateCell(html, 'clickToOpen')).toBe('24.7%');
    const empty = reportPage(draft);
    for (const rate of ['delivery', 'bounce', 'complaint', 'open', 'click', 'clickToOpen', 'unsubscribe']) {
      expect(rateCell(empty, rate), rate).toBe('—');
    }
    expect(svgOf(empty).match(/<rect class="bar /g)).toHaveLength(5);
    expect(empty).not.toContain('NaN');
    expect(empty).toContain('No link has been clicked yet.');
  });

  it('shows people and machines side by side', () => {
    const html = reportPage(sampleReport);
    const opens = /<div class="pm" data-kind="opens">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(opens).toContain('<td class="num human">389</td><td class="num machine">274</td>');
    expect(opens).toContain('<td class="num human">612</td><td class="num machine">331</td>');
    expect(html).toContain('Apple Mail Privacy Protection');
    expect(html).toContain('All opens · 943');
  });

  it('lists bounces, complaints, unsubscribes, failed and skipped', () => {
    const html = reportPage(sampleReport);
    const figure = (name: string) =>
      new RegExp(
        `data-figure="${name}"><span class="tile-value">([^<]*)</span><span class="tile-label">([^<]*)<`,
      ).exec(html);
    expect(figure('bounced')?.slice(1)).toEqual(['12', 'Hard bounces']);
    expect(figure('softBounced')?.slice(1)).toEqual(['4', 'Soft bounces']);
    expect(figure('complained')?.slice(1)).toEqual(['1', 'Complaints']);
    expect(figure('unsubscribed')?.slice(1)).toEqual(['6', 'Unsubscribes']);
    expect(figure('failed')?.slice(1)).toEqual(['3', 'Failed']);
    expect(figure('skipped')?.slice(1)).toEqual(['17', 'Skipped']);
  });

  it('lists the clicks per link, numbered from 1', () => {
    const html = reportPage(sampleReport);
    const rows = [...html.matchAll(/<td class="idx">(\d+)<\/td>/g)].map((m) => m[1]);
    expect(rows).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(html).toContain('https://www.google.com/maps/search/?api=1&amp;query=Maison%20Durand');
  });

  describe('the objective', () => {
    const objectiveOf = (html: string) =>
      /<section class="card objective[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

    it('met: the actual beat the target', () => {
      const o = objectiveOf(reportPage(sampleReport));
      expect(o).toContain('objective-met');
      expect(o).toContain('data-objective="met">Met</span>');
      expect(o).toContain('Objective · Open rate');
      expect(o).toContain('<span class="big">34.4%</span>');
      expect(o).toContain('<span class="big target">30.0%</span>');
      expect(o).toContain('class="gauge"');
    });

    it('not met', () => {
      const o = objectiveOf(
        reportPage({
          ...sampleReport,
          objective: { kpi: 'click_rate', target: 0.12, actual: 0.085, met: false },
        }),
      );
      expect(o).toContain('data-objective="missed">Not met</span>');
      expect(o).toContain('Objective · Click rate');
      expect(o).toContain('<span class="big">8.5%</span>');
      expect(o).toContain('<span class="big target">12.0%</span>');
    });

    it('not yet measurable', () => {
      const o = objectiveOf(
        reportPage({
          ...sampleReport,
          objective: { kpi: 'redemptions', target: 150, actual: null, met: null },
        }),
      );
      expect(o).toContain('data-objective="pending">Not yet measurable</span>');
      expect(o).toContain('Objective · Coupons redeemed');
      expect(o).toContain('<span class="big">—</span>');
      expect(o).toContain('<span class="big target">150</span>');
      expect(o).not.toContain('class="gauge"');
    });

    it('the coupon KPIs: a redemption rate as a percentage, redemptions as a count, revenue as money', () => {
      const of = (objective: CampaignReport['objective'], opts?: Parameters<typeof reportPage>[1]) =>
        objectiveOf(reportPage({ ...sampleReport, objective }, opts));
      const rate = of({ kpi: 'redemption_rate', target: 0.04, actual: 58 / 1147, met: true });
      expect(rate).toContain('Objective · Coupon redemption rate');
      expect(rate).toContain('<span class="big">5.1%</span>');
      expect(rate).toContain('<span class="big target">4.0%</span>');
      const count = of({ kpi: 'redemptions', target: 1500, actual: 58, met: false });
      expect(count).toContain('Objective · Coupons redeemed');
      expect(count).toContain('<span class="big">58</span>');
      expect(count).toContain('<span class="big target">1,500</span>');
      const revenue = of({ kpi: 'revenue', target: 5000, actual: 3712.4, met: false });
      expect(revenue).toContain('Objective · Revenue');
      expect(revenue).toContain('data-objective="missed">Not met</span>');
      expect(revenue).toContain('<span class="big">€3,712.40</span>');
      expect(revenue).toContain('<span class="big target">€5,000</span>');
      expect(revenue).toContain('class="gauge"');
      expect(of({ kpi: 'revenue', target: 5000, actual: 3712.4, met: false }, { currency: 'GBP' })).toContain(
        '<span class="big">£3,712.40</span>',
      );
      const fr = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
      const frRevenue = of({ kpi: 'revenue', target: 5000, actual: 3712.4, met: false }, { locale: 'fr' });
      expect(frRevenue).toContain('Objectif · Chiffre d’affaires');
      expect(frRevenue).toContain(`<span class="big">${fr.format(3712.4)}</span>`);
      expect(fr.format(3712.4)).toMatch(/^3\s712,40\s€$/u);
    });

    it('none set', () => {
      expect(objectiveOf(reportPage({ ...sampleReport, objective: null }))).toContain(
        'No objective was set for this campaign.',
      );
    });
  });

  describe('the coupons, from the email to the till', () => {
    const html = reportPage(sampleReport);
    const section = couponsOf(html);
    const figure = (html: string, name: string) =>
      new RegExp(`data-coupon-figure="${name}"><span class="tile-value">([^<]*)</span>`).exec(html)?.[1];
    const response = (html: string, k: string) =>
      new RegExp(
        `data-response="${k}" data-label="[^"]*"><span class="pct">([^<]*)</span><span class="count">([^<]*)<`,
      )
        .exec(html)
        ?.slice(1);

    it('comes right after the campaign funnel, under its heading', () => {
      expect(section).toContain('<h2 id="coupons-h">Coupons: from the email to the till</h2>');
      expect(html.indexOf('id="funnel-h"')).toBeLessThan(html.indexOf('id="coupons-h"'));
      expect(html.indexOf('id="coupons-h"')).toBeLessThan(html.indexOf('id="pm-h"'));
    });

    it('draws the coupon funnel with the same SVG as the campaign funnel, to its own scale', () => {
      const svg = svgOf(html, 'coupons');
      expect(section).toContain(svg);
      expect(svg).toContain('role="img"');
      expect(svg).toContain(
        'aria-label="Coupon funnel: Issued 1,147 → Viewed (people) 402 → Printed (people) 133 → Redeemed 58"',
      );
      const bars = barsOf(svg);
      expect(bars.map((b) => [b.step, b.count])).toEqual([
        ['issued', 1147],
        ['viewed', 402],
        ['printed', 133],
        ['redeemed', 58],
      ]);
      expect(bars[0]?.width).toBe(100);
      expect(bars[3]?.width).toBeCloseTo((100 * 58) / 1147, 1);
      // Same markup as the campaign funnel: a name, a count, a track and a bar per step.
      expect(svg).toContain('<text class="step-name" x="0" y="14">Issued</text>');
      expect(svg).toContain('<rect class="track" x="0" y="22" width="100%" height="20" rx="4"/>');
      expect(svg).toContain('100.0% of sent');
      expect(svg).toContain('35.0% of issued');
      expect(svg).toContain('33.1% of viewers · 11.6% of issued');
      expect(svg).toContain('5.1% of issued');
    });

    it('shows the redemption rate, the revenue and the average basket, in euros by default', () => {
      expect(figure(section, 'redemptionRate')).toBe('5.1%');
      expect(figure(section, 'revenue')).toBe('€3,712.40');
      expect(figure(section, 'averageBasket')).toBe('€64.01');
      const usd = couponsOf(reportPage(sampleReport, { currency: 'USD' }));
      expect(figure(usd, 'revenue')).toBe('US$3,712.40');
      // A malformed currency falls back to euros rather than throwing.
      expect(figure(couponsOf(reportPage(sampleReport, { currency: 'euros' })), 'revenue')).toBe('€3,712.40');
      const whole = {
        ...sampleReport.coupons,
        revenue: 3712,
        averageBasket: 64,
      } as CampaignReport['coupons'];
      const round = couponsOf(reportPage({ ...sampleReport, coupons: whole }));
      expect(figure(round, 'revenue')).toBe('€3,712');
      expect(figure(round, 'averageBasket')).toBe('€64');
    });

    it('lists the redemptions per shop, most first, with their share', () => {
      const rows = [
        ...section.matchAll(
          /<tr data-store="([^"]*)"><th scope="row" class="store-id">([^<]*)<\/th><td class="num">([^<]*)<\/td><td class="num share">.*?([\d.]+%)<\/td>/g,
        ),
      ].map((m) => m.slice(1));
      expect(rows).toEqual([
        ['paris-11', 'paris-11', '24', '41.4%'],
        ['paris-15', 'paris-15', '15', '25.9%'],
        ['lyon-02', 'lyon-02', '12', '20.7%'],
        ['lille-centre', 'lille-centre', '7', '12.1%'],
      ]);
      expect(section).toContain('Redemptions per shop');
    });

    it('crosses the action channel with the response, as shares of its recipients', () => {
      expect(section).toMatch(
        /<th scope="col">Action<\/th><th scope="col" class="resp">Redeemed in a shop<\/th><th scope="col" class="resp">Redeemed on the web<\/th><th scope="col" class="resp">By phone<\/th><th scope="col" class="resp">Clicked only<\/th>/,
      );
      expect(section).toContain(
        '<tr data-action="email"><th scope="row">Email<span class="count">1,147 recipients</span></th>',
      );
      expect(response(section, 'store')).toEqual(['4.4%', '51']);
      expect(response(section, 'web')).toEqual(['0.6%', '7']);
      expect(response(section, 'phone')).toEqual(['0.0%', '0']);
      expect(response(section, 'clickOnly')).toEqual(['5.7%', '65']);
    });

    it('escapes the store ids', () => {
      const evil = `"><script>alert('shop')</script>`;
      const out = reportPage({
        ...sampleReport,
        coupons: {
          ...(sampleReport.coupons as NonNullable<CampaignReport['coupons']>),
          byStore: [{ storeId: evil, redeemed: 3 }],
        },
      });
      expect(out).not.toMatch(/<script/i);
      const escaped = '&quot;&gt;&lt;script&gt;alert(&#39;shop&#39;)&lt;/script&gt;';
      expect(out).toContain(`<tr data-store="${escaped}"><th scope="row" class="store-id">${escaped}</th>`);
    });

    it('shows nothing of coupons for a campaign without an offer', () => {
      const out = reportPage({ ...sampleReport, coupons: null });
      expect(couponsOf(out)).toBe('');
      expect(out).not.toContain('data-funnel="coupons"');
      expect(out).not.toContain('Coupons: from the email to the till');
      expect(out).not.toContain('class="matrix"');
      // The rest of the report is untouched.
      expect(out).toContain('data-funnel="campaign"');
      expect(out).toContain('id="pm-h"');
    });

    it('before any coupon is redeemed: dashes, no NaN, no empty table', () => {
      const out = couponsOf(reportPage(draft));
      expect(out).toContain('No coupon has been redeemed yet.');
      expect(out).not.toContain('class="stores"');
      expect(figure(out, 'redemptionRate')).toBe('—');
      expect(figure(out, 'revenue')).toBe('€0');
      expect(figure(out, 'averageBasket')).toBe('—');
      expect(barsOf(svgOf(out, 'coupons')).map((b) => b.width)).toEqual([0, 0, 0, 0]);
      expect(out).not.toMatch(/NaN|Infinity/);
    });
  });

  describe('the SMS of a campaign', () => {
    const html = reportPage(mixedReport);
    const section = smsOf(html);
    const sms = mixedReport.sms as SmsFigures;
    const smsFigure = (html: string, name: string) =>
      new RegExp(
        `data-sms-figure="${name}"><span class="tile-value">([^<]*)</span><span class="tile-label">([^<]*)<`,
      )
        .exec(html)
        ?.slice(1);
    const zero = { uniqueHuman: 0, uniqueMachine: 0, totalHuman: 0, totalMachine: 0 };

    it('has its own section, between the email funnel and the coupons', () => {
      expect(section).toContain('<h2 id="sms-h">SMS</h2>');
      expect(html.indexOf('id="funnel-h"')).toBeLessThan(html.indexOf('id="sms-h"'));
      expect(html.indexOf('id="sms-h"')).toBeLessThan(html.indexOf('id="coupons-h"'));
    });

    it('draws the SMS funnel, sent → delivered → clicked (people), with the same SVG', () => {
      const svg = svgOf(html, 'sms');
      expect(section).toContain(svg);
      expect(svg).toContain('role="img"');
      expect(svg).toContain('aria-label="SMS funnel: Sent 398 → Delivered 371 → Clicked (people) 87"');
      const bars = barsOf(svg);
      expect(bars.map((b) => [b.step, b.count])).toEqual([
        ['sent', 398],
        ['delivered', 371],
        ['clicked', 87],
      ]);
      expect(bars[0]?.width).toBe(100);
      expect(bars[2]?.width).toBeCloseTo((100 * 87) / 398, 1);
      expect(svg).toContain('Not sent: 2 failed · 5 opted out');
      expect(svg).toContain('93.2% of sent · 19 undelivered');
      expect(svg).toContain('23.5% of delivered · 21.9% of sent');
      expect(section).toContain('Rates are shares of delivered SMS');
    });

    it('shows the segments billed, the failures, the opt-outs, the undelivered and the provider cost', () => {
      expect(smsFigure(section, 'segments')).toEqual(['796', 'Segments billed']);
      expect(smsFigure(section, 'failed')).toEqual(['2', 'Failed']);
      expect(smsFigure(section, 'optedOut')).toEqual(['5', 'Opted out']);
      expect(smsFigure(section, 'undelivered')).toEqual(['19', 'Undelivered']);
      expect(smsFigure(section, 'cost')).toEqual(['US$55.54', 'Provider cost']);
      const cents = smsOf(reportPage({ ...mixedReport, sms: { ...sms, costUsd: 0.1424 } }));
      expect(smsFigure(cents, 'cost')?.[0]).toBe('US$0.1424');
    });

    it('shows the clicks of people and machines, and the clicks per SMS link', () => {
      const clicks = /<div class="pm" data-kind="sms-clicks">[\s\S]*?<\/table>/.exec(section)?.[0] ?? '';
      expect(clicks).toContain('<h3>Clicks on the SMS links</h3>');
      expect(clicks).toContain('<td class="num human">87</td><td class="num machine">6</td>');
      expect(clicks).toContain('<td class="num human">112</td><td class="num machine">9</td>');
      expect(section).toContain('<h3 id="sms-links-h">Clicks per SMS link</h3>');
      expect([...section.matchAll(/<td class="idx">(\d+)<\/td>/g)].map((m) => m[1])).toEqual(['1', '2']);
      expect(section).toContain(
        'https://www.maison-durand.fr/offres/printemps?utm_source=relance&amp;utm_medium=sms',
      );
      // The email links keep their own card.
      expect(html).toContain('<h2 id="links-h">Clicks per link · Email</h2>');
    });

    it('escapes the SMS link URLs', () => {
      const url = `https://evil.test/?q="><script>alert('sms')</script><b>`;
      const out = reportPage({
        ...mixedReport,
        sms: { ...sms, links: [{ index: 0, url, uniqueHuman: 1, totalHuman: 1, totalMachine: 0 }] },
      });
      expect(out).not.toMatch(/<script|<b>/i);
      const escaped =
        'https://evil.test/?q=&quot;&gt;&lt;script&gt;alert(&#39;sms&#39;)&lt;/script&gt;&lt;b&gt;';
      expect(smsOf(out)).toContain(`<span class="url" title="${escaped}">${escaped}</span>`);
    });

    it('labels the SMS row of the action → response table', () => {
      const coupons = couponsOf(html);
      expect(coupons).toContain('<h2 id="coupons-h">Coupons: from the message to the till</h2>');
      const row = /<tr data-action="sms">[\s\S]*?<\/tr>/.exec(coupons)?.[0] ?? '';
      expect(row).toContain('<th scope="row">SMS<span class="count">398 recipients</span></th>');
      expect(row).toContain(
        'data-response="store" data-label="Redeemed in a shop"><span class="pct">4.3%</span><span class="count">17</span>',
      );
      expect(row).toContain(
        'data-response="clickOnly" data-label="Clicked only"><span class="pct">18.3%</span><span class="count">73</span>',
      );
      expect(coupons.indexOf('data-action="email"')).toBeLessThan(coupons.indexOf('data-action="sms"'));
    });

    it('starts the email funnel at the emails sent when the campaign also texts', () => {
      const svg = svgOf(html);
      expect(barsOf(svg).map((b) => [b.step, b.count])).toEqual([
        ['sent', 1147],
        ['delivered', 1131],
        ['opened', 389],
        ['clicked', 96],
      ]);
      expect(svg).toContain('aria-label="Email funnel: Sent 1,147 → Delivered 1,131 → ');
      expect(svg).toContain('98.6% of sent');
      expect(html).toContain('<h2 id="funnel-h">Funnel · Email</h2>');
      expect(html).toContain(
        '<p class="small messages">1,572 messages targeted, 1,545 sent: 1,147 emails and 398 SMS · Not sent: 5 failed · 22 skipped</p>',
      );
      expect(html).toContain('<h2 id="rates-h">Rates · Email</h2>');
      expect(html).toContain('<h2 id="pm-h">People and machines · Email</h2>');
      expect(rateCell(html, 'delivery')).toBe('98.6%');
    });

    it('has no SMS section for an email campaign', () => {
      for (const out of [
        reportPage(sampleReport),
        // A campaign stored before SMS existed, whatever its counters say.
        reportPage({ ...mixedReport, campaign: { ...mixedReport.campaign, channel: 'email' } }),
      ]) {
        expect(out).not.toContain('id="sms-h"');
        expect(out).not.toContain('data-funnel="sms"');
        expect(out).not.toContain('data-sms-figure');
        expect(out).not.toContain('class="small messages"');
        expect(out).toContain('<h2 id="funnel-h">Funnel</h2>');
        expect(out).toContain('<h2 id="coupons-h">Coupons: from the email to the till</h2>');
      }
      expect(reportPage(sampleReport)).not.toContain('data-action="sms"');
    });

    it('leaves out the email cards of a campaign that only texts', () => {
      const out = reportPage(smsReport);
      for (const card of [
        'data-funnel="campaign"',
        'id="pm-h"',
        'id="rates-h"',
        'id="health-h"',
        'id="links-h"',
      ]) {
        expect(out, card).not.toContain(card);
      }
      expect(out).not.toContain('Opens');
      const svg = svgOf(out, 'sms');
      expect(barsOf(svg).map((b) => [b.step, b.count])).toEqual([
        ['targeted', 405],
        ['sent', 398],
        ['delivered', 371],
        ['clicked', 87],
      ]);
      expect(svg).toContain('Not sent: 2 failed · 5 skipped');
      expect(svg).toContain('98.3% of targeted');
      expect(out).toContain('data-action="sms"');
      expect(out).not.toContain('data-action="email"');
      expect(out).not.toMatch(/NaN|Infinity/);
    });

    it('before any delivery receipt: deliveries not reported yet, no cost, no link', () => {
      const out = smsOf(
        reportPage({
          ...smsReport,
          sms: { ...sms, delivered: 0, undelivered: 0, clicked: zero, costUsd: null, links: [] },
        }),
      );
      const svg = svgOf(out, 'sms');
      expect(svg).toMatch(/<rect class="bar bar-delivered unreported" data-step="delivered"/);
      expect(svg).toContain('>not reported yet</text>');
      expect(out).toContain('No delivery receipt yet');
      expect(out).not.toContain('data-sms-figure="cost"');
      expect(out).toContain('No link has been clicked yet.');
      expect(out).not.toMatch(/NaN|Infinity/);
    });

    it('speaks French', () => {
      const fr = reportPage(mixedReport, { locale: 'fr' });
      const out = smsOf(fr);
      const usd = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'USD' });
      expect(svgOf(fr, 'sms')).toContain(
        'aria-label="Entonnoir des SMS : Envoyés 398 → Délivrés 371 → Cliqués (personnes) 87"',
      );
      expect(svgOf(fr, 'sms')).toContain('Non envoyés : 2 en échec · 5 opposés');
      expect(smsFigure(out, 'segments')).toEqual(['796', 'Segments facturés']);
      expect(smsFigure(out, 'cost')).toEqual([usd.format(55.54), 'Coût du fournisseur']);
      expect(out).toContain('Clics par lien du SMS');
      expect(fr).toContain('<h2 id="funnel-h">Entonnoir · E-mail</h2>');
      expect(fr).toContain('Coupons : du message à la caisse');
      expect(fr).toContain('<th scope="row">SMS<span class="count">398 destinataires</span></th>');
    });
  });

  describe('cost against post', () => {
    const costOf = (html: string) => /<section class="card cost"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    const tile = (html: string, name: string) =>
      new RegExp(
        `data-cost-figure="${name}"><span class="tile-value">([^<]*)</span><span class="tile-label">([^<]*)</span><span class="tile-hint">([^<]*)</span>`,
      )
        .exec(html)
        ?.slice(1);
    const row = (html: string, name: string) =>
      new RegExp(
        `<tr data-cost="${name}"[^>]*><th scope="row">([^<]*)</th><td class="muted">([^<]*)</td><td class="num">([^<]*)</td>`,
      )
        .exec(html)
        ?.slice(1);
    const ret = (html: string, name: string) =>
      new RegExp(
        `<tr data-return="${name}"><th scope="row">([^<]*)<span class="count">[^<]*</span></th><td class="num">([^<]*)</td>`,
      )
        .exec(html)
        ?.slice(1);

    it('comes right after the coupons, under its heading', () => {
      const html = reportPage(sampleReport);
      expect(costOf(html)).toContain('<h2 id="cost-h">Cost against post</h2>');
      expect(html.indexOf('id="coupons-h"')).toBeLessThan(html.indexOf('id="cost-h"'));
      expect(html.indexOf('id="cost-h"')).toBeLessThan(html.indexOf('id="pm-h"'));
    });

    it('an email campaign: what it cost, the same customers by post, and the saving', () => {
      const section = costOf(reportPage(sampleReport));
      expect(tile(section, 'total')).toEqual(['€0.1147', 'This campaign', 'its emails']);
      expect(tile(section, 'postal')).toEqual(['€1,835.20', 'By post', '1,147 letters at €1.60']);
      // 99.994 % must not read as 100 %.
      expect(tile(section, 'saving')).toEqual(['€1,835.09', 'Saving', '&gt; 99.9% less than by post']);
      expect(row(section, 'email')).toEqual(['Email', '1,147 emails × €0.10 per 1,000', '€0.1147']);
      expect(row(section, 'sms')).toBeUndefined();
      expect(row(section, 'total')).toEqual(['Total', '', '€0.1147']);
      expect(row(section, 'postal')).toEqual([
        'By post',
        '1,147 letters × €1.60 (print, envelope, postage)',
        '€1,835.20',
      ]);
    });

    it('returns the redemption revenue on the cost, and on the letters for comparison', () => {
      const section = costOf(reportPage(sampleReport));
      expect(ret(section, 'revenue')).toEqual(['Revenue', '€3,712.40']);
      // (3,712.40 − 0.1147) ÷ 0.1147: whole percents beyond 1,000 %.
      expect(ret(section, 'roi')).toEqual(['Return on cost', '3,236,517%']);
      expect(ret(section, 'revenuePerEuro')).toEqual(['Revenue per €1 spent', '€32,366.17']);
      expect(ret(section, 'postalRoi')).toEqual(['Return by post', '102.3%']);
    });

    it('an email and SMS campaign: each channel, the provider’s dollars apart and not added', () => {
      const section = costOf(reportPage(mixedReport));
      expect(tile(section, 'total')).toEqual(['€59.81', 'This campaign', 'its emails and SMS']);
      expect(row(section, 'sms')).toEqual(['SMS', '796 segments × €0.075', '€59.70']);
      expect(row(section, 'provider')).toEqual([
        'Billed by the SMS provider',
        'in US dollars, not converted, not added',
        'US$55.54',
      ]);
      expect(row(section, 'total')).toEqual(['Total', '', '€59.81']);
      expect(row(section, 'postal')?.[2]).toBe('€2,472.00');
      expect(tile(section, 'saving')).toEqual(['€2,412.19', 'Saving', '97.6% less than by post']);
      expect(ret(section, 'roi')).toEqual(['Return on cost', '7,887%']);
      expect(ret(section, 'revenuePerEuro')?.[1]).toBe('€79.87');
      expect(ret(section, 'postalRoi')?.[1]).toBe('93.3%');
      expect(section).not.toContain('saving is a floor');
    });

    it('an SMS campaign: no email line, and no provider line before any receipt', () => {
      const section = costOf(reportPage(smsReport));
      expect(tile(section, 'total')?.[2]).toBe('its SMS');
      expect(row(section, 'email')).toBeUndefined();
      expect(row(section, 'postal')?.[1]).toBe('398 letters × €1.60 (print, envelope, postage)');
      const cost = smsReport.cost;
      if (!cost?.sms) throw new Error('no SMS cost');
      const noBill = reportPage({
        ...smsReport,
        cost: { ...cost, sms: { ...cost.sms, providerBilledUsd: null } },
      });
      expect(row(costOf(noBill), 'provider')).toBeUndefined();
    });

    it('says the saving is a floor when customers may have had both messages', () => {
      const cost = mixedReport.cost;
      if (!cost) throw new Error('no cost');
      const html = reportPage({
        ...mixedReport,
        cost: { ...cost, postal: { letters: 1147, perLetter: 1.6, cost: 1835.2 } },
      });
      expect(costOf(html)).toContain('the letters count the larger channel only, so the saving is a floor.');
    });

    it('lists SMS per country when known, and escapes the country', () => {
      const cost = mixedReport.cost;
      if (!cost?.sms) throw new Error('no SMS cost');
      const html = reportPage({
        ...mixedReport,
        cost: {
          ...cost,
          sms: {
            ...cost.sms,
            byCountry: [
              { country: 'BE', segments: 100, rate: 0.09, cost: 9 },
              { country: '<b>', segments: 10, rate: 0.1, cost: 1 },
            ],
            otherSegments: 686,
          },
        },
      });
      const section = costOf(html);
      expect(row(section, 'sms-BE')).toEqual(['SMS · BE', '100 segments × €0.09', '€9.00']);
      expect(section).toContain('<tr data-cost="sms-&lt;b&gt;"><th scope="row">SMS · &lt;b&gt;</th>');
      expect(section).not.toContain('<b>');
      expect(row(section, 'sms')).toEqual(['SMS', '686 segments × €0.075', '€51.45']);
    });

    it('without revenue: says why, with no return', () => {
      const cost = sampleReport.cost;
      if (!cost) throw new Error('no cost');
      const nothing = { ...cost, revenue: null, roi: null, revenuePerEuro: null, postalRoi: null };
      const noOffer = costOf(reportPage({ ...sampleReport, coupons: null, cost: nothing }));
      expect(noOffer).toContain('No coupon: the campaign measures no revenue.');
      expect(noOffer).not.toContain('data-return=');
      expect(costOf(reportPage({ ...sampleReport, cost: nothing }))).toContain(
        'The revenue is in another currency than the costs: no return is computed.',
      );
    });

    it('marks a negative saving, and shows nothing without unit costs', () => {
      const cost = smsReport.cost;
      if (!cost) throw new Error('no cost');
      const dearer = costOf(
        reportPage({
          ...smsReport,
          cost: {
            ...cost,
            postal: { letters: 398, perLetter: 0.1, cost: 39.8 },
            saving: -19.9,
            savingRate: -0.5,
          },
        }),
      );
      expect(dearer).toContain(
        '<div class="tile loss" data-cost-figure="saving"><span class="tile-value">-€19.90</span>',
      );
      expect(reportPage({ ...sampleReport, cost: null })).not.toContain('cost-h');
    });

    it('speaks French', () => {
      const fr = new Intl.NumberFormat('fr-FR');
      const eur = (n: number) =>
        new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
      const section = costOf(reportPage(mixedReport, { locale: 'fr' }));
      expect(section).toContain('<h2 id="cost-h">Coût comparé au courrier</h2>');
      expect(tile(section, 'total')).toEqual([eur(59.81), 'Cette campagne', 'ses e-mails et SMS']);
      expect(tile(section, 'postal')).toEqual([
        eur(2472),
        'Par courrier',
        `${fr.format(1545)} lettres à ${eur(1.6)}`,
      ]);
      expect(tile(section, 'saving')?.[2]).toMatch(/^97,6\s% de moins que par courrier$/u);
      expect(row(section, 'email')?.[1]).toBe(
        `${fr.format(1147)} e-mails × ${eur(0.1)} les ${fr.format(1000)}`,
      );
      expect(row(section, 'provider')?.[0]).toBe('Facturé par le fournisseur SMS');
      expect(ret(section, 'revenuePerEuro')?.[0]).toMatch(/^Chiffre d’affaires par 1\s€ dépensé$/u);
      expect(ret(section, 'postalRoi')?.[0]).toBe('Retour par courrier');
    });
  });

  describe("with locale: 'fr'", () => {
    const html = reportPage(sampleReport, { locale: 'fr' });
    const fr = new Intl.NumberFormat('fr-FR');

    it('speaks French', () => {
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain('Rapport de campagne');
      expect(html).toContain('>Envoyée</span>');
      expect(html).toContain('Objectif · Taux d’ouverture');
      expect(html).toContain('data-objective="met">Atteint</span>');
      for (const label of ['Ciblés', 'Envoyés', 'Délivrés', 'Ouverts (personnes)', 'Cliqués (personnes)']) {
        expect(svgOf(html)).toContain(`>${label}</text>`);
      }
      expect(html).toContain('Personnes et machines');
      expect(html).toContain('Clics par lien');
      expect(html).toContain('Rebonds définitifs');
      expect(html).toContain('<time datetime="2025-03-25T07:30:00.000Z">25 mars 2025, 07:30</time>');
    });

    it('formats numbers and percentages the French way', () => {
      expect(svgOf(html)).toContain(`>${fr.format(1167)}</text>`);
      expect(fr.format(1167)).not.toBe('1167');
      expect(rateCell(html, 'open')).toMatch(/^34,4\s%$/u);
      expect(
        reportPage(
          { ...sampleReport, objective: { kpi: 'open_rate', target: 0.3, actual: 0.2, met: false } },
          { locale: 'fr' },
        ),
      ).toContain('data-objective="missed">Non atteint</span>');
      expect(reportPage(draft, { locale: 'fr' })).toContain(
        'data-objective="pending">Pas encore mesurable</span>',
      );
    });

    it('labels the coupons in French', () => {
      const section = couponsOf(html);
      const eur = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
      expect(section).toContain('<h2 id="coupons-h">Coupons : de l’e-mail à la caisse</h2>');
      const svg = svgOf(html, 'coupons');
      for (const label of ['Émis', 'Consultés (personnes)', 'Imprimés (personnes)', 'Utilisés']) {
        expect(svg).toContain(`>${label}</text>`);
      }
      expect(svg).toContain(`aria-label="Entonnoir des coupons : Émis ${fr.format(1147)} → `);
      expect(svg).toMatch(/33,1\s% des consultés · 11,6\s% des émis/u);
      for (const label of [
        'Taux d’utilisation',
        'Chiffre d’affaires',
        'Panier moyen',
        'Coupons utilisés par magasin',
        '>Magasin<',
        'De l’action à la réponse',
        'Utilisé en magasin',
        'Utilisé sur le web',
        'Par téléphone',
        'Clic seul',
        `${fr.format(1147)} destinataires`,
        '>E-mail<',
      ]) {
        expect(section).toContain(label);
      }
      expect(section).toContain(`<span class="tile-value">${eur.format(3712.4)}</span>`);
      expect(section).toContain(`<span class="tile-value">${eur.format(3712.4 / 58)}</span>`);
      expect(section).toMatch(
        /data-response="store" data-label="Utilisé en magasin"><span class="pct">4,4\s%</u,
      );
      expect(couponsOf(reportPage(draft, { locale: 'fr' }))).toContain(
        'Aucun coupon n’a encore été utilisé.',
      );
    });
  });
});

describe('the visits a campaign brought', () => {
  const attribution: NonNullable<CampaignReport['attribution']> = {
    windowDays: 3,
    windowEndsAt: '2025-03-28T07:41:18.000Z',
    provisional: true,
    basis: 'incremental',
    treated: {
      people: 900,
      responders: 180,
      receipts: 200,
      revenue: 9000,
      responseRate: { rate: 0.2, low: 0.176, high: 0.227 },
      receiptsPerPerson: 200 / 900,
      revenuePerPerson: 10,
      averageBasket: 45,
    },
    holdout: {
      people: 100,
      responders: 10,
      receipts: 10,
      revenue: 400,
      responseRate: { rate: 0.1, low: 0.055, high: 0.174 },
      receiptsPerPerson: 0.1,
      revenuePerPerson: 4,
      averageBasket: 40,
    },
    byChannel: { store: 190, web: 10, phone: 0 },
    byStore: [{ storeId: 'paris-11', receipts: 200, revenue: 9000 }],
    lift: {
      absolute: { difference: 0.1, low: 0.0268, high: 0.1501 },
      relative: 1,
      pValue: 0.0143,
      incrementalResponders: { value: 90, low: 24.1, high: 135.1 },
      incrementalRevenue: { value: 5400, low: 2100, high: 8700 },
      minimumDetectableLift: 0.09,
      verdict: 'significant',
    },
    curves: { treated: [0.1, 0.15, 0.2], holdout: [0.05, 0.08, 0.1] },
    summary: 'The message brought a lift',
  };
  const traffic: NonNullable<CampaignReport['traffic']> = {
    days: ['2025-03-23', '2025-03-24', '2025-03-25', '2025-03-26'],
    sendDay: '2025-03-25',
    shops: [
      {
        storeId: 'paris-11',
        name: 'Paris <11e>',
        receipts: [4, 6, 9, 8],
        known: [1, 2, 5, 4],
        averageBasket: [30, 32, 41, 39],
        before: { receiptsPerDay: 5, averageBasket: 31.2 },
        after: { receiptsPerDay: 8.5, averageBasket: 40.06 },
      },
    ],
  };
  const report: CampaignReport = { ...sampleReport, attribution, traffic };

  it('shows both groups, the lift with its interval and the verdict, in French and English', () => {
    const en = reportPage(report);
    expect(en).toContain('Visits the message brought');
    expect(en).toContain('data-verdict="significant"');
    expect(en).toMatch(/<tr data-group="holdout">/);
    expect(en).toContain('10 pts [2.7 pts ; 15 pts]');
    expect(en).toContain('Provisional');
    const fr = reportPage(report, { locale: 'fr' });
    expect(fr).toContain('Visites apportées par le message');
    expect(fr).toContain('Groupe témoin (rien envoyé)');
    expect(fr).toContain('effet significatif');
  });

  it('says the figures are attributed when there is no holdout, and draws the response curves', () => {
    const html = reportPage({
      ...report,
      attribution: {
        ...attribution,
        basis: 'attributed',
        holdout: null,
        lift: null,
        curves: { treated: [0.1, 0.2, 0.3], holdout: null },
      },
    });
    expect(html).toContain('data-basis="attributed"');
    expect(html).toContain('Purchases after the message');
    expect(html).toMatch(/data-curve="treated"/);
    expect(html).not.toMatch(/data-curve="holdout"/);
  });

  it('draws the shops’ traffic with the send marked, escaping the shop names', () => {
    const html = reportPage(report);
    expect(html).toContain('data-send-day="2025-03-25"');
    expect(html.match(/<g data-day=/g)).toHaveLength(4);
    expect(html).toContain('Paris &lt;11e&gt;');
    expect(html).not.toContain('Paris <11e>');
    expect(html).toContain('data-receipts="9"');
  });
});
