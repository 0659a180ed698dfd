/**
 * The human-readable campaign report (`GET /v1/campaigns/{id}/report.html`):
 * one self-contained HTML document — inline CSS, the funnel as inline SVG, no
 * script, no external asset, no web font — that reads on a phone, works
 * offline and prints. Pure: the same report always gives the same page.
 */

import type { CampaignReport, EngagementFigures, LinkFigures, SmsFigures } from '../../domain/reports/report';
import { esc } from '../html';
import { cost } from './report-cost';
import { reportDocument } from './report-document';
import { attribution, traffic } from './report-lift';
import {
  currencyOf,
  type Format,
  formatters,
  type Mix,
  mixOf,
  REPORT_TEXT,
  type ReportLocale,
  type Text,
} from './report-text';

export { REPORT_CSS } from './report-document';

export type { ReportLocale } from './report-text';
export { esc };

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** How the objective's target and actual read: rates as percentages, counts as numbers, revenue as money. */
function kpiValue(kpi: string, value: number | null, f: Format): string {
  if (value === null) return '—';
  if (kpi.endsWith('_rate')) return f.pct(value);
  if (kpi === 'redemptions') return f.int(value);
  if (kpi === 'revenue') return f.money(value);
  return f.num(value);
}

function header(r: CampaignReport, t: Text, f: Format): string {
  const c = r.campaign;
  const status = t.status[c.status] ?? c.status;
  const when = (iso: string) => `<time datetime="${esc(iso)}">${esc(f.date(iso))}</time>`;
  const meta: [string, string][] = [
    [t.template, esc(c.template)],
    [t.created, when(c.createdAt)],
  ];
  if (c.sendRequestedAt) meta.push([t.sendRequested, when(c.sendRequestedAt)]);
  if (c.completedAt) meta.push([t.completed, when(c.completedAt)]);
  return `<header class="top">
<p class="eyebrow">${esc(t.eyebrow)}</p>
<div class="title-row"><h1>${esc(c.name)}</h1><span class="status status-${esc(c.status)}">${esc(status)}</span></div>
<dl class="meta">${meta.map(([k, html]) => `<div><dt>${esc(k)}</dt><dd>${html}</dd></div>`).join('')}</dl>
${c.pausedReason ? `<p class="paused" role="note"><strong>${esc(t.pausedBecause)}</strong> ${esc(c.pausedReason)}</p>` : ''}
</header>`;
}

function objective(r: CampaignReport, t: Text, f: Format): string {
  const o = r.objective;
  if (!o) return `<section class="card objective objective-none"><p>${esc(t.noObjective)}</p></section>`;
  const state = o.met === null ? 'pending' : o.met ? 'met' : 'missed';
  const verdict = o.met === null ? t.notMeasurable : o.met ? t.met : t.notMet;
  const kpi = t.kpi[o.kpi] ?? o.kpi;
  // A gauge on a scale a little past the larger of target and actual, with the target marked.
  const scale = Math.max(o.target, o.actual ?? 0) * 1.25 || 1;
  const at = (v: number) => `${((100 * v) / scale).toFixed(1)}%`;
  const gauge =
    o.actual === null
      ? ''
      : `<div class="gauge" aria-hidden="true"><span class="gauge-fill" style="width:${at(o.actual)}"></span><span class="gauge-target" style="left:${at(o.target)}"></span></div>`;
  return `<section class="card objective objective-${state}" aria-labelledby="objective-h">
<div class="objective-head"><h2 id="objective-h">${esc(t.objective)} · ${esc(kpi)}</h2><span class="verdict" data-objective="${state}">${esc(verdict)}</span></div>
<div class="objective-figures">
<div><span class="label">${esc(t.actual)}</span><span class="big">${esc(kpiValue(o.kpi, o.actual, f))}</span></div>
<div><span class="label">${esc(t.target)}</span><span class="big target">${esc(kpiValue(o.kpi, o.target, f))}</span></div>
</div>
${gauge}${o.actual === null ? `<p class="muted small">${esc(t.notMeasurableDetail)}</p>` : ''}
</section>`;
}

/** One bar of a funnel. */
interface Step {
  /** Names the bar's CSS class (its colour) and its `data-step`. */
  key: string;
  label: string;
  count: number;
  /** The count is not known yet: deliveries before SES reports them. */
  unreported?: boolean;
  shares: string;
}

const share = (f: Format, n: number, d: number, of: string) => {
  const v = ratio(n, d);
  return v === null ? '' : `${f.pct(v)} ${of}`;
};
const both = (...parts: string[]) => parts.filter(Boolean).join(' · ');

type StepDraft = Omit<Step, 'label'> & { key: keyof Text['steps'] };

/** "3 failed · 17 skipped": the non-zero counts, each with its lower-cased label. */
const counts = (f: Format, items: Array<[string, number]>) =>
  items
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${f.int(n)} ${label.toLowerCase()}`)
    .join(' · ');

/** Every message considered, and why some were not sent. */
function targetedStep(r: CampaignReport, t: Text, f: Format): StepDraft {
  const notSent = counts(f, [
    [t.figures.failed?.[0] ?? 'failed', r.failed],
    [t.figures.skipped?.[0] ?? 'skipped', r.skipped],
  ]);
  return { key: 'targeted', count: r.targeted, shares: notSent ? `${t.notSent} ${notSent}` : '' };
}

/** The messages sent out of the targeted ones, and how many are still to go. */
function sentStep(r: CampaignReport, sent: number, t: Text, f: Format): StepDraft {
  return {
    key: 'sent',
    count: sent,
    shares: both(
      share(f, sent, r.targeted, t.of.targeted),
      r.pending > 0 ? `${f.int(r.pending)} ${t.figures.pending?.[0].toLowerCase() ?? 'pending'}` : '',
    ),
  };
}

function funnelSteps(r: CampaignReport, mix: Mix, t: Text, f: Format): Step[] {
  const unreported = r.rateBase === 'sent';
  const pct = (n: number, d: number, of: string) => share(f, n, d, of);
  const sent = mix === 'email' ? r.sent : Math.max(0, r.sent - (r.sms?.sent ?? 0));
  const prior = unreported ? sent : r.delivered;
  const steps: StepDraft[] = [
    ...(mix === 'email'
      ? [targetedStep(r, t, f), sentStep(r, sent, t, f)]
      : [{ key: 'sent' as const, count: sent, shares: '' }]),
    unreported
      ? { key: 'delivered', count: sent, unreported: true, shares: t.notReportedDetail }
      : { key: 'delivered', count: r.delivered, shares: pct(r.delivered, sent, t.of.sent) },
    {
      key: 'opened',
      count: r.opened.uniqueHuman,
      shares: unreported
        ? pct(r.opened.uniqueHuman, sent, t.of.sent)
        : both(pct(r.opened.uniqueHuman, prior, t.of.delivered), pct(r.opened.uniqueHuman, sent, t.of.sent)),
    },
    {
      key: 'clicked',
      count: r.clicked.uniqueHuman,
      shares: both(
        pct(r.clicked.uniqueHuman, r.opened.uniqueHuman, t.of.opened),
        pct(r.clicked.uniqueHuman, sent, t.of.sent),
      ),
    },
  ];
  return steps.map((s) => ({ ...s, label: t.steps[s.key] }));
}

/**
 * A funnel as inline SVG, one labelled bar per step, drawn to the scale of its
 * largest count. Bars are sized in percentages of the SVG's width (no viewBox),
 * so they follow the page's width while the labels keep their size and stay
 * readable on a phone.
 */
function funnelSvg(name: string, title: string, steps: Step[], t: Text, f: Format): string {
  const max = Math.max(1, ...steps.map((s) => s.count));
  const row = 70;
  const height = row * steps.length - 8;
  const summary = `${title}${t.colon}${steps
    .map((s) => `${s.label} ${s.unreported ? t.notReported : f.int(s.count)}`)
    .join(' → ')}`;
  const bars = steps
    .map((s, i) => {
      const y = i * row;
      // A visible sliver for any non-zero count; widths stay in the order of the counts.
      const w = s.count > 0 ? Math.max((100 * s.count) / max, 0.8) : 0;
      const count = s.unreported ? t.notReported : f.int(s.count);
      const key = esc(s.key);
      return `<g class="step step-${key}">
<text class="step-name" x="0" y="${y + 14}">${esc(s.label)}</text>
<text class="step-count${s.unreported ? ' is-unreported' : ''}" x="100%" y="${y + 14}" text-anchor="end">${esc(count)}</text>
<rect class="track" x="0" y="${y + 22}" width="100%" height="20" rx="4"/>
<rect class="bar bar-${key}${s.unreported ? ' unreported' : ''}" data-step="${key}" data-count="${s.count}" x="0" y="${y + 22}" width="${w.toFixed(2)}%" height="20" rx="4"/>
${s.shares ? `<text class="step-share" x="0" y="${y + 58}">${esc(s.shares)}</text>` : ''}
</g>`;
    })
    .join('\n');
  return `<svg class="funnel" data-funnel="${esc(name)}" width="100%" height="${height}" role="img" aria-label="${esc(summary)}" xmlns="http://www.w3.org/2000/svg">
<title>${esc(summary)}</title>
${bars}
</svg>`;
}

/** A card heading, marked as the email's when the campaign also sends SMS. */
const emailTitle = (title: string, mix: Mix, t: Text) =>
  mix === 'email+sms' ? `${title} · ${t.emailTag}` : title;

/** Every message of a campaign that sends both: how many were targeted, and sent on each channel. */
function messagesLine(r: CampaignReport, t: Text, f: Format): string {
  const sms = r.sms?.sent ?? 0;
  const notSent = counts(f, [
    [t.figures.failed?.[0] ?? 'failed', r.failed],
    [t.figures.skipped?.[0] ?? 'skipped', r.skipped],
    [t.figures.pending?.[0] ?? 'pending', r.pending],
  ]);
  const line = both(
    t.messages(f.int(r.targeted), f.int(r.sent), f.int(Math.max(0, r.sent - sms)), f.int(sms)),
    notSent ? `${t.notSent} ${notSent}` : '',
  );
  return `<p class="small messages">${esc(line)}</p>\n`;
}

function funnel(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  if (mix === 'sms') return '';
  const title = mix === 'email+sms' ? t.emailFunnelTitle : t.funnelTitle;
  return `<section class="card" aria-labelledby="funnel-h">
<h2 id="funnel-h">${esc(emailTitle(t.funnel, mix, t))}</h2>
${mix === 'email+sms' ? messagesLine(r, t, f) : ''}${funnelSvg('campaign', title, funnelSteps(r, mix, t, f), t, f)}
<p class="muted small note">${esc(r.rateBase === 'sent' ? t.baseSent : t.baseDelivered)}</p>
</section>`;
}

/** The SMS funnel: sent, delivered, clicked; from the targeted messages when the campaign only texts. */
function smsSteps(r: CampaignReport, s: SmsFigures, mix: Mix, t: Text, f: Format): Step[] {
  // No receipt of any kind yet: the deliveries are unknown, not zero.
  const unreported = s.delivered === 0 && s.undelivered === 0;
  const pct = (n: number, d: number, of: string) => share(f, n, d, of);
  const notSent = counts(f, [
    [t.smsFigures.failed[0], s.failed],
    [t.smsFigures.optedOut[0], s.optedOut],
  ]);
  const clicked = s.clicked.uniqueHuman;
  const steps: StepDraft[] = [
    ...(mix === 'sms'
      ? [targetedStep(r, t, f), sentStep(r, s.sent, t, f)]
      : [{ key: 'sent' as const, count: s.sent, shares: notSent ? `${t.notSent} ${notSent}` : '' }]),
    unreported
      ? { key: 'delivered', count: s.sent, unreported: true, shares: t.notReportedDetail }
      : {
          key: 'delivered',
          count: s.delivered,
          shares: both(
            pct(s.delivered, s.sent, t.of.sent),
            s.undelivered > 0 ? `${f.int(s.undelivered)} ${t.undelivered}` : '',
          ),
        },
    {
      key: 'clicked',
      count: clicked,
      shares: unreported
        ? pct(clicked, s.sent, t.of.sent)
        : both(pct(clicked, s.delivered, t.of.delivered), pct(clicked, s.sent, t.of.sent)),
    },
  ];
  return steps.map((step) => ({ ...step, label: t.steps[step.key] }));
}

function smsFigures(s: SmsFigures, t: Text, f: Format): string {
  const figures: Array<[keyof Text['smsFigures'], string, boolean]> = [
    ['segments', f.int(s.segments), s.segments > 0],
    ['failed', f.int(s.failed), s.failed > 0],
    ['optedOut', f.int(s.optedOut), s.optedOut > 0],
    ['undelivered', f.int(s.undelivered), s.undelivered > 0],
    ...(s.costUsd === null
      ? []
      : [['cost', f.usd(s.costUsd), s.costUsd > 0] as [keyof Text['smsFigures'], string, boolean]]),
  ];
  return `<div class="tiles">
${figures
  .map(([k, value, some]) => {
    const [label, hint] = t.smsFigures[k];
    return `<div class="tile${some ? '' : ' zero'}" data-sms-figure="${k}"><span class="tile-value">${esc(value)}</span><span class="tile-label">${esc(label)}</span><span class="tile-hint">${esc(hint)}</span></div>`;
  })
  .join('\n')}
</div>`;
}

/** The SMS channel: its funnel, what the provider billed or refused, and the clicks on its short links. */
function sms(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  const s = r.sms;
  if (!s || mix === 'email') return '';
  const unreported = s.delivered === 0 && s.undelivered === 0;
  return `<section class="card sms" aria-labelledby="sms-h">
<h2 id="sms-h">${esc(t.sms)}</h2>
${funnelSvg('sms', t.smsFunnelTitle, smsSteps(r, s, mix, t, f), t, f)}
<p class="muted small note">${esc(unreported ? t.smsBaseSent : t.smsBaseDelivered)}</p>
${smsFigures(s, t, f)}
<div class="pm-grid">
${engagementCard(t.smsClicks, t.allClicks, s.clicked, t, f, 'sms-clicks')}
</div>
<h3 id="sms-links-h">${esc(t.smsLinks)}</h3>
${linksBody(s.links, t, f)}
</section>`;
}

type Coupons = NonNullable<CampaignReport['coupons']>;

function couponSteps(c: Coupons, sent: number, t: Text, f: Format): Step[] {
  const of = t.couponOf;
  const steps = [
    { key: 'issued', count: c.issued, shares: share(f, c.issued, sent, t.of.sent) },
    { key: 'viewed', count: c.viewed, shares: share(f, c.viewed, c.issued, of.issued) },
    {
      key: 'printed',
      count: c.printed,
      shares: both(share(f, c.printed, c.viewed, of.viewed), share(f, c.printed, c.issued, of.issued)),
    },
    { key: 'redeemed', count: c.redeemed, shares: share(f, c.redeemed, c.issued, of.issued) },
  ] as const;
  return steps.map((s) => ({ ...s, label: t.couponSteps[s.key] }));
}

function couponFigures(c: Coupons, t: Text, f: Format): string {
  const figures = [
    ['redemptionRate', f.pct(c.redemptionRate)],
    ['revenue', f.money(c.revenue)],
    ['averageBasket', f.money(c.averageBasket)],
  ] as const;
  return `<div class="tiles tiles-3">
${figures
  .map(([k, value]) => {
    const [label, hint] = t.couponFigures[k];
    return `<div class="tile" data-coupon-figure="${k}"><span class="tile-value">${esc(value)}</span><span class="tile-label">${esc(label)}</span><span class="tile-hint">${esc(hint)}</span></div>`;
  })
  .join('\n')}
</div>`;
}

function couponStores(c: Coupons, t: Text, f: Format): string {
  if (c.byStore.length === 0) return `<p class="muted">${esc(t.noStore)}</p>`;
  const total = c.byStore.reduce((sum, s) => sum + s.redeemed, 0);
  const rows = c.byStore
    .map((s) => {
      const part = ratio(s.redeemed, total) ?? 0;
      return `<tr data-store="${esc(s.storeId)}"><th scope="row" class="store-id">${esc(s.storeId)}</th><td class="num">${esc(f.int(s.redeemed))}</td><td class="num share"><span class="meter" aria-hidden="true"><span style="width:${(100 * part).toFixed(1)}%"></span></span>${esc(f.pct(part))}</td></tr>`;
    })
    .join('\n');
  return `<table class="stores">
<thead><tr><th scope="col">${esc(t.store)}</th><th scope="col" class="num">${esc(t.redeemed)}</th><th scope="col" class="num">${esc(t.shareOfRedeemed)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function actionResponse(r: CampaignReport, t: Text, f: Format): string {
  const columns = ['store', 'web', 'phone', 'clickOnly'] as const;
  const rows = r.actionResponse
    .map((a) => {
      const cells = columns
        .map((k) => {
          // The count behind the share, for a reader who thinks in customers rather than percentages.
          const count = f.int(Math.round(a[k] * a.recipients));
          return `<td class="num" data-response="${k}" data-label="${esc(t.responses[k])}"><span class="pct">${esc(f.pct(a[k]))}</span><span class="count">${esc(count)}</span></td>`;
        })
        .join('');
      return `<tr data-action="${esc(a.action)}"><th scope="row">${esc(t.actions[a.action] ?? a.action)}<span class="count">${esc(t.recipients(f.int(a.recipients)))}</span></th>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="matrix">
<thead><tr><th scope="col">${esc(t.action)}</th>${columns.map((k) => `<th scope="col" class="resp">${esc(t.responses[k])}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** The response channel: coupons issued with the email, viewed, printed at home and redeemed at the till. */
function coupons(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  const c = r.coupons;
  if (!c) return '';
  return `<section class="card coupons" aria-labelledby="coupons-h">
<h2 id="coupons-h">${esc(mix === 'email' ? t.coupons : t.couponsAnyChannel)}</h2>
${funnelSvg('coupons', t.couponFunnelTitle, couponSteps(c, r.sent, t, f), t, f)}
${couponFigures(c, t, f)}
<div class="coupon-grid">
<div class="sub"><h3>${esc(t.byStore)}</h3>
${couponStores(c, t, f)}
</div>
<div class="sub"><h3>${esc(t.actionResponse)}</h3>
${actionResponse(r, t, f)}
<p class="muted small note">${esc(t.actionNote)}</p>
</div>
</div>
</section>`;
}

function engagementCard(
  title: string,
  allLabel: string,
  e: EngagementFigures,
  t: Text,
  f: Format,
  kind: string,
): string {
  const all = e.totalHuman + e.totalMachine;
  const human = ratio(e.totalHuman, all);
  const caption = `${allLabel} · ${f.int(all)}`;
  const bar =
    human === null
      ? ''
      : `<p class="split-caption small muted">${esc(caption)}</p>
<div class="split" aria-hidden="true"><span class="split-human" style="width:${(100 * human).toFixed(1)}%"></span><span class="split-machine" style="width:${(100 * (1 - human)).toFixed(1)}%"></span></div>
<p class="split-legend small"><span><i class="dot dot-human"></i>${esc(t.people)} ${esc(f.pct(human))}</span><span><i class="dot dot-machine"></i>${esc(t.machines)} ${esc(f.pct(1 - human))}</span></p>`;
  return `<div class="pm" data-kind="${esc(kind)}">
<h3>${esc(title)}</h3>
<table class="pm-table">
<thead><tr><th scope="col"></th><th scope="col" class="num">${esc(t.people)}</th><th scope="col" class="num">${esc(t.machines)}</th></tr></thead>
<tbody>
<tr><th scope="row">${esc(t.unique)}</th><td class="num human">${esc(f.int(e.uniqueHuman))}</td><td class="num machine">${esc(f.int(e.uniqueMachine))}</td></tr>
<tr><th scope="row">${esc(t.total)}</th><td class="num human">${esc(f.int(e.totalHuman))}</td><td class="num machine">${esc(f.int(e.totalMachine))}</td></tr>
</tbody>
</table>
${bar}
</div>`;
}

function peopleAndMachines(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  if (mix === 'sms') return '';
  return `<section class="card" aria-labelledby="pm-h">
<h2 id="pm-h">${esc(emailTitle(t.peopleMachines, mix, t))}</h2>
<div class="pm-grid">
${engagementCard(t.opens, t.allOpens, r.opened, t, f, 'opens')}
${engagementCard(t.clicks, t.allClicks, r.clicked, t, f, 'clicks')}
</div>
<p class="muted small note">${esc(t.machinesNote)}</p>
</section>`;
}

function rates(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  if (mix === 'sms') return '';
  const b = t.baseNames;
  const rows: [keyof CampaignReport['rates'], string][] = [
    ['delivery', b.sent],
    ['bounce', b.sent],
    ['complaint', b[r.rateBase]],
    ['open', b[r.rateBase]],
    ['click', b[r.rateBase]],
    ['clickToOpen', b.opened],
    ['unsubscribe', b[r.rateBase]],
  ];
  return `<section class="card" aria-labelledby="rates-h">
<h2 id="rates-h">${esc(emailTitle(t.rates, mix, t))}</h2>
<table class="rates">
<thead><tr><th scope="col">${esc(t.rate)}</th><th scope="col" class="num">${esc(t.value)}</th><th scope="col">${esc(t.base)}</th></tr></thead>
<tbody>
${rows
  .map(([k, base]) => {
    // Before any delivery is reported, a delivery rate of 0 % would be wrong: it is unknown.
    const unknown = k === 'delivery' && r.rateBase === 'sent';
    const value = unknown ? '—' : f.pct(r.rates[k]);
    return `<tr data-rate="${k}"><th scope="row">${esc(t.rateNames[k])}</th><td class="num">${esc(value)}</td><td class="muted">${esc(unknown ? `${base}, ${t.notReported}` : base)}</td></tr>`;
  })
  .join('\n')}
</tbody>
</table>
</section>`;
}

/** Bounces, complaints and unsubscribes are the email's: an SMS campaign shows its own figures instead. */
function health(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  if (mix === 'sms') return '';
  const keys = [
    'bounced',
    'softBounced',
    'complained',
    'unsubscribed',
    'rejected',
    'failed',
    'skipped',
    'pending',
  ] as const;
  const tiles = keys
    .map((k) => {
      const [label, hint] = t.figures[k] ?? [k, ''];
      return `<div class="tile${r[k] > 0 ? '' : ' zero'}" data-figure="${k}"><span class="tile-value">${esc(f.int(r[k]))}</span><span class="tile-label">${esc(label)}</span><span class="tile-hint">${esc(hint)}</span></div>`;
    })
    .join('\n');
  return `<section class="card" aria-labelledby="health-h">
<h2 id="health-h">${esc(t.health)}</h2>
<div class="tiles">
${tiles}
</div>
</section>`;
}

/** A table of links and their clicks, or a line saying none was clicked. */
function linksBody(list: LinkFigures[], t: Text, f: Format): string {
  if (list.length === 0) return `<p class="muted">${esc(t.noLinks)}</p>`;
  const rows = list
    .map(
      (l) => `<tr>
<td class="idx">${esc(l.index + 1)}</td>
<td class="url-cell"><span class="url" title="${esc(l.url)}">${esc(l.url)}</span></td>
<td class="num" data-label="${esc(t.uniquePeople)}">${esc(f.int(l.uniqueHuman))}</td>
<td class="num" data-label="${esc(t.totalPeople)}">${esc(f.int(l.totalHuman))}</td>
<td class="num machine" data-label="${esc(t.machineClicks)}">${esc(f.int(l.totalMachine))}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="links">
<colgroup><col class="c-idx"><col><col class="c-num"><col class="c-num"><col class="c-num"></colgroup>
<thead><tr><th scope="col" class="idx">#</th><th scope="col">${esc(t.link)}</th><th scope="col" class="num">${esc(t.uniquePeople)}</th><th scope="col" class="num">${esc(t.totalPeople)}</th><th scope="col" class="num">${esc(t.machineClicks)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="muted small note">${esc(t.linksNote)}</p>`;
}

function links(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  if (mix === 'sms') return '';
  const title = esc(emailTitle(t.links, mix, t));
  if (r.links.length === 0) {
    return `<section class="card" aria-labelledby="links-h"><h2 id="links-h">${title}</h2>${linksBody(r.links, t, f)}</section>`;
  }
  return `<section class="card" aria-labelledby="links-h">
<h2 id="links-h">${title}</h2>
${linksBody(r.links, t, f)}
</section>`;
}

/** The report as a complete HTML document, in English unless `locale` is 'fr'. */
export function reportPage(
  report: CampaignReport,
  opts?: {
    locale?: ReportLocale /** ISO 4217 code of the revenue and baskets; EUR by default. */;
    currency?: string;
  },
): string {
  const locale: ReportLocale = opts?.locale === 'fr' ? 'fr' : 'en';
  const t = REPORT_TEXT[locale];
  const f = formatters(t, currencyOf(opts?.currency));
  const mix = mixOf(report);
  return reportDocument(
    locale,
    `${t.eyebrow} · ${report.campaign.name}`,
    `${header(report, t, f)}
${objective(report, t, f)}
${funnel(report, mix, t, f)}
${sms(report, mix, t, f)}
${coupons(report, mix, t, f)}
${attribution(report, locale, f)}
${traffic(report, locale, f)}
${cost(report, mix, t, f)}
${peopleAndMachines(report, mix, t, f)}
${rates(report, mix, t, f)}
${health(report, mix, t, f)}
${links(report, mix, t, f)}
<footer>${esc(t.campaignId)} ${esc(report.campaign.id)} · ${esc(t.timesUtc)}</footer>`,
  );
}
