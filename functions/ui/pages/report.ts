/**
 * The human-readable campaign report (`GET /v1/campaigns/{id}/report.html`):
 * one self-contained HTML document — inline CSS, the funnel as inline SVG, no
 * script, no external asset, no web font — that reads on a phone, works
 * offline and prints. Pure: the same report always gives the same page.
 */

import type { CampaignReport, EngagementFigures, LinkFigures, SmsFigures } from '../../domain/reports/report';
import { esc } from '../html';

export { esc };

export type ReportLocale = 'fr' | 'en';

const TEXT = {
  en: {
    tag: 'en-GB',
    eyebrow: 'Campaign report',
    status: {
      draft: 'Draft',
      sending: 'Sending',
      paused: 'Paused',
      sent: 'Sent',
      cancelled: 'Cancelled',
    } as Record<string, string>,
    pausedBecause: 'Paused:',
    colon: ': ',
    template: 'Template',
    created: 'Created',
    sendRequested: 'Sending started',
    completed: 'Completed',
    objective: 'Objective',
    noObjective: 'No objective was set for this campaign.',
    target: 'Target',
    actual: 'Actual',
    met: 'Met',
    notMet: 'Not met',
    notMeasurable: 'Not yet measurable',
    notMeasurableDetail: 'This figure is not available yet.',
    kpi: {
      delivery_rate: 'Delivery rate',
      open_rate: 'Open rate',
      click_rate: 'Click rate',
      redemption_rate: 'Coupon redemption rate',
      redemptions: 'Coupons redeemed',
      revenue: 'Revenue',
    } as Record<string, string>,
    funnel: 'Funnel',
    funnelTitle: 'Campaign funnel',
    emailTag: 'Email',
    emailFunnelTitle: 'Email funnel',
    messages: (targeted: string, sent: string, emails: string, sms: string) =>
      `${targeted} messages targeted, ${sent} sent: ${emails} emails and ${sms} SMS`,
    steps: {
      targeted: 'Targeted',
      sent: 'Sent',
      delivered: 'Delivered',
      opened: 'Opened (people)',
      clicked: 'Clicked (people)',
    },
    of: {
      targeted: 'of targeted',
      sent: 'of sent',
      delivered: 'of delivered',
      opened: 'of openers',
    },
    notSent: 'Not sent:',
    notReported: 'not reported yet',
    notReportedDetail: 'Rates use sent messages until then',
    baseDelivered: 'Rates are shares of delivered messages, and count people only.',
    baseSent:
      'No delivery has been reported yet (or this stack does not report them): rates are shares of ' +
      'sent messages, and count people only.',
    peopleMachines: 'People and machines',
    machinesNote:
      'Machine opens and clicks come from Apple Mail Privacy Protection, mail security gateways and link ' +
      'scanners. They are flagged and shown here, never dropped; the rates above count people only.',
    opens: 'Opens',
    clicks: 'Clicks',
    people: 'People',
    machines: 'Machines',
    unique: 'Unique',
    total: 'Total',
    allOpens: 'All opens',
    allClicks: 'All clicks',
    rates: 'Rates',
    rate: 'Rate',
    value: 'Value',
    base: 'Share of',
    rateNames: {
      delivery: 'Delivery',
      bounce: 'Hard bounce',
      complaint: 'Complaint',
      open: 'Open (people)',
      click: 'Click (people)',
      clickToOpen: 'Click-to-open',
      unsubscribe: 'Unsubscribe',
    },
    baseNames: { sent: 'sent', delivered: 'delivered', opened: 'people who opened' },
    health: 'Delivery and list health',
    figures: {
      bounced: ['Hard bounces', 'address rejected for good: suppressed'],
      softBounced: ['Soft bounces', 'temporary: full mailbox, server down'],
      complained: ['Complaints', 'marked as spam: suppressed'],
      unsubscribed: ['Unsubscribes', 'from this campaign'],
      rejected: ['Rejected', 'refused by the provider before sending'],
      failed: ['Failed', 'send errors'],
      skipped: ['Skipped', 'suppressed or no longer eligible'],
      pending: ['Pending', 'not processed yet'],
    } as Record<string, [string, string]>,
    links: 'Clicks per link',
    noLinks: 'No link has been clicked yet.',
    link: 'Link',
    uniquePeople: 'People',
    totalPeople: 'Clicks',
    linksNote:
      'People: how many people clicked the link; clicks: how many times they did; machines: clicks by ' +
      'security scanners, not counted in the rates.',
    machineClicks: 'Machines',
    sms: 'SMS',
    smsFunnelTitle: 'SMS funnel',
    smsFigures: {
      segments: ['Segments billed', 'a long or accented SMS takes several'],
      failed: ['Failed', 'send errors'],
      optedOut: ['Opted out', 'refused: the number is on the opt-out list'],
      undelivered: ['Undelivered', 'number invalid, unreachable or blocked'],
      cost: ['Provider cost', 'billed so far, in US dollars'],
    } as Record<'segments' | 'failed' | 'optedOut' | 'undelivered' | 'cost', [string, string]>,
    undelivered: 'undelivered',
    smsBaseDelivered: 'Rates are shares of delivered SMS, and count people only.',
    smsBaseSent:
      'No delivery receipt yet (or this stack does not receive them): rates are shares of sent SMS, and ' +
      'count people only.',
    smsClicks: 'Clicks on the SMS links',
    smsLinks: 'Clicks per SMS link',
    coupons: 'Coupons: from the email to the till',
    couponsAnyChannel: 'Coupons: from the message to the till',
    couponFunnelTitle: 'Coupon funnel',
    couponSteps: {
      issued: 'Issued',
      viewed: 'Viewed (people)',
      printed: 'Printed (people)',
      redeemed: 'Redeemed',
    },
    couponOf: { issued: 'of issued', viewed: 'of viewers' },
    couponFigures: {
      redemptionRate: ['Redemption rate', 'of the coupons issued'],
      revenue: ['Revenue', 'baskets of the customers who redeemed'],
      averageBasket: ['Average basket', 'per redemption'],
    } as Record<'redemptionRate' | 'revenue' | 'averageBasket', [string, string]>,
    byStore: 'Redemptions per shop',
    noStore: 'No coupon has been redeemed yet.',
    store: 'Shop',
    redeemed: 'Redeemed',
    shareOfRedeemed: 'Share',
    actionResponse: 'From action to response',
    action: 'Action',
    actions: { email: 'Email', sms: 'SMS' } as Record<string, string>,
    recipients: (n: string) => `${n} recipients`,
    responses: {
      store: 'Redeemed in a shop',
      web: 'Redeemed on the web',
      phone: 'By phone',
      clickOnly: 'Clicked only',
    },
    actionNote:
      'Shares of each channel’s recipients: who redeemed their coupon in a shop, on the web or by phone, ' +
      'and who clicked without redeeming it.',
    cost: {
      title: 'Cost against post',
      campaign: ['This campaign', { email: 'its emails', sms: 'its SMS', 'email+sms': 'its emails and SMS' }],
      postal: ['By post', (letters: string, rate: string) => `${letters} letters at ${rate}`],
      saving: ['Saving', (pct: string) => `${pct} less than by post`],
      byChannel: 'Cost by channel',
      channel: 'Channel',
      detail: 'Detail',
      amount: 'Cost',
      email: 'Email',
      emails: (n: string, rate: string, thousand: string) => `${n} emails × ${rate} per ${thousand}`,
      sms: 'SMS',
      segments: (n: string, rate: string) => `${n} segments × ${rate}`,
      provider: 'Billed by the SMS provider',
      providerDetail: 'in US dollars, not converted, not added',
      total: 'Total',
      discounts: 'Discounts given',
      discountsDetail: 'at redemption: the percentage of the basket, the amount off, the gift',
      letters: 'By post',
      lettersDetail: (n: string, rate: string) => `${n} letters × ${rate} (print, envelope, postage)`,
      return: 'Return on revenue',
      revenue: ['Revenue', 'baskets of the customers who redeemed'],
      incrementalRevenue: ['Revenue brought', 'recipients’ revenue per person − the holdout’s, × recipients'],
      roi: ['Return on cost', '(revenue − cost) ÷ cost'],
      perUnit: (one: string) => [`Revenue per ${one} spent`, 'revenue ÷ cost'] as const,
      postalRoi: ['Return by post', 'had letters brought the same revenue'],
      noOffer: 'No coupon: the campaign measures no revenue.',
      otherCurrency: 'The revenue is in another currency than the costs: no return is computed.',
      note:
        'Email and SMS at the unit costs set for this stack (the COST_ settings); the SMS at their ' +
        'segments, the provider’s bill shown apart. By post: one letter per customer reached.',
      floor:
        'A customer may have had both an email and an SMS: the letters count the larger channel only, ' +
        'so the saving is a floor.',
    },
    campaignId: 'Campaign',
    timesUtc: 'Times are UTC',
  },
  fr: {
    tag: 'fr-FR',
    eyebrow: 'Rapport de campagne',
    status: {
      draft: 'Brouillon',
      sending: 'Envoi en cours',
      paused: 'En pause',
      sent: 'Envoyée',
      cancelled: 'Annulée',
    } as Record<string, string>,
    pausedBecause: 'En pause :',
    colon: ' : ',
    template: 'Modèle',
    created: 'Créée le',
    sendRequested: 'Envoi lancé le',
    completed: 'Terminée le',
    objective: 'Objectif',
    noObjective: 'Aucun objectif n’a été fixé pour cette campagne.',
    target: 'Cible',
    actual: 'Réalisé',
    met: 'Atteint',
    notMet: 'Non atteint',
    notMeasurable: 'Pas encore mesurable',
    notMeasurableDetail: 'Ce chiffre n’est pas encore disponible.',
    kpi: {
      delivery_rate: 'Taux de délivrabilité',
      open_rate: 'Taux d’ouverture',
      click_rate: 'Taux de clic',
      redemption_rate: 'Taux d’utilisation des coupons',
      redemptions: 'Coupons utilisés',
      revenue: 'Chiffre d’affaires',
    } as Record<string, string>,
    funnel: 'Entonnoir',
    funnelTitle: 'Entonnoir de la campagne',
    emailTag: 'E-mail',
    emailFunnelTitle: 'Entonnoir des e-mails',
    messages: (targeted: string, sent: string, emails: string, sms: string) =>
      `${targeted} messages ciblés, ${sent} envoyés : ${emails} e-mails et ${sms} SMS`,
    steps: {
      targeted: 'Ciblés',
      sent: 'Envoyés',
      delivered: 'Délivrés',
      opened: 'Ouverts (personnes)',
      clicked: 'Cliqués (personnes)',
    },
    of: {
      targeted: 'des ciblés',
      sent: 'des envoyés',
      delivered: 'des délivrés',
      opened: 'des ouvreurs',
    },
    notSent: 'Non envoyés :',
    notReported: 'pas encore connu',
    notReportedDetail: 'Les taux portent sur les envois',
    baseDelivered: 'Les taux portent sur les messages délivrés et ne comptent que les personnes.',
    baseSent:
      'Aucune délivrance n’a encore été signalée (ou cet environnement ne les signale pas) : les taux ' +
      'portent sur les messages envoyés et ne comptent que les personnes.',
    peopleMachines: 'Personnes et machines',
    machinesNote:
      'Les ouvertures et clics de machines viennent de la protection de la confidentialité d’Apple Mail, ' +
      'des passerelles de sécurité et des analyseurs de liens. Ils sont signalés et affichés ici, jamais ' +
      'supprimés ; les taux ci-dessus ne comptent que les personnes.',
    opens: 'Ouvertures',
    clicks: 'Clics',
    people: 'Personnes',
    machines: 'Machines',
    unique: 'Uniques',
    total: 'Total',
    allOpens: 'Toutes les ouvertures',
    allClicks: 'Tous les clics',
    rates: 'Taux',
    rate: 'Taux',
    value: 'Valeur',
    base: 'Rapporté aux',
    rateNames: {
      delivery: 'Délivrabilité',
      bounce: 'Rebond définitif',
      complaint: 'Plainte',
      open: 'Ouverture (personnes)',
      click: 'Clic (personnes)',
      clickToOpen: 'Clic par ouverture',
      unsubscribe: 'Désabonnement',
    },
    baseNames: { sent: 'envoyés', delivered: 'délivrés', opened: 'personnes ayant ouvert' },
    health: 'Délivrance et qualité du fichier',
    figures: {
      bounced: ['Rebonds définitifs', 'adresse refusée : exclue des envois'],
      softBounced: ['Rebonds temporaires', 'boîte pleine, serveur indisponible'],
      complained: ['Plaintes', 'signalé comme spam : exclu des envois'],
      unsubscribed: ['Désabonnements', 'depuis cette campagne'],
      rejected: ['Rejetés', 'refusés par le fournisseur avant envoi'],
      failed: ['En échec', 'erreurs d’envoi'],
      skipped: ['Ignorés', 'exclus ou plus éligibles'],
      pending: ['En attente', 'pas encore traités'],
    } as Record<string, [string, string]>,
    links: 'Clics par lien',
    noLinks: 'Aucun lien n’a encore été cliqué.',
    link: 'Lien',
    uniquePeople: 'Personnes',
    totalPeople: 'Clics',
    linksNote:
      'Personnes : combien de personnes ont cliqué le lien ; clics : combien de fois ; machines : clics ' +
      'des analyseurs de sécurité, non comptés dans les taux.',
    machineClicks: 'Machines',
    sms: 'SMS',
    smsFunnelTitle: 'Entonnoir des SMS',
    smsFigures: {
      segments: ['Segments facturés', 'un SMS long ou accentué en prend plusieurs'],
      failed: ['En échec', 'erreurs d’envoi'],
      optedOut: ['Opposés', 'refusés : numéro sur la liste d’opposition'],
      undelivered: ['Non remis', 'numéro invalide, injoignable ou bloqué'],
      cost: ['Coût du fournisseur', 'facturé à ce jour, en dollars US'],
    } as Record<'segments' | 'failed' | 'optedOut' | 'undelivered' | 'cost', [string, string]>,
    undelivered: 'non remis',
    smsBaseDelivered: 'Les taux portent sur les SMS délivrés et ne comptent que les personnes.',
    smsBaseSent:
      'Aucun accusé de réception pour l’instant (ou cet environnement n’en reçoit pas) : les taux portent ' +
      'sur les SMS envoyés et ne comptent que les personnes.',
    smsClicks: 'Clics sur les liens du SMS',
    smsLinks: 'Clics par lien du SMS',
    coupons: 'Coupons : de l’e-mail à la caisse',
    couponsAnyChannel: 'Coupons : du message à la caisse',
    couponFunnelTitle: 'Entonnoir des coupons',
    couponSteps: {
      issued: 'Émis',
      viewed: 'Consultés (personnes)',
      printed: 'Imprimés (personnes)',
      redeemed: 'Utilisés',
    },
    couponOf: { issued: 'des émis', viewed: 'des consultés' },
    couponFigures: {
      redemptionRate: ['Taux d’utilisation', 'des coupons émis'],
      revenue: ['Chiffre d’affaires', 'paniers des clients ayant utilisé leur coupon'],
      averageBasket: ['Panier moyen', 'par coupon utilisé'],
    } as Record<'redemptionRate' | 'revenue' | 'averageBasket', [string, string]>,
    byStore: 'Coupons utilisés par magasin',
    noStore: 'Aucun coupon n’a encore été utilisé.',
    store: 'Magasin',
    redeemed: 'Utilisés',
    shareOfRedeemed: 'Part',
    actionResponse: 'De l’action à la réponse',
    action: 'Action',
    actions: { email: 'E-mail', sms: 'SMS' } as Record<string, string>,
    recipients: (n: string) => `${n} destinataires`,
    responses: {
      store: 'Utilisé en magasin',
      web: 'Utilisé sur le web',
      phone: 'Par téléphone',
      clickOnly: 'Clic seul',
    },
    actionNote:
      'Parts des destinataires de chaque canal : ceux qui ont utilisé leur coupon en magasin, sur le web ' +
      'ou par téléphone, et ceux qui ont cliqué sans l’utiliser.',
    cost: {
      title: 'Coût comparé au courrier',
      campaign: [
        'Cette campagne',
        { email: 'ses e-mails', sms: 'ses SMS', 'email+sms': 'ses e-mails et SMS' },
      ],
      postal: ['Par courrier', (letters: string, rate: string) => `${letters} lettres à ${rate}`],
      saving: ['Économie', (pct: string) => `${pct} de moins que par courrier`],
      byChannel: 'Coût par canal',
      channel: 'Canal',
      detail: 'Détail',
      amount: 'Coût',
      email: 'E-mail',
      emails: (n: string, rate: string, thousand: string) => `${n} e-mails × ${rate} les ${thousand}`,
      sms: 'SMS',
      segments: (n: string, rate: string) => `${n} segments × ${rate}`,
      provider: 'Facturé par le fournisseur SMS',
      providerDetail: 'en dollars US, ni converti ni ajouté',
      total: 'Total',
      discounts: 'Remises accordées',
      discountsDetail: 'au passage en caisse : pourcentage du panier, montant, cadeau',
      letters: 'Par courrier',
      lettersDetail: (n: string, rate: string) =>
        `${n} lettres × ${rate} (impression, enveloppe, affranchissement)`,
      return: 'Retour sur le chiffre d’affaires',
      revenue: ['Chiffre d’affaires', 'paniers des clients ayant utilisé leur coupon'],
      incrementalRevenue: [
        'Chiffre d’affaires apporté',
        'CA par personne des destinataires − celui du groupe témoin, × destinataires',
      ],
      roi: ['Retour sur le coût', '(chiffre d’affaires − coût) ÷ coût'],
      perUnit: (one: string) =>
        [`Chiffre d’affaires par ${one} dépensé`, 'chiffre d’affaires ÷ coût'] as const,
      postalRoi: ['Retour par courrier', 'si les lettres avaient rapporté autant'],
      noOffer: 'Sans coupon, la campagne ne mesure pas de chiffre d’affaires.',
      otherCurrency:
        'Le chiffre d’affaires est dans une autre devise que les coûts : aucun retour n’est calculé.',
      note:
        'E-mails et SMS aux coûts unitaires réglés pour cet environnement (les réglages COST_) ; les SMS ' +
        'à leurs segments, la facture du fournisseur à part. Par courrier : une lettre par client touché.',
      floor:
        'Un client a pu recevoir un e-mail et un SMS : les lettres ne comptent que le canal le plus ' +
        'nombreux, l’économie est donc un minimum.',
    },
    campaignId: 'Campagne',
    timesUtc: 'Heures UTC',
  },
} as const;

type Text = (typeof TEXT)[ReportLocale];

interface Format {
  int: (n: number) => string;
  pct: (r: number | null) => string;
  num: (n: number) => string;
  /** An amount in the report's currency, without cents when it has none: "€3,712.40", "5 000 €". */
  money: (n: number | null) => string;
  /** What an SMS provider billed, in US dollars: to the cent from a dollar, else to the hundredth of a cent. */
  usd: (n: number) => string;
  date: (iso: string | undefined) => string;
}

function formatters(t: Text, currency: string): Format {
  const int = new Intl.NumberFormat(t.tag, { maximumFractionDigits: 0 });
  const cents = new Intl.NumberFormat(t.tag, { style: 'currency', currency });
  const whole = new Intl.NumberFormat(t.tag, {
    style: 'currency',
    currency,
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  });
  const num = new Intl.NumberFormat(t.tag, { maximumFractionDigits: 2 });
  const usd = new Intl.NumberFormat(t.tag, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  });
  const usdCents = new Intl.NumberFormat(t.tag, { style: 'currency', currency: 'USD' });
  const pct = new Intl.NumberFormat(t.tag, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const date = new Intl.DateTimeFormat(t.tag, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return {
    int: (n) => int.format(n),
    num: (n) => num.format(n),
    money: (n) => (n === null ? '—' : (Number.isInteger(n) ? whole : cents).format(n)),
    usd: (n) => (n >= 1 ? usdCents : usd).format(n),
    // Tiny but non-zero shares must not read as 0 %.
    pct: (r) => (r === null ? '—' : r > 0 && r < 0.0005 ? `< ${pct.format(0.001)}` : pct.format(r)),
    date: (iso) => {
      if (!iso) return '—';
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : date.format(d);
    },
  };
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * What the campaign sends. An SMS campaign has no opens, bounces or email
 * links: its email cards are left out. In a campaign that sends both, the
 * top-level `targeted` and `sent` count every message, so the email funnel
 * starts at the emails sent and the SMS have their own.
 */
type Mix = 'email' | 'sms' | 'email+sms';

const mixOf = (r: CampaignReport): Mix => {
  if (!r.sms) return 'email';
  return r.campaign.channel === 'sms' || r.campaign.channel === 'email+sms' ? r.campaign.channel : 'email';
};

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
function cost(r: CampaignReport, mix: Mix, t: Text, f: Format): string {
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

export const REPORT_CSS = `
:root{--ink:#1d2630;--muted:#5d6b78;--line:#e3e7eb;--bg:#f5f5f2;--card:#fff;--accent:#24706c;--accent-soft:#d5e8e6;
--slate:#8aa0b4;--slate-dark:#52697f;--machine:#b9c2cb;--met:#226b45;--met-bg:#e7f3ec;--miss:#a2412c;--miss-bg:#fbece7;
--wait:#5d6b78;--wait-bg:#eef1f4;--coupon:#a97a2c;--coupon-dark:#7a5316;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-variant-numeric:tabular-nums}
main{max-width:60rem;margin:0 auto;padding:2rem 1.25rem 3rem}
h1{font-size:1.7rem;line-height:1.25;margin:0;overflow-wrap:anywhere;font-weight:650}
h2{font-size:1.05rem;margin:0 0 1rem;font-weight:650}
h3{font-size:.95rem;margin:0 0 .5rem;font-weight:600}
.eyebrow{margin:0 0 .35rem;color:var(--muted);font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;font-weight:600}
.title-row{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .9rem}
.status{display:inline-block;padding:.15rem .65rem;border-radius:999px;font-size:.8rem;font-weight:600;background:var(--wait-bg);color:var(--wait);white-space:nowrap}
.status-sending{background:#e2edf7;color:#245a8a}.status-paused{background:#fbf1dc;color:#86590f}
.status-sent{background:var(--met-bg);color:var(--met)}.status-cancelled{background:#eceae6;color:#6b655c}
.meta{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:1rem 0 0}
.meta div{min-width:0}.meta dt{color:var(--muted);font-size:.78rem}.meta dd{margin:0;font-weight:500;overflow-wrap:anywhere}
.paused{margin:1rem 0 0;padding:.7rem .9rem;border-radius:8px;background:#fbf1dc;color:#6e4a0c;border-left:4px solid #d99a2b;overflow-wrap:anywhere}
.top{margin-bottom:1.5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.25rem 1.4rem;margin:0 0 1.25rem;
box-shadow:0 1px 2px rgba(20,30,40,.04)}
.muted{color:var(--muted)}.small{font-size:.85rem}
.note{margin:1rem 0 0}
.objective{border-left:6px solid var(--wait)}
.objective-met{border-left-color:var(--met);background:linear-gradient(90deg,var(--met-bg),#fff 70%)}
.objective-missed{border-left-color:var(--miss);background:linear-gradient(90deg,var(--miss-bg),#fff 70%)}
.objective-pending{background:linear-gradient(90deg,var(--wait-bg),#fff 70%)}
.objective-none{border-left-color:var(--line)}.objective-none p{margin:0;color:var(--muted)}
.objective-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;margin-bottom:.6rem}
.objective-head h2{margin:0}
.verdict{font-weight:700;font-size:.85rem;padding:.2rem .75rem;border-radius:999px;background:var(--wait);color:#fff;white-space:nowrap}
.objective-met .verdict{background:var(--met)}.objective-missed .verdict{background:var(--miss)}
.objective-figures{display:flex;flex-wrap:wrap;gap:.5rem 2.5rem}
.objective-figures .label{display:block;color:var(--muted);font-size:.8rem}
.big{display:block;font-size:2rem;font-weight:700;line-height:1.15}.big.target{color:var(--muted);font-weight:600}
.objective-met .big:not(.target){color:var(--met)}.objective-missed .big:not(.target){color:var(--miss)}
.gauge{position:relative;height:10px;border-radius:5px;background:rgba(0,0,0,.07);margin:1rem 0 .25rem}
.gauge-fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:var(--wait)}
.objective-met .gauge-fill{background:var(--met)}.objective-missed .gauge-fill{background:var(--miss)}
.gauge-target{position:absolute;top:-4px;bottom:-4px;width:2px;margin-left:-1px;background:var(--ink)}
.funnel{display:block;overflow:visible;font-family:inherit}
.funnel text{font-family:inherit;fill:var(--ink)}
.step-name{font-size:14px;font-weight:600}
.step-count{font-size:14px;font-weight:700}
.step-count.is-unreported{font-weight:500;font-style:italic;fill:var(--muted)}
.funnel .step-share{font-size:12.5px;fill:var(--muted)}
.track{fill:#eef1f3}
.bar-targeted{fill:var(--slate)}.bar-sent{fill:var(--slate-dark)}.bar-delivered{fill:#3b536a}
.bar-opened{fill:var(--accent)}.bar-clicked{fill:#17504d}
.bar.unreported{fill:#fff;stroke:var(--slate-dark);stroke-width:1.5;stroke-dasharray:5 4}
.bar-issued{fill:#d8bf8e}.bar-viewed{fill:#c79b4f}.bar-printed{fill:var(--coupon)}.bar-redeemed{fill:var(--coupon-dark)}
.coupons .tiles-3{grid-template-columns:repeat(3,minmax(0,1fr));margin:1.25rem 0 1.5rem}
.coupons .tile-value{color:var(--coupon-dark)}
.coupon-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:1.5rem 2rem}
.sub{min-width:0}
.store-id{font-weight:500;overflow-wrap:anywhere}
.stores td.num{width:1%}
.meter{display:inline-block;width:3.5rem;height:6px;border-radius:3px;background:#eef1f3;margin-right:.5rem;vertical-align:middle;overflow:hidden}
.meter span{display:block;height:100%;background:var(--coupon)}
.matrix th,.matrix td{padding:.45rem .3rem}
.matrix th:first-child{padding-left:.5rem}.matrix th:last-child,.matrix td:last-child{padding-right:.5rem}
.matrix thead th.resp{text-align:right;font-size:.74rem;line-height:1.25;vertical-align:bottom}
.matrix tbody th{font-weight:600}
.matrix .pct{display:block;font-weight:600}
.matrix .count{display:block;color:var(--muted);font-size:.76rem;font-weight:400;white-space:nowrap}
.messages{margin:0 0 1rem;color:var(--muted)}
.cost .tiles-3{grid-template-columns:repeat(3,minmax(0,1fr));margin:0 0 1.5rem}
.cost [data-cost-figure="saving"] .tile-value{color:var(--met)}.cost .loss .tile-value{color:var(--miss)}
.costs tr.aside th,.costs tr.aside td{color:var(--muted);font-weight:400}
.costs tr.sum th,.costs tr.sum td{font-weight:700;border-top:2px solid var(--line)}
.costs tr.postal th,.costs tr.postal td.num{font-weight:600}
.costs td.muted{overflow-wrap:anywhere;font-weight:400}
.returns td.num{font-weight:700}.returns .count{display:block;color:var(--muted);font-size:.76rem;font-weight:400}
.sms .tiles{grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));margin:1.25rem 0 1.5rem}
.sms h3#sms-links-h{margin-top:1.5rem}
.pm-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem 2rem}
.pm{min-width:0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.78rem;color:var(--muted);font-weight:600;border-bottom-width:2px}
tbody th{font-weight:500}
tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}
.num{text-align:right;white-space:nowrap}
td.human{font-weight:700;color:var(--accent)}td.machine{color:var(--muted)}
.split-caption{margin:.9rem 0 .3rem}
.split{display:flex;height:8px;border-radius:4px;overflow:hidden;margin:0 0 .4rem;background:#eef1f3}
.split-human{background:var(--accent)}.split-machine{background:var(--machine)}
.split-legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0}
.dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.35rem;vertical-align:baseline}
.dot-human{background:var(--accent)}.dot-machine{background:var(--machine)}
.rates td.num{font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:.75rem}
.tile{border:1px solid var(--line);border-radius:10px;padding:.7rem .85rem;display:flex;flex-direction:column;min-width:0}
.tile-value{font-size:1.4rem;font-weight:700;line-height:1.2}
.tile-label{font-weight:600;font-size:.88rem;overflow-wrap:anywhere}
.tile-hint{color:var(--muted);font-size:.78rem;line-height:1.35}
.tile.zero .tile-value{color:var(--muted);font-weight:500}
.links{table-layout:fixed}
.links .c-idx{width:2.5rem}.links .c-num{width:6.5rem}
.idx{color:var(--muted)}
.url-cell{min-width:0}
.url{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}
footer{color:var(--muted);font-size:.78rem;text-align:center;overflow-wrap:anywhere}
@media (max-width:40rem){
main{padding:1.25rem .75rem 2rem}
h1{font-size:1.4rem}
.card{padding:1rem;border-radius:10px}
.big{font-size:1.6rem}
.funnel .step-share{font-size:12px}
.tile{padding:.6rem .7rem}.tile-label{font-size:.82rem}
.links colgroup{display:none}
.links,.links tbody{display:block}
.links thead{display:none}
.tiles{grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem}
.coupons .tiles-3{grid-template-columns:minmax(0,1fr)}
.cost .tiles-3{grid-template-columns:minmax(0,1fr)}
.costs,.costs tbody{display:block}
.costs thead{display:none}
.costs tr{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:.1rem .75rem;padding:.5rem 0;border-bottom:1px solid var(--line)}
.costs tr:last-child{border-bottom:0}
.costs th,.costs td,.costs tr.sum th,.costs tr.sum td{padding:0;border:0}
.costs tr.sum{border-top:2px solid var(--line)}
.costs td.muted{grid-column:1/-1;grid-row:2;font-size:.82rem}
.costs td.muted:empty{display:none}
.meter{display:none}
.matrix,.matrix tbody{display:block}
.matrix thead{display:none}
.matrix tr{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.6rem 1rem;padding:.5rem 0}
.matrix tbody th:first-child,.matrix td,.matrix td:last-child{padding:0;border:0}
.matrix tbody th{grid-column:1/-1;display:flex;flex-wrap:wrap;align-items:baseline;gap:0 .6rem}
.matrix td.num{text-align:left;white-space:normal}
.matrix td::before{content:attr(data-label);display:block;color:var(--muted);font-size:.75rem;font-weight:500;line-height:1.3}
.meta{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem 1rem}.meta dd{font-size:.92rem}
.links tr{display:grid;grid-template-columns:1.75rem repeat(3,minmax(0,1fr));column-gap:.5rem;padding:.6rem 0;border-bottom:1px solid var(--line)}
.links tr:last-child{border-bottom:0}
.links td{border:0;padding:0}
.links .url-cell{grid-column:2/-1;margin-bottom:.35rem}
.links td.num{grid-row:2;text-align:left}
.links td.idx{grid-row:1/3}
.links td.num:nth-child(3){grid-column:2}.links td.num:nth-child(4){grid-column:3}.links td.num:nth-child(5){grid-column:4}
.links td.num::before{content:attr(data-label);display:block;color:var(--muted);font-size:.72rem;font-weight:500}
}
@media print{
@page{margin:1.5cm}
body{background:#fff;font-size:11pt}
main{max-width:none;padding:0}
.card{box-shadow:none;break-inside:avoid;page-break-inside:avoid;border-color:#ccd3d9}
.objective,.track,.bar,.split span,.dot,.gauge span,.meter,.meter span,.status,.verdict,.paused{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.url{white-space:normal;overflow:visible;word-break:break-all}
}
.curves .curve{stroke-width:2.5;vector-effect:non-scaling-stroke}.curve-treated{stroke:var(--accent)}.curve-holdout{stroke:var(--slate-dark);stroke-dasharray:6 4}
.curves .axis{stroke:var(--line)}.key-treated{color:var(--accent);font-weight:600}.key-holdout{color:var(--slate-dark);font-weight:600}
.traffic-chart .bar-anonymous{fill:var(--accent-soft)}.traffic-chart .bar-known{fill:var(--accent)}
.traffic-chart .send-marker{stroke:var(--coupon-dark);stroke-width:2;vector-effect:non-scaling-stroke}
.verdict{font-weight:600}.verdict[data-verdict="significant"]{color:var(--met)}
table.lift-groups,table.lift,table.traffic-shops,table.summary{width:100%;border-collapse:collapse;margin:.5rem 0 1rem}
.lift-groups th,.lift-groups td,.lift th,.lift td,.traffic-shops th,.traffic-shops td,.summary th,.summary td{padding:.35rem .4rem;border-bottom:1px solid var(--line);text-align:left}
.lift-groups .num,.lift .num,.traffic-shops .num,.summary .num{text-align:right}
`;

/** An ISO 4217 code, EUR when none or a malformed one (Intl would throw) is given. */
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
function traffic(r: CampaignReport, locale: ReportLocale, f: Format): string {
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
function attribution(r: CampaignReport, locale: ReportLocale, f: Format): string {
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

const currencyOf = (code: string | undefined): string =>
  code && /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : 'EUR';

/** The report as a complete HTML document, in English unless `locale` is 'fr'. */
export function reportPage(
  report: CampaignReport,
  opts?: {
    locale?: ReportLocale /** ISO 4217 code of the revenue and baskets; EUR by default. */;
    currency?: string;
  },
): string {
  const locale: ReportLocale = opts?.locale === 'fr' ? 'fr' : 'en';
  const t = TEXT[locale];
  const f = formatters(t, currencyOf(opts?.currency));
  const mix = mixOf(report);
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(`${t.eyebrow} · ${report.campaign.name}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${header(report, t, f)}
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
<footer>${esc(t.campaignId)} ${esc(report.campaign.id)} · ${esc(t.timesUtc)}</footer>
</main>
</body>
</html>
`;
}
