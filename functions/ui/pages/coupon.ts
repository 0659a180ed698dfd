/**
 * The printable coupon (`GET /c/{token}`): one self-contained HTML document — inline CSS, no
 * script, no web font, no asset other than the barcode and QR images it is given — that reads on a
 * phone held out at the till and prints on A4 with the coupon sized as an A6 card to cut out.
 * Pure: the same input always gives the same page.
 *
 * `couponView` holds every text of the coupon, localised and formatted, so the HTML page and the
 * PDF (coupon-pdf.ts) always say the same thing.
 */
import { formatCode } from '../../domain/coupons/codes';
import { type Coupon, couponState, offerText } from '../../domain/coupons/coupon';
import { DEFAULT_TIME_ZONE } from '../../domain/shared/time';
import type { Store } from '../../domain/stores/store';
import { storeVars } from '../../domain/templates/render';
import { esc } from '../html';

export type CouponLocale = 'fr' | 'en';

/** What both the page and the PDF need: the coupon, where it is valid, and whose it is. */
export interface CouponViewInput {
  coupon: Coupon;
  /** The shops to list, in order: those of `coupon.stores`, or every shop when it is `all`. */
  stores: Store[];
  locale: CouponLocale;
  /** The sender and its postal address (footer). */
  company: { name: string; address: string };
  /** When the page is shown, for the used/expired banners; now by default. */
  now?: Date;
  /** The time zone dates are shown in; Europe/Paris by default. */
  timeZone?: string;
}

export interface CouponPageInput extends CouponViewInput {
  /** The Code 128 image (see adapters/barcodes.ts). */
  barcodeUrl: string;
  /** The QR code image. */
  qrUrl: string;
  /** The same coupon as an A6 PDF. */
  pdfUrl: string;
  /** Fetched only when the page is printed (see the print beacon below). */
  printBeaconUrl: string;
}

/** What the page says about the coupon's state; `wrong_store` does not apply to a customer's page. */
export type CouponViewState = 'valid' | 'not_yet_valid' | 'expired' | 'redeemed' | 'voided';

/** Every text of a coupon, localised, formatted and not yet escaped. */
export interface CouponView {
  lang: CouponLocale;
  state: CouponViewState;
  /** Shown above the coupon when it cannot be used now. */
  banner?: { kind: 'alert' | 'info'; title: string; detail: string };
  /** A word stamped across a coupon that can no longer be used ("Used", "Expired"). */
  stamp?: string;
  title: string;
  eyebrow: string;
  greeting: string;
  /** The value in a few characters: "−20 %", "€10 off", "Free gift". */
  headline: string;
  offer: string;
  /** The minimum basket, if any. */
  condition?: string;
  codeLabel: string;
  /** The code as printed: `XXXX-XXXX-XXXX-X`. */
  code: string;
  validity: string;
  /** Where it can be used, in one line. */
  where: string;
  instruction: string;
  barcodeAlt: string;
  qrAlt: string;
  company: { name: string; address: string };
}

const TEXT = {
  en: {
    tag: 'en-GB',
    eyebrow: 'Personal coupon',
    greeting: (name: string) => `${name}, this offer is for you`,
    greetingAnonymous: 'An offer just for you',
    percentOff: (v: string) => `−${v}`,
    amountOff: (v: string) => `−${v}`,
    gift: 'Free gift',
    minBasket: (v: string) => `With a minimum spend of ${v}`,
    codeLabel: 'Your code',
    validUntil: (until: string) => `Valid until ${until}`,
    validBetween: (from: string, until: string) => `Valid from ${from} until ${until}`,
    allShops: 'Valid in all our shops',
    oneShop: (name: string) => `Valid at ${name} only`,
    someShops: (n: number) => `Valid in ${n} of our shops`,
    instruction: 'Show it at the till, printed or on your phone.',
    barcodeAlt: (code: string) => `Barcode of coupon code ${code}`,
    qrAlt: (code: string) => `QR code of coupon code ${code}`,
    redeemedTitle: 'This coupon has already been used',
    redeemedDetail: (at: string, shop: string | undefined) =>
      shop ? `It was used at ${shop} on ${at}.` : `It was used on ${at}.`,
    redeemedNoDate: 'It can be used only once.',
    expiredTitle: 'This coupon has expired',
    expiredDetail: (until: string) => `It was valid until ${until}.`,
    voidedTitle: 'This coupon has been cancelled',
    voidedDetail: 'It can no longer be used.',
    notYetTitle: 'This coupon is not valid yet',
    notYetDetail: (from: string) => `You can use it from ${from}.`,
    stamp: { redeemed: 'Used', expired: 'Expired', voided: 'Void' },
    printHint: 'Print this page (Ctrl+P or ⌘P) and cut out the coupon, or show it on your phone at the till.',
    pdf: 'Download the coupon (PDF)',
    cutHint: 'Cut along the dotted line',
    whereTitle: 'Where to use it',
    whereAll: 'In all our shops, including:',
    whereOne: 'In this shop only:',
    whereSome: 'In these shops:',
    hours: 'Opening hours',
    map: 'See on a map',
  },
  fr: {
    tag: 'fr-FR',
    eyebrow: 'Coupon personnel',
    greeting: (name: string) => `${name}, cette offre est pour vous`,
    greetingAnonymous: 'Une offre rien que pour vous',
    percentOff: (v: string) => `−${v}`,
    amountOff: (v: string) => `−${v}`,
    gift: 'Cadeau offert',
    minBasket: (v: string) => `Dès ${v} d’achat`,
    codeLabel: 'Votre code',
    validUntil: (until: string) => `Valable jusqu’au ${until}`,
    validBetween: (from: string, until: string) => `Valable du ${from} au ${until}`,
    allShops: 'Valable dans tous nos magasins',
    oneShop: (name: string) => `Valable uniquement au magasin ${name}`,
    someShops: (n: number) => `Valable dans ${n} de nos magasins`,
    instruction: 'À présenter en caisse, imprimé ou sur votre téléphone.',
    barcodeAlt: (code: string) => `Code-barres du coupon ${code}`,
    qrAlt: (code: string) => `QR code du coupon ${code}`,
    redeemedTitle: 'Ce coupon a déjà été utilisé',
    redeemedDetail: (at: string, shop: string | undefined) =>
      shop ? `Il a été utilisé le ${at} au magasin ${shop}.` : `Il a été utilisé le ${at}.`,
    redeemedNoDate: 'Il ne peut être utilisé qu’une fois.',
    expiredTitle: 'Ce coupon a expiré',
    expiredDetail: (until: string) => `Il était valable jusqu’au ${until}.`,
    voidedTitle: 'Ce coupon a été annulé',
    voidedDetail: 'Il ne peut plus être utilisé.',
    notYetTitle: 'Ce coupon n’est pas encore valable',
    notYetDetail: (from: string) => `Vous pourrez l’utiliser à partir du ${from}.`,
    stamp: { redeemed: 'Utilisé', expired: 'Expiré', voided: 'Annulé' },
    printHint:
      'Imprimez cette page (Ctrl+P ou ⌘P) et découpez le coupon, ou présentez-le en caisse sur votre téléphone.',
    pdf: 'Télécharger le coupon (PDF)',
    cutHint: 'Découpez en suivant les pointillés',
    whereTitle: 'Où l’utiliser',
    whereAll: 'Dans tous nos magasins, dont :',
    whereOne: 'Uniquement dans ce magasin :',
    whereSome: 'Dans ces magasins :',
    hours: 'Horaires d’ouverture',
    map: 'Voir sur une carte',
  },
} as const;

type Text = (typeof TEXT)[CouponLocale];

/** Dates as a customer reads them, in the shop's time zone rather than the server's. */
class Dates {
  private readonly date: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly clock: Intl.DateTimeFormat;

  constructor(tag: string, timeZone: string) {
    this.date = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone });
    this.dateTime = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeStyle: 'short', timeZone });
    this.clock = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
  }

  /** Minutes since local midnight. */
  private minuteOfDay(d: Date): number {
    const parts = this.clock.formatToParts(d);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return get('hour') * 60 + get('minute');
  }

  /** A moment, with its time unless it is local midnight. */
  from(iso: string): string {
    const d = new Date(iso);
    return this.minuteOfDay(d) === 0 ? this.date.format(d) : this.dateTime.format(d);
  }

  /**
   * The end of a validity window, said as a customer expects: an end at local midnight is "until
   * the day before" (inclusive), an end at 23:59 is that day, and any other end keeps its time —
   * a coupon that stops at 14:32 must not read as valid all afternoon.
   */
  until(iso: string): string {
    const d = new Date(iso);
    const minute = this.minuteOfDay(d);
    if (minute === 0) return this.date.format(new Date(d.getTime() - 1));
    if (minute === 23 * 60 + 59) return this.date.format(d);
    return this.dateTime.format(d);
  }

  at(iso: string): string {
    return this.dateTime.format(new Date(iso));
  }

  /** Dates in a time zone, Europe/Paris when none is given or Intl does not know it (a typo in a shop's setting). */
  static for(tag: string, timeZone: string | undefined): Dates {
    try {
      return new Dates(tag, timeZone ?? DEFAULT_TIME_ZONE);
    } catch {
      return new Dates(tag, DEFAULT_TIME_ZONE);
    }
  }
}

/** A money amount without cents when it has none: "50 €", "€12.50". */
function money(tag: string, value: number, currency: string): string {
  const whole = Number.isInteger(value);
  return new Intl.NumberFormat(tag, {
    style: 'currency',
    currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: whole ? 0 : 2,
  }).format(value);
}

function headline(coupon: Coupon, t: Text): string {
  const { offer } = coupon;
  if (offer.kind === 'gift' || offer.value === undefined) return t.gift;
  if (offer.kind === 'percent') {
    const pct = new Intl.NumberFormat(t.tag, { style: 'percent', maximumFractionDigits: 1 }).format(
      offer.value / 100,
    );
    return t.percentOff(pct);
  }
  return t.amountOff(money(t.tag, offer.value, offer.currency ?? 'EUR'));
}

function viewState(coupon: Coupon, now: Date): CouponViewState {
  const state = couponState(coupon, '', now);
  if (state === 'already_redeemed') return 'redeemed';
  if (state === 'expired' || state === 'voided' || state === 'not_yet_valid') return state;
  // `wrong_store` (no till here) and `valid` both mean the customer may use it.
  return 'valid';
}

function storeName(stores: Store[], id: string): string | undefined {
  return stores.find((s) => s.id === id)?.name;
}

/** Every text of the coupon, in the page's language, ready to escape (HTML) or encode (PDF). */
export function couponPageView(input: CouponViewInput): CouponView {
  const { coupon, stores, locale, company } = input;
  const t = TEXT[locale];
  const dates = Dates.for(t.tag, input.timeZone);
  const state = viewState(coupon, input.now ?? new Date());
  const code = formatCode(coupon.code);
  const offer = offerText(coupon.offer, locale);

  // A fixed start later than the day of issue is worth saying; otherwise the coupon is valid now.
  const laterStart = Date.parse(coupon.validFrom) > Date.parse(coupon.issuedAt) + 60_000;
  const validity = laterStart
    ? t.validBetween(dates.from(coupon.validFrom), dates.until(coupon.validUntil))
    : t.validUntil(dates.until(coupon.validUntil));

  let where: string;
  if (coupon.stores === 'all') where = t.allShops;
  else {
    const [only] = coupon.stores;
    const onlyName = coupon.stores.length === 1 && only !== undefined ? storeName(stores, only) : undefined;
    where = onlyName ? t.oneShop(onlyName) : t.someShops(coupon.stores.length);
  }

  let banner: CouponView['banner'];
  let stamp: string | undefined;
  if (state === 'redeemed') {
    const r = coupon.redemption;
    const detail = r ? t.redeemedDetail(dates.at(r.at), storeName(stores, r.storeId)) : t.redeemedNoDate;
    banner = { kind: 'alert', title: t.redeemedTitle, detail };
    stamp = t.stamp.redeemed;
  } else if (state === 'expired') {
    banner = {
      kind: 'alert',
      title: t.expiredTitle,
      detail: t.expiredDetail(dates.until(coupon.validUntil)),
    };
    stamp = t.stamp.expired;
  } else if (state === 'voided') {
    banner = { kind: 'alert', title: t.voidedTitle, detail: t.voidedDetail };
    stamp = t.stamp.voided;
  } else if (state === 'not_yet_valid') {
    banner = { kind: 'info', title: t.notYetTitle, detail: t.notYetDetail(dates.from(coupon.validFrom)) };
  }

  const firstName = coupon.firstName?.trim();
  const { minBasket, currency } = coupon.offer;
  return {
    lang: locale,
    state,
    ...(banner ? { banner } : {}),
    ...(stamp ? { stamp } : {}),
    title: `${offer} · ${company.name}`,
    eyebrow: t.eyebrow,
    greeting: firstName ? t.greeting(firstName) : t.greetingAnonymous,
    headline: headline(coupon, t),
    offer,
    ...(minBasket ? { condition: t.minBasket(money(t.tag, minBasket, currency ?? 'EUR')) } : {}),
    codeLabel: t.codeLabel,
    code,
    validity,
    where,
    instruction: t.instruction,
    barcodeAlt: t.barcodeAlt(code),
    qrAlt: t.qrAlt(code),
    company,
  };
}

/**
 * A URL inside the style sheet. A `<style>` element is raw text — HTML entities are not decoded
 * there — so the URL is escaped for CSS instead: quotes, backslashes, line breaks and angle brackets
 * (so `</style>` cannot appear) become CSS hex escapes.
 */
function cssUrl(url: string): string {
  return `url("${url.replace(/[\\"'<>]|[^\u0020-\u007e\u00a0-\uffff]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}")`;
}

function storeList(input: CouponPageInput, t: Text): string {
  if (input.stores.length === 0) return '';
  const { coupon } = input;
  const intro = coupon.stores === 'all' ? t.whereAll : coupon.stores.length === 1 ? t.whereOne : t.whereSome;
  const items = input.stores
    .map((store) => {
      const v = storeVars(store, t.tag);
      const hours =
        v.openingHours.length > 0
          ? `<p class="hours-title">${esc(t.hours)}</p><ul class="hours">${v.openingHours.map((h) => `<li>${esc(h)}</li>`).join('')}</ul>`
          : '';
      return `<li class="store" data-store="${esc(v.id)}">
<h3>${esc(v.name)}</h3>
<p class="address">${esc(v.address)}<br>${esc(`${v.postcode} ${v.city}`)}</p>
${hours}
<p class="map no-print"><a href="${esc(v.mapUrl)}" rel="noopener noreferrer">${esc(t.map)}</a></p>
</li>`;
    })
    .join('\n');
  return `<section class="where" aria-labelledby="where-h">
<h2 id="where-h">${esc(t.whereTitle)}</h2>
<p class="where-intro">${esc(intro)}</p>
<ul class="stores">
${items}
</ul>
</section>`;
}

const CSS = `
:root{--ink:#1c2329;--muted:#5b6670;--line:#dfe3e6;--bg:#f3f1ec;--accent:#b5322f;--accent-ink:#8f2522;
--alert-bg:#fdecea;--alert-line:#c62828;--info-bg:#e8f0fb;--info-line:#2f66b3;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
h1,h2,h3,p,ul{margin:0}
ul{padding:0;list-style:none}
a{color:#1f5c99}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.6rem 1rem;
margin:0 0 1rem;font-size:.9rem;color:var(--muted)}
.toolbar p{flex:1 1 16rem}
.pdf{display:inline-block;padding:.45rem .9rem;border-radius:999px;background:var(--ink);color:#fff;
text-decoration:none;font-weight:600;white-space:nowrap}
.pdf:focus-visible{outline:3px solid #7fb0e6;outline-offset:2px}
.banner{margin:0 0 1rem;padding:.8rem 1rem;border-radius:10px;border-left:5px solid var(--alert-line);
background:var(--alert-bg)}
.banner strong{display:block;font-size:1.05rem}
.banner-info{border-left-color:var(--info-line);background:var(--info-bg)}
.coupon{position:relative;overflow:hidden;background:#fff;border-radius:14px;padding:1.25rem 1.25rem 1.1rem;
box-shadow:0 1px 3px rgba(0,0,0,.08),0 6px 24px rgba(0,0,0,.06);display:flex;flex-direction:column;gap:.75rem}
.c-head{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;
padding-bottom:.6rem;border-bottom:1px solid var(--line)}
.brand{font-weight:700;letter-spacing:.02em;overflow-wrap:anywhere}
.eyebrow{color:var(--muted);font-size:.72rem;letter-spacing:.08em;text-transform:uppercase;font-weight:600;
white-space:nowrap}
.greeting{color:var(--muted);overflow-wrap:anywhere}
.offer-title{display:flex;flex-direction:column;gap:.2rem}
.headline{font-size:2.6rem;line-height:1.05;font-weight:800;color:var(--accent);letter-spacing:-.01em}
.offer{font-size:1.2rem;line-height:1.3;font-weight:650;overflow-wrap:anywhere}
.offer-long{font-size:1.1rem}
.condition{font-size:.92rem;color:var(--muted)}
.code-block{border-top:1px dashed #b9c0c6;padding-top:.7rem;text-align:center}
.code-label{font-size:.72rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted);font-weight:600}
.code{font-family:ui-monospace,"DejaVu Sans Mono",SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:1.75rem;line-height:1.2;font-weight:700;letter-spacing:.06em;white-space:nowrap}
.barcode{display:block;width:100%;max-width:24rem;height:auto;margin:.5rem auto 0}
.c-foot{display:flex;gap:.9rem;align-items:center}
.qr{flex:none;width:6.5rem;height:6.5rem}
.c-info{display:flex;flex-direction:column;gap:.2rem;font-size:.88rem;min-width:0}
.validity,.c-where{font-weight:650}
.instruction{color:var(--muted);font-size:.8rem}
.code-block{position:relative}
.stamp{position:absolute;left:50%;top:68%;transform:translate(-50%,-50%) rotate(-14deg);padding:.15em .5em;
border:.12em solid var(--alert-line);border-radius:.2em;color:var(--alert-line);background:rgba(255,255,255,.8);
font-size:2rem;font-weight:800;letter-spacing:.12em;text-transform:uppercase;white-space:nowrap;pointer-events:none}
.is-void .barcode,.is-void .qr{opacity:.35}
.cut-hint{display:none}
.where{margin:1.5rem 0 0}
.where h2{font-size:1.1rem;margin:0 0 .25rem}
.where-intro{color:var(--muted);margin:0 0 .75rem}
.stores{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem}
.store{background:#fff;border-radius:10px;padding:.8rem 1rem;border:1px solid var(--line)}
.store h3{font-size:1rem}
.address{margin:.15rem 0 .4rem}
.hours-title{font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.06em;font-weight:600}
.hours{font-size:.88rem;font-variant-numeric:tabular-nums}
.map{margin:.4rem 0 0;font-size:.88rem}
footer{margin:1.75rem 0 0;color:var(--muted);font-size:.8rem;text-align:center;overflow-wrap:anywhere}
footer strong{color:var(--ink)}
.beacon{position:absolute;left:0;top:0;width:1px;height:1px;overflow:hidden}
@media (max-width:24rem){
main{padding:.75rem .6rem 2rem}
.coupon{padding:1rem .9rem}
.headline{font-size:2.2rem}
.code{font-size:1.45rem;letter-spacing:.03em}
.qr{width:5.5rem;height:5.5rem}
.stamp{font-size:1.6rem}
.offer-long{font-size:1.05rem}
}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:10pt}
main{max-width:none;padding:0}
.no-print,.toolbar{display:none!important}
.banner{max-width:105mm;margin:0 auto 4mm;padding:2mm 3mm;border-radius:0;font-size:9pt}
.banner strong{font-size:10pt}
.banner,.headline,.stamp{-webkit-print-color-adjust:exact;print-color-adjust:exact}
/* The coupon is an A6 card (105 × 148 mm) with a dotted cut line, whatever the page around it. */
.coupon{width:105mm;height:148mm;margin:0 auto;padding:6mm 7mm 5mm;border:.3mm dashed #666;border-radius:0;
box-shadow:none;gap:2.6mm;break-inside:avoid;page-break-inside:avoid}
.c-head{padding-bottom:2mm}
.brand{font-size:10pt}.eyebrow{font-size:6.5pt}
.greeting{font-size:9.5pt}
.offer-title{gap:1mm}
.headline{font-size:30pt}
.offer{font-size:14pt;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:6;overflow:hidden}
.offer-medium{font-size:12pt}.offer-long{font-size:10.5pt}
.condition{font-size:9pt}
.code-block{padding-top:2.5mm;margin:auto 0}
.code-label{font-size:6.5pt}
.code{font-size:20pt;letter-spacing:.05em}
.barcode{width:60mm;max-width:none;margin-top:2mm}
.c-foot{gap:4mm}
.qr{width:24mm;height:24mm}
.c-info{font-size:8.5pt;gap:.8mm}
.instruction{font-size:7.5pt}
.stamp{font-size:22pt}
.cut-hint{display:block;max-width:105mm;margin:1.5mm auto 0;font-size:7pt;color:var(--muted);text-align:right}
.where{margin:7mm 0 0;break-before:auto}
.where h2{font-size:12pt}
.where-intro{font-size:9pt;margin:0 0 3mm}
.stores{grid-template-columns:repeat(3,minmax(0,1fr));gap:3mm}
.store{padding:2.5mm 3mm;border-radius:0;break-inside:avoid;page-break-inside:avoid;font-size:8.5pt}
.store h3{font-size:9.5pt}
.hours{font-size:8pt}.hours-title{font-size:6.5pt}
footer{margin:6mm 0 0;font-size:8pt}
}
`;

/**
 * The printable coupon page: the offer, the code in large type, its Code 128 and QR images, the
 * validity, the shops with their addresses and hours, and the sender in the footer. A coupon that
 * is used, expired or cancelled still shows, under a banner saying so: the customer should learn
 * why it will be refused before queueing at the till.
 */
export function couponPage(input: CouponPageInput): string {
  const view = couponPageView(input);
  const t = TEXT[input.locale];
  const usable = view.state === 'valid' || view.state === 'not_yet_valid';
  const banner = view.banner
    ? `<div class="banner banner-${view.banner.kind}" role="${view.banner.kind === 'alert' ? 'alert' : 'status'}" data-state="${esc(view.state)}">
<strong>${esc(view.banner.title)}</strong>
<span>${esc(view.banner.detail)}</span>
</div>`
    : '';
  // Long descriptions (conditions, exclusions) get smaller type rather than being cut off the card.
  const offerClass =
    view.offer.length > 120 ? 'offer offer-long' : view.offer.length > 60 ? 'offer offer-medium' : 'offer';
  const condition = view.condition ? `<p class="condition">${esc(view.condition)}</p>` : '';
  const stamp = view.stamp ? `<p class="stamp" aria-hidden="true">${esc(view.stamp)}</p>` : '';
  /*
   * The print beacon. Browsers fetch a background image only when a style rule that applies uses
   * it, so an image declared under `@media print` is requested when, and only when, the page is
   * laid out for printing (print preview, Ctrl+P, "Save as PDF") — no script needed. The request
   * tells us the coupon was printed, which predicts a visit to the shop. It is best-effort: a
   * browser may prefetch it or skip it, so it is a signal for reports, never proof.
   */
  const beaconCss = `@media print{.beacon{background-image:${cssUrl(input.printBeaconUrl)}}}`;
  return `<!doctype html>
<html lang="${view.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="format-detection" content="telephone=no">
<title>${esc(view.title)}</title>
<style>${CSS}${beaconCss}</style>
</head>
<body>
<main>
<div class="toolbar">
<p>${esc(t.printHint)}</p>
<a class="pdf" href="${esc(input.pdfUrl)}" rel="noopener">${esc(t.pdf)}</a>
</div>
${banner}
<article class="coupon${usable ? '' : ' is-void'}" data-state="${esc(view.state)}" aria-labelledby="offer-h">
<header class="c-head"><span class="brand">${esc(view.company.name)}</span><span class="eyebrow">${esc(view.eyebrow)}</span></header>
<p class="greeting">${esc(view.greeting)}</p>
<h1 class="offer-title" id="offer-h"><span class="headline">${esc(view.headline)}</span><span class="${offerClass}">${esc(view.offer)}</span></h1>
${condition}
<div class="code-block">
<p class="code-label">${esc(view.codeLabel)}</p>
<p class="code" data-code="${esc(input.coupon.code)}">${esc(view.code)}</p>
<img class="barcode" src="${esc(input.barcodeUrl)}" alt="${esc(view.barcodeAlt)}">
${stamp}
</div>
<div class="c-foot">
<img class="qr" src="${esc(input.qrUrl)}" alt="${esc(view.qrAlt)}">
<div class="c-info">
<p class="validity">${esc(view.validity)}</p>
<p class="c-where">${esc(view.where)}</p>
<p class="instruction">${esc(view.instruction)}</p>
</div>
</div>
</article>
<p class="cut-hint" aria-hidden="true">✂ ${esc(t.cutHint)}</p>
${storeList(input, t)}
<footer><strong>${esc(view.company.name)}</strong><br>${esc(view.company.address)}</footer>
<div class="beacon" aria-hidden="true"></div>
</main>
</body>
</html>
`;
}
