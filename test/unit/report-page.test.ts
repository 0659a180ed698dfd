import { describe, expect, it } from 'vitest';
import { esc, reportPage } from '../../functions/domain/report-page';
import type { CampaignReport } from '../../functions/domain/reports';
import { sampleReport, sendingReport } from '../e2e/sample-report';

/** The inline SVG of the funnel, alone. */
const svgOf = (html: string) => {
  const m = /<svg class="funnel"[\s\S]*?<\/svg>/.exec(html);
  if (!m) throw new Error('no funnel SVG');
  return m[0];
};

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
    const bars = [
      ...svg.matchAll(/<rect class="bar[^"]*" data-step="(\w+)" data-count="(\d+)"[^>]*width="([\d.]+)%"/g),
    ];
    expect(bars.map((b) => [b[1], Number(b[2])])).toEqual([
      ['targeted', 1167],
      ['sent', 1147],
      ['delivered', 1131],
      ['opened', 389],
      ['clicked', 96],
    ]);
    const widths = bars.map((b) => Number(b[3]));
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

    it('none set', () => {
      expect(objectiveOf(reportPage({ ...sampleReport, objective: null }))).toContain(
        'No objective was set for this campaign.',
      );
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
  });
});
