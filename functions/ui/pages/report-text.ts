/**
 * The campaign report's words, in English and French, and how it writes numbers, amounts and
 * dates in each: what every section of the page (report.ts, report-cost.ts) reads.
 */
import type { CampaignReport } from '../../domain/reports/report';

export type ReportLocale = 'fr' | 'en';

export const REPORT_TEXT = {
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

export type Text = (typeof REPORT_TEXT)[ReportLocale];

export interface Format {
  int: (n: number) => string;
  pct: (r: number | null) => string;
  num: (n: number) => string;
  /** An amount in the report's currency, without cents when it has none: "€3,712.40", "5 000 €". */
  money: (n: number | null) => string;
  /** What an SMS provider billed, in US dollars: to the cent from a dollar, else to the hundredth of a cent. */
  usd: (n: number) => string;
  date: (iso: string | undefined) => string;
}

export function formatters(t: Text, currency: string): Format {
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

/** An ISO 4217 code, EUR when none or a malformed one (Intl would throw) is given. */
export const currencyOf = (code: string | undefined): string =>
  code && /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : 'EUR';

/**
 * What the campaign sends. An SMS campaign has no opens, bounces or email
 * links: its email cards are left out. In a campaign that sends both, the
 * top-level `targeted` and `sent` count every message, so the email funnel
 * starts at the emails sent and the SMS have their own.
 */
export type Mix = 'email' | 'sms' | 'email+sms';

export const mixOf = (r: CampaignReport): Mix => {
  if (!r.sms) return 'email';
  return r.campaign.channel === 'sms' || r.campaign.channel === 'email+sms' ? r.campaign.channel : 'email';
};
