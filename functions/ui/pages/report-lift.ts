/**
 * The report's sections on what the message brought: purchases after it, against the holdout
 * (groups, lift, verdict, cumulative response curves), and the shops' till traffic around the send.
 */
import type { CampaignReport } from '../../domain/reports/report';
import { esc } from '../html';
import type { Format, ReportLocale } from './report-text';

const ATTRIBUTION_TEXT = {
  en: {
    title: 'Visits the message brought',
    titleAttributed: 'Purchases after the message',
    window: (days: string) =>
      `Purchases within ${days} days of the message, every channel (till receipts, web, phone, coupons).`,
    attributedNote:
      'No holdout group: these are purchases of recipients after the message (attributed), not what the message brought (incremental). Give the campaign a holdout to measure the lift.',
    provisional: (until: string) => `Provisional: the window is open until ${until}.`,
    group: 'Group',
    treated: 'Recipients',
    holdout: 'Holdout (nothing sent)',
    people: 'People',
    responders: 'Bought',
    rate: 'Response rate (95% interval)',
    receipts: 'Receipts per person',
    revenue: 'Revenue per person',
    basket: 'Average basket',
    lift: 'Lift',
    absolute: 'Difference in response rate (95% interval)',
    relative: 'Relative lift',
    pValue: 'p-value (two-proportion z-test)',
    incremental: 'Customers brought (95% interval)',
    incrementalRevenue: 'Revenue brought (95% interval)',
    costPerVisit: 'Cost per customer brought',
    points: (x: string) => `${x} pts`,
    verdict: {
      significant: (d: string, lo: string, hi: string) =>
        `The message brought a lift of ${d} in customers who bought (95% interval ${lo} to ${hi}): significant.`,
      not_significant: (d: string, lo: string, hi: string, p: string) =>
        `No significant lift: ${d} (95% interval ${lo} to ${hi}, p = ${p}).`,
      too_small_to_tell: (mde: string, d: string) =>
        `Too small to tell: groups of this size detect only a lift of ${mde} or more (observed ${d}).`,
    },
    emptyHoldout: 'The holdout group has nobody yet: no lift can be measured.',
    curves: 'Who had bought, day by day after the message',
    curvesLabel: (t: string, h: string) =>
      `Cumulative response: recipients ${t}, holdout ${h} at the end of the window`,
    day: (n: string) => `day ${n}`,
    traffic: 'Shop traffic around the send',
    trafficLabel: (before: string, after: string) =>
      `Till receipts per day, all shops: ${before} before the send, ${after} since`,
    trafficNote: 'Receipts of every customer, known (dark) or anonymous (light); the line marks the send.',
    shop: 'Shop',
    beforeSend: 'Before (receipts/day · basket)',
    afterSend: 'Since (receipts/day · basket)',
  },
  fr: {
    title: 'Visites apportées par le message',
    titleAttributed: 'Achats après le message',
    window: (days: string) =>
      `Achats dans les ${days} jours suivant le message, tous canaux (tickets de caisse, web, téléphone, coupons).`,
    attributedNote:
      'Pas de groupe témoin : ce sont les achats des destinataires après le message (attribués), pas ce que le message a apporté (incrémental). Donnez un groupe témoin à la campagne pour mesurer l’effet.',
    provisional: (until: string) => `Provisoire : la fenêtre reste ouverte jusqu’au ${until}.`,
    group: 'Groupe',
    treated: 'Destinataires',
    holdout: 'Groupe témoin (rien envoyé)',
    people: 'Personnes',
    responders: 'Ont acheté',
    rate: 'Taux de réponse (intervalle à 95 %)',
    receipts: 'Tickets par personne',
    revenue: 'CA par personne',
    basket: 'Panier moyen',
    lift: 'Effet du message',
    absolute: 'Écart de taux de réponse (intervalle à 95 %)',
    relative: 'Effet relatif',
    pValue: 'p-valeur (test z de deux proportions)',
    incremental: 'Clients apportés (intervalle à 95 %)',
    incrementalRevenue: 'CA apporté (intervalle à 95 %)',
    costPerVisit: 'Coût par client apporté',
    points: (x: string) => `${x} pts`,
    verdict: {
      significant: (d: string, lo: string, hi: string) =>
        `Le message a apporté ${d} de clients acheteurs en plus (intervalle à 95 % : ${lo} à ${hi}) : effet significatif.`,
      not_significant: (d: string, lo: string, hi: string, p: string) =>
        `Pas d’effet significatif : ${d} (intervalle à 95 % : ${lo} à ${hi}, p = ${p}).`,
      too_small_to_tell: (mde: string, d: string) =>
        `Trop petit pour conclure : des groupes de cette taille ne détectent qu’un effet d’au moins ${mde} (observé : ${d}).`,
    },
    emptyHoldout: 'Le groupe témoin est encore vide : aucun effet ne peut être mesuré.',
    curves: 'Qui avait acheté, jour après jour après le message',
    curvesLabel: (t: string, h: string) =>
      `Réponse cumulée : destinataires ${t}, groupe témoin ${h} en fin de fenêtre`,
    day: (n: string) => `jour ${n}`,
    traffic: 'Fréquentation des magasins autour de l’envoi',
    trafficLabel: (before: string, after: string) =>
      `Tickets de caisse par jour, tous magasins : ${before} avant l’envoi, ${after} depuis`,
    trafficNote: 'Tickets de tous les clients, connus (foncé) ou anonymes (clair) ; le trait marque l’envoi.',
    shop: 'Magasin',
    beforeSend: 'Avant (tickets/jour · panier)',
    afterSend: 'Depuis (tickets/jour · panier)',
  },
} as const;

/** Cumulative response of the two groups over the window, as two lines of inline SVG. */
function curvesSvg(a: NonNullable<CampaignReport['attribution']>, x: AttributionText, f: Format): string {
  const series = [
    ['treated', a.curves.treated],
    ...(a.curves.holdout ? [['holdout', a.curves.holdout] as const] : []),
  ] as const;
  const days = a.curves.treated.length;
  const top = Math.max(0.01, ...series.flatMap(([, c]) => c));
  const w = 600;
  const h = 160;
  const point = (v: number, i: number) =>
    `${((w * (i + 1)) / days).toFixed(1)},${(h - (h * v) / top).toFixed(1)}`;
  const lines = series
    .map(
      ([key, c]) =>
        `<polyline class="curve curve-${key}" data-curve="${key}" fill="none" points="0,${h} ${c.map(point).join(' ')}"/>`,
    )
    .join('\n');
  const label = x.curvesLabel(f.pct(a.curves.treated.at(-1) ?? 0), f.pct(a.curves.holdout?.at(-1) ?? null));
  return `<svg class="curves" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" width="100%" height="${h}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">
<title>${esc(label)}</title>
<line class="axis" x1="0" y1="${h}" x2="${w}" y2="${h}"/>
${lines}
</svg>
<p class="muted small">${esc(`${x.day('1')} → ${x.day(f.int(days))}`)} · <span class="key key-treated">${esc(x.treated)}</span> · <span class="key key-holdout">${esc(x.holdout)}</span></p>`;
}

/** Till receipts per day around the send, every shop together, known and anonymous, and per shop before/after. */
export function traffic(r: CampaignReport, locale: ReportLocale, f: Format): string {
  const tr = r.traffic;
  if (!tr || tr.days.length === 0) return '';
  const x = ATTRIBUTION_TEXT[locale];
  const n = tr.days.length;
  const all = tr.days.map((_, i) => tr.shops.reduce((s, sh) => s + (sh.receipts[i] ?? 0), 0));
  const known = tr.days.map((_, i) => tr.shops.reduce((s, sh) => s + (sh.known[i] ?? 0), 0));
  const split = tr.days.indexOf(tr.sendDay);
  const avg = (from: number, to: number) =>
    to > from ? all.slice(from, to).reduce((a, b) => a + b, 0) / (to - from) : 0;
  const before = avg(0, split < 0 ? n : split);
  const after = avg(split < 0 ? n : split, n);
  const max = Math.max(1, ...all);
  const w = 600;
  const h = 140;
  const bw = w / n;
  const bars = tr.days
    .map((d, i) => {
      const ha = (h * (all[i] ?? 0)) / max;
      const hk = (h * (known[i] ?? 0)) / max;
      const xPos = (i * bw).toFixed(1);
      const width = Math.max(1, bw - 1).toFixed(1);
      return `<g data-day="${esc(d)}" data-receipts="${all[i]}"><rect class="bar-anonymous" x="${xPos}" y="${(h - ha).toFixed(1)}" width="${width}" height="${ha.toFixed(1)}"/><rect class="bar-known" x="${xPos}" y="${(h - hk).toFixed(1)}" width="${width}" height="${hk.toFixed(1)}"/></g>`;
    })
    .join('\n');
  const marker =
    split >= 0
      ? `<line class="send-marker" data-send-day="${esc(tr.sendDay)}" x1="${(split * bw).toFixed(1)}" y1="0" x2="${(split * bw).toFixed(1)}" y2="${h}"/>`
      : '';
  const label = x.trafficLabel(f.num(Math.round(before * 10) / 10), f.num(Math.round(after * 10) / 10));
  const rows = tr.shops
    .map(
      (s) =>
        `<tr data-shop="${esc(s.storeId)}"><th scope="row">${esc(s.name)}</th><td class="num">${esc(`${f.num(s.before.receiptsPerDay)} · ${f.money(s.before.averageBasket)}`)}</td><td class="num">${esc(`${f.num(s.after.receiptsPerDay)} · ${f.money(s.after.averageBasket)}`)}</td></tr>`,
    )
    .join('\n');
  return `<section class="card traffic" aria-labelledby="traffic-h">
<h2 id="traffic-h">${esc(x.traffic)}</h2>
<svg class="traffic-chart" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" width="100%" height="${h}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">
<title>${esc(label)}</title>
${bars}
${marker}
</svg>
<p class="muted small">${esc(`${f.date(`${tr.days[0]}T00:00:00Z`)} → ${f.date(`${tr.days.at(-1)}T00:00:00Z`)}`)} · ${esc(x.trafficNote)}</p>
<table class="traffic-shops">
<thead><tr><th scope="col">${esc(x.shop)}</th><th scope="col" class="num">${esc(x.beforeSend)}</th><th scope="col" class="num">${esc(x.afterSend)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

type AttributionText = (typeof ATTRIBUTION_TEXT)[ReportLocale];

/** Purchases after the message, recipients against the holdout, and the lift with its intervals. */
export function attribution(r: CampaignReport, locale: ReportLocale, f: Format): string {
  const a = r.attribution;
  if (!a) return '';
  const x = ATTRIBUTION_TEXT[locale];
  const pts = (d: number) => x.points(f.num(Math.round(d * 1000) / 10));
  const interval = (v: { low: number; high: number }, show: (n: number) => string) =>
    `[${show(v.low)} ; ${show(v.high)}]`;
  const row = (name: string, g: NonNullable<typeof a.holdout>, key: string) =>
    `<tr data-group="${key}"><th scope="row">${esc(name)}</th><td class="num">${esc(f.int(g.people))}</td><td class="num">${esc(f.int(g.responders))}</td><td class="num">${esc(g.responseRate ? `${f.pct(g.responseRate.rate)} ${interval(g.responseRate, f.pct)}` : '—')}</td><td class="num">${esc(g.receiptsPerPerson === null ? '—' : f.num(g.receiptsPerPerson))}</td><td class="num">${esc(f.money(g.revenuePerPerson === null ? null : Math.round(g.revenuePerPerson * 100) / 100))}</td><td class="num">${esc(f.money(g.averageBasket === null ? null : Math.round(g.averageBasket * 100) / 100))}</td></tr>`;
  const groups = `<table class="lift-groups">
<thead><tr><th scope="col">${esc(x.group)}</th><th scope="col" class="num">${esc(x.people)}</th><th scope="col" class="num">${esc(x.responders)}</th><th scope="col" class="num">${esc(x.rate)}</th><th scope="col" class="num">${esc(x.receipts)}</th><th scope="col" class="num">${esc(x.revenue)}</th><th scope="col" class="num">${esc(x.basket)}</th></tr></thead>
<tbody>
${row(x.treated, a.treated, 'treated')}
${a.holdout ? row(x.holdout, a.holdout, 'holdout') : ''}
</tbody>
</table>`;
  const l = a.lift;
  const costTotal = r.cost?.total;
  const lift = l
    ? (() => {
        const d = pts(l.absolute.difference);
        const lo = pts(l.absolute.low);
        const hi = pts(l.absolute.high);
        const verdict =
          l.verdict === 'significant'
            ? x.verdict.significant(d, lo, hi)
            : l.verdict === 'not_significant'
              ? x.verdict.not_significant(d, lo, hi, f.num(Math.round(l.pValue * 100) / 100))
              : x.verdict.too_small_to_tell(pts(l.minimumDetectableLift), d);
        const rows: [string, string, string][] = [
          ['absolute', x.absolute, `${d} [${lo} ; ${hi}]`],
          ['relative', x.relative, l.relative === null ? '—' : f.pct(l.relative)],
          ['pValue', x.pValue, f.num(Math.round(l.pValue * 1000) / 1000)],
          [
            'incremental',
            x.incremental,
            `${f.num(Math.round(l.incrementalResponders.value))} ${interval(l.incrementalResponders, (n) => f.num(Math.round(n)))}`,
          ],
          ...(l.incrementalRevenue
            ? [
                [
                  'incrementalRevenue',
                  x.incrementalRevenue,
                  `${f.money(l.incrementalRevenue.value)} ${interval(l.incrementalRevenue, f.money)}`,
                ] as [string, string, string],
              ]
            : []),
          ...(costTotal !== undefined && l.incrementalResponders.value > 0
            ? [
                [
                  'costPerVisit',
                  x.costPerVisit,
                  f.money(Math.round((costTotal / l.incrementalResponders.value) * 100) / 100),
                ] as [string, string, string],
              ]
            : []),
        ];
        return `<h3>${esc(x.lift)}</h3>
<p class="verdict" data-verdict="${esc(l.verdict)}">${esc(verdict)}</p>
<table class="lift"><tbody>
${rows.map(([k, label, v]) => `<tr data-lift="${esc(k)}"><th scope="row">${esc(label)}</th><td class="num">${esc(v)}</td></tr>`).join('\n')}
</tbody></table>`;
      })()
    : a.holdout
      ? `<p class="muted">${esc(x.emptyHoldout)}</p>`
      : `<p class="muted" data-basis="attributed">${esc(x.attributedNote)}</p>`;
  return `<section class="card attribution" aria-labelledby="attribution-h">
<h2 id="attribution-h">${esc(a.basis === 'incremental' ? x.title : x.titleAttributed)}</h2>
<p class="muted small">${esc(x.window(f.int(a.windowDays)))}${a.provisional && a.windowEndsAt ? ` ${esc(x.provisional(f.date(a.windowEndsAt)))}` : ''}</p>
${groups}
${lift}
<h3>${esc(x.curves)}</h3>
${curvesSvg(a, x, f)}
</section>`;
}
