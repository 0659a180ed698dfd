/**
 * The management view as a page (`GET /v1/reports/summary.html`): per campaign and per automation,
 * messages, cost, the postal equivalent, attributed and incremental visits and revenue, and the
 * cost per visit brought. Self-contained like the campaign report (inline CSS, no script).
 */
import type { Summary, SummaryLine } from '../../domain/reports/summary';
import { esc } from '../html';
import { reportDocument } from './report-document';
import type { ReportLocale } from './report-text';

const TEXT = {
  en: {
    tag: 'en-GB',
    title: 'What the messages brought',
    period: (from: string, to: string) =>
      `Campaigns and automations that started sending from ${from} to ${to}.`,
    kind: { campaign: 'Campaign', automation: 'Automation' },
    cols: [
      'Name',
      'Messages',
      'Cost',
      'By post',
      'Attributed visits',
      'Attributed revenue',
      'Visits brought',
      'Revenue brought',
      'Cost per visit brought',
    ],
    total: 'Total',
    none: 'No campaign started sending in this period.',
    note: 'Attributed: recipients who bought within the window after their message. Brought: the difference with the holdout group (— without one). Cost: messages and the discounts given.',
    provisional: 'provisional',
  },
  fr: {
    tag: 'fr-FR',
    title: 'Ce que les messages ont apporté',
    period: (from: string, to: string) =>
      `Campagnes et automatisations dont l’envoi a commencé du ${from} au ${to}.`,
    kind: { campaign: 'Campagne', automation: 'Automatisation' },
    cols: [
      'Nom',
      'Messages',
      'Coût',
      'Par courrier',
      'Visites attribuées',
      'CA attribué',
      'Visites apportées',
      'CA apporté',
      'Coût par visite apportée',
    ],
    total: 'Total',
    none: 'Aucune campagne n’a commencé à envoyer sur cette période.',
    note: 'Attribuées : destinataires ayant acheté dans la fenêtre suivant leur message. Apportées : l’écart avec le groupe témoin (— sans groupe témoin). Coût : messages et remises accordées.',
    provisional: 'provisoire',
  },
} as const;

export function summaryPage(summary: Summary, locale: ReportLocale = 'en'): string {
  const t = TEXT[locale];
  const int = new Intl.NumberFormat(t.tag, { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(t.tag, { style: 'currency', currency: summary.currency });
  const day = new Intl.DateTimeFormat(t.tag, { dateStyle: 'long', timeZone: 'UTC' });
  const m = (x: number | null) => (x === null ? '—' : money.format(x));
  const n = (x: number | null) => (x === null ? '—' : int.format(x));
  const cells = (l: Omit<SummaryLine, 'kind' | 'id' | 'name'>) =>
    [
      n(l.messages),
      m(l.cost),
      m(l.postal),
      n(l.attributedVisits),
      m(l.attributedRevenue),
      n(l.incrementalVisits),
      m(l.incrementalRevenue),
      m(l.costPerIncrementalVisit),
    ]
      .map((v) => `<td class="num">${esc(v)}</td>`)
      .join('');
  const rows = summary.lines
    .map(
      (l) =>
        `<tr data-line="${esc(l.id)}"><th scope="row">${esc(l.name)} <span class="muted small">${esc(t.kind[l.kind])}${l.provisional ? ` · ${esc(t.provisional)}` : ''}</span></th>${cells(l)}</tr>`,
    )
    .join('\n');
  const to = new Date(Date.parse(summary.to) - 1).toISOString();
  return reportDocument(
    locale,
    t.title,
    `<section class="card" aria-labelledby="summary-h">
<h1 id="summary-h">${esc(t.title)}</h1>
<p class="muted">${esc(t.period(day.format(new Date(summary.from)), day.format(new Date(to))))}</p>
${
  summary.lines.length === 0
    ? `<p>${esc(t.none)}</p>`
    : `<table class="summary">
<thead><tr>${t.cols.map((c, i) => `<th scope="col"${i ? ' class="num"' : ''}>${esc(c)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr data-line="total"><th scope="row">${esc(t.total)}</th>${cells(summary.totals)}</tr></tfoot>
</table>`
}
<p class="muted small note">${esc(t.note)}</p>
</section>`,
  );
}
