/**
 * The report's "cost against post" section: what each channel cost, the discounts given, the same
 * audience by post, the saving, and the return on the revenue.
 */
import type { CampaignReport } from '../../domain/reports/report';
import { esc } from '../html';
import { currencyOf, type Format, type Mix, type Text } from './report-text';

type Cost = NonNullable<CampaignReport['cost']>;

/** Amounts and unit costs in the costs' currency: to the cent, or to four places under one unit (€0.075). */
function costFormat(t: Text, currency: string) {
  const cents = new Intl.NumberFormat(t.tag, { style: 'currency', currency });
  const fine = new Intl.NumberFormat(t.tag, {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  });
  const one = new Intl.NumberFormat(t.tag, { style: 'currency', currency, maximumFractionDigits: 0 });
  const wide = new Intl.NumberFormat(t.tag, { style: 'percent', maximumFractionDigits: 0 });
  return {
    money: (n: number) => (n !== 0 && Math.abs(n) < 1 ? fine : cents).format(n),
    one: () => one.format(1),
    /** A return: one decimal up to 1,000 %, whole percents beyond (email returns run to the thousands). */
    roi: (r: number | null, f: Format) => (r === null ? '—' : Math.abs(r) >= 10 ? wide.format(r) : f.pct(r)),
    /** A share that must not read as all of it when it is not: 99.99 % is "> 99.9 %", not "100.0 %". */
    share: (r: number, f: Format) => (r > 0.999 && r < 1 ? `> ${f.pct(0.999)}` : f.pct(r)),
  };
}

const costTile = (key: string, value: string, label: string, hint: string, cls = '') =>
  `<div class="tile${cls}" data-cost-figure="${esc(key)}"><span class="tile-value">${esc(value)}</span><span class="tile-label">${esc(label)}</span><span class="tile-hint">${esc(hint)}</span></div>`;

const costRow = (key: string, label: string, detail: string, amount: string, cls = '') =>
  `<tr data-cost="${esc(key)}"${cls ? ` class="${cls}"` : ''}><th scope="row">${esc(label)}</th><td class="muted">${esc(detail)}</td><td class="num">${esc(amount)}</td></tr>`;

/** What each channel cost, the provider's own bill apart, the total and the same audience by post. */
function costChannels(c: Cost, t: Text, f: Format, m: ReturnType<typeof costFormat>): string {
  const x = t.cost;
  const rows: string[] = [];
  if (c.email) {
    rows.push(
      costRow(
        'email',
        x.email,
        x.emails(f.int(c.email.sent), m.money(c.email.ratePer1000), f.int(1000)),
        m.money(c.email.cost),
      ),
    );
  }
  if (c.sms) {
    const s = c.sms;
    if (s.byCountry.length === 0) {
      rows.push(
        costRow('sms', x.sms, x.segments(f.int(s.segments), m.money(s.defaultRate)), m.money(s.cost)),
      );
    } else {
      for (const k of s.byCountry) {
        rows.push(
          costRow(
            `sms-${k.country}`,
            `${x.sms} · ${k.country}`,
            x.segments(f.int(k.segments), m.money(k.rate)),
            m.money(k.cost),
          ),
        );
      }
      if (s.otherSegments > 0) {
        rows.push(
          costRow(
            'sms',
            x.sms,
            x.segments(f.int(s.otherSegments), m.money(s.defaultRate)),
            m.money(s.otherSegments * s.defaultRate),
          ),
        );
      }
    }
    if (s.providerBilledUsd !== null) {
      rows.push(costRow('provider', x.provider, x.providerDetail, f.usd(s.providerBilledUsd), 'aside'));
    }
  }
  if (c.discounts !== null && c.discounts > 0)
    rows.push(costRow('discounts', x.discounts, x.discountsDetail, m.money(c.discounts)));
  rows.push(costRow('total', x.total, '', m.money(c.total), 'sum'));
  rows.push(
    costRow(
      'postal',
      x.letters,
      x.lettersDetail(f.int(c.postal.letters), m.money(c.postal.perLetter)),
      m.money(c.postal.cost),
      'postal',
    ),
  );
  return `<table class="costs">
<thead><tr><th scope="col">${esc(x.channel)}</th><th scope="col">${esc(x.detail)}</th><th scope="col" class="num">${esc(x.amount)}</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The redemption revenue against the campaign's cost, and against the letters' for comparison. */
function costReturn(
  r: CampaignReport,
  c: Cost,
  t: Text,
  f: Format,
  m: ReturnType<typeof costFormat>,
): string {
  const x = t.cost;
  if (c.revenue === null) return `<p class="muted">${esc(r.coupons ? x.otherCurrency : x.noOffer)}</p>`;
  const perUnit = x.perUnit(m.one());
  const rows: Array<[string, readonly [string, string], string]> = [
    ['revenue', c.revenueBasis === 'incremental' ? x.incrementalRevenue : x.revenue, m.money(c.revenue)],
    ['roi', x.roi, m.roi(c.roi, f)],
    ['revenuePerEuro', perUnit, c.revenuePerEuro === null ? '—' : m.money(c.revenuePerEuro)],
    ['postalRoi', x.postalRoi, m.roi(c.postalRoi, f)],
  ];
  return `<table class="returns">
<tbody>
${rows
  .map(
    ([k, [label, hint], value]) =>
      `<tr data-return="${esc(k)}"><th scope="row">${esc(label)}<span class="count">${esc(hint)}</span></th><td class="num">${esc(value)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`;
}

/**
 * Cost against post: what the campaign cost, what its audience would have cost
 * by letter, the saving, and the return on the coupons' revenue.
 */
export function cost(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
  const c = r.cost;
  if (!c) return '';
  const x = t.cost;
  const m = costFormat(t, currencyOf(c.currency));
  const messages = (c.email?.sent ?? 0) + (c.sms?.sent ?? 0);
  const floor = mix === 'email+sms' && c.postal.letters < messages;
  return `<section class="card cost" aria-labelledby="cost-h">
<h2 id="cost-h">${esc(x.title)}</h2>
<div class="tiles tiles-3">
${costTile('total', m.money(c.total), x.campaign[0], x.campaign[1][mix])}
${costTile('postal', m.money(c.postal.cost), x.postal[0], x.postal[1](f.int(c.postal.letters), m.money(c.postal.perLetter)))}
${costTile('saving', m.money(c.saving), x.saving[0], c.savingRate === null ? '' : x.saving[1](m.share(c.savingRate, f)), c.saving < 0 ? ' loss' : '')}
</div>
<div class="coupon-grid">
<div class="sub"><h3>${esc(x.byChannel)}</h3>
${costChannels(c, t, f, m)}
</div>
<div class="sub"><h3>${esc(x.return)}</h3>
${costReturn(r, c, t, f, m)}
</div>
</div>
<p class="muted small note">${esc(floor ? `${x.note} ${x.floor}` : x.note)}</p>
</section>`;
}
