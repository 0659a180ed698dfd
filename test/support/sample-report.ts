import { campaignCost, type UnitCosts } from '../../functions/domain/reports/costs';
import type { CampaignReport } from '../../functions/domain/reports/report';

/** The default unit costs (COST_* unset): €0.10 per 1,000 emails, €0.075 per SMS segment, €1.60 a letter. */
export const sampleUnitCosts: UnitCosts = {
  currency: 'EUR',
  emailPer1000: 0.1,
  smsPerSegment: 0.075,
  smsPerSegmentByCountry: {},
  postalLetter: 1.6,
};

/**
 * A realistic finished win-back campaign: 1,167 customers targeted, Apple Mail
 * Privacy Protection and link scanners among the opens and clicks, six links
 * (one of them the map of the customer's own shop), an open-rate objective of
 * 30 %, and a coupon with every email: 402 viewed, 133 printed, 58 redeemed
 * (51 at the till of four shops, 7 on the web) for 3,712.40 EUR of baskets.
 */
const targeted = 1167;
const skipped = 17;
const failed = 3;
const sent = targeted - skipped - failed;
const delivered = 1131;
const bounced = 12;
const complained = 1;
const unsubscribed = 6;
const opened = { uniqueHuman: 389, uniqueMachine: 274, totalHuman: 612, totalMachine: 331 };
const clicked = { uniqueHuman: 96, uniqueMachine: 41, totalHuman: 143, totalMachine: 88 };
const coupons = {
  issued: sent,
  viewed: 402,
  printed: 133,
  redeemed: 58,
  redemptionRate: 58 / sent,
  revenue: 3712.4,
  averageBasket: 3712.4 / 58,
  byChannel: { store: 51, web: 7, phone: 0 },
  byStore: [
    { storeId: 'paris-11', redeemed: 24 },
    { storeId: 'paris-15', redeemed: 15 },
    { storeId: 'lyon-02', redeemed: 12 },
    { storeId: 'lille-centre', redeemed: 7 },
  ],
};
/** Of the 58 who redeemed, 31 had clicked a link of the email first. */
const redeemedAfterClick = 31;

export const sampleReport: CampaignReport = {
  campaign: {
    id: 'cmp_01JV7Q3M2K8R5T9W4X6Y0Z1A2B',
    name: 'Relance printemps — clients inactifs depuis 6 mois',
    status: 'sent',
    channel: 'email',
    template: 'winback',
    createdAt: '2025-03-24T08:12:40.000Z',
    sendRequestedAt: '2025-03-25T07:30:00.000Z',
    completedAt: '2025-03-25T07:41:18.000Z',
  },
  targeted,
  sent,
  failed,
  skipped,
  capped: 0,
  cooldown: 0,
  pending: 0,
  delivered,
  bounced,
  softBounced: 4,
  complained,
  rejected: 0,
  unsubscribed,
  opened,
  clicked,
  rateBase: 'delivered',
  rates: {
    delivery: delivered / sent,
    bounce: bounced / sent,
    complaint: complained / delivered,
    open: opened.uniqueHuman / delivered,
    click: clicked.uniqueHuman / delivered,
    clickToOpen: clicked.uniqueHuman / opened.uniqueHuman,
    unsubscribe: unsubscribed / delivered,
  },
  links: [
    {
      index: 0,
      url: 'https://www.maison-durand.fr/offres/printemps?utm_source=relance&utm_medium=email&utm_campaign=winback-printemps',
      uniqueHuman: 58,
      totalHuman: 79,
      totalMachine: 24,
    },
    {
      index: 1,
      url: 'https://www.maison-durand.fr/magasins/paris-11?utm_source=relance&utm_medium=email',
      uniqueHuman: 17,
      totalHuman: 19,
      totalMachine: 14,
    },
    {
      index: 2,
      url: 'https://www.google.com/maps/search/?api=1&query=Maison%20Durand%2C%20112%20rue%20Oberkampf%2C%2075011%20Paris',
      uniqueHuman: 21,
      totalHuman: 24,
      totalMachine: 14,
    },
    {
      index: 3,
      url: 'https://www.maison-durand.fr/nouveautes?utm_source=relance&utm_medium=email',
      uniqueHuman: 9,
      totalHuman: 11,
      totalMachine: 14,
    },
    {
      index: 4,
      url: 'https://www.instagram.com/maisondurand/',
      uniqueHuman: 4,
      totalHuman: 5,
      totalMachine: 11,
    },
    {
      index: 5,
      url: 'https://www.maison-durand.fr/aide/livraison-et-retours',
      uniqueHuman: 5,
      totalHuman: 5,
      totalMachine: 11,
    },
  ],
  coupons,
  sms: null,
  actionResponse: [
    {
      action: 'email',
      recipients: sent,
      store: coupons.byChannel.store / sent,
      web: coupons.byChannel.web / sent,
      phone: coupons.byChannel.phone / sent,
      clickOnly: (clicked.uniqueHuman - redeemedAfterClick) / sent,
    },
  ],
  objective: { kpi: 'open_rate', target: 0.3, actual: opened.uniqueHuman / delivered, met: true },
  // 1,147 emails: €0.1147, against 1,147 letters at €1.60 = €1,835.20.
  cost: campaignCost({
    units: sampleUnitCosts,
    emailsSent: sent,
    sms: null,
    overlapping: false,
    revenue: coupons.revenue,
  }),
  attribution: null,
  traffic: null,
};

/**
 * The same campaign while it is still sending, before SES has reported any
 * delivery: a few coupons already viewed, printed and redeemed.
 */
export const sendingReport: CampaignReport = {
  ...sampleReport,
  campaign: {
    ...sampleReport.campaign,
    status: 'paused',
    pausedReason: 'Too many send errors (12 in the last batch)',
  },
  delivered: 0,
  bounced: 0,
  softBounced: 0,
  rateBase: 'sent',
  rates: {
    delivery: 0,
    bounce: 0,
    complaint: 0,
    open: opened.uniqueHuman / sent,
    click: clicked.uniqueHuman / sent,
    clickToOpen: clicked.uniqueHuman / opened.uniqueHuman,
    unsubscribe: unsubscribed / sent,
  },
  coupons: {
    issued: sent,
    viewed: 61,
    printed: 14,
    redeemed: 3,
    redemptionRate: 3 / sent,
    revenue: 187.5,
    averageBasket: 187.5 / 3,
    byChannel: { store: 2, web: 1, phone: 0 },
    byStore: [
      { storeId: 'paris-11', redeemed: 2 },
      { storeId: 'lyon-02', redeemed: 1 },
    ],
  },
  sms: null,
  actionResponse: [
    { action: 'email', recipients: sent, store: 2 / sent, web: 1 / sent, phone: 0, clickOnly: 94 / sent },
  ],
  objective: { kpi: 'open_rate', target: 0.3, actual: opened.uniqueHuman / sent, met: true },
  cost: campaignCost({
    units: sampleUnitCosts,
    emailsSent: sent,
    sms: null,
    overlapping: false,
    revenue: 187.5,
  }),
};

/** The SMS of the mixed campaign: those with no email address (or no consent to email) get a text. */
const smsSent = 398;
const sms = {
  sent: smsSent,
  segments: 2 * smsSent,
  failed: 2,
  optedOut: 5,
  delivered: 371,
  undelivered: 19,
  clicked: { uniqueHuman: 87, uniqueMachine: 6, totalHuman: 112, totalMachine: 9 },
  rates: { delivery: 371 / smsSent, click: 87 / 371 },
  // Final receipts so far (371 delivered, 19 not): two parts each at 0.0712 USD.
  costUsd: 55.536,
  links: [
    {
      index: 0,
      url: 'https://relance.maison-durand.fr/c/',
      uniqueHuman: 64,
      totalHuman: 80,
      totalMachine: 6,
    },
    {
      index: 1,
      url: 'https://www.maison-durand.fr/offres/printemps?utm_source=relance&utm_medium=sms',
      uniqueHuman: 31,
      totalHuman: 32,
      totalMachine: 3,
    },
  ],
};
/** Of the 19 redemptions that followed an SMS, 14 came after a click on one of its links. */
const smsRedeemedAfterClick = 14;

/**
 * The same win-back sent as email and SMS (`email+sms`): the 1,147 emails of
 * `sampleReport`, and 398 SMS to the customers who cannot be emailed (2 failed,
 * 5 refused by the opt-out list). The top-level counts cover every message.
 */
export const mixedReport: CampaignReport = {
  ...sampleReport,
  campaign: { ...sampleReport.campaign, channel: 'email+sms' },
  targeted: targeted + smsSent + sms.failed + sms.optedOut,
  sent: sent + smsSent,
  failed: failed + sms.failed,
  skipped: skipped + sms.optedOut,
  capped: 0,
  cooldown: 0,
  coupons: {
    issued: sent + smsSent,
    viewed: 498,
    printed: 154,
    redeemed: 77,
    redemptionRate: 77 / (sent + smsSent),
    revenue: 4777.2,
    averageBasket: 4777.2 / 77,
    byChannel: { store: 68, web: 9, phone: 0 },
    byStore: [
      { storeId: 'paris-11', redeemed: 32 },
      { storeId: 'paris-15', redeemed: 20 },
      { storeId: 'lyon-02', redeemed: 16 },
      { storeId: 'lille-centre', redeemed: 9 },
    ],
  },
  sms,
  actionResponse: [
    ...sampleReport.actionResponse,
    {
      action: 'sms',
      recipients: smsSent,
      store: 17 / smsSent,
      web: 2 / smsSent,
      phone: 0,
      clickOnly: (sms.clicked.uniqueHuman - smsRedeemedAfterClick) / smsSent,
    },
  ],
  objective: { kpi: 'redemption_rate', target: 0.04, actual: 77 / (sent + smsSent), met: true },
  // 1,147 emails (€0.1147) and 796 segments (€59.70), against 1,545 letters (€2,472).
  cost: campaignCost({
    units: sampleUnitCosts,
    emailsSent: sent,
    sms: { sent: smsSent, segments: sms.segments, costUsd: sms.costUsd },
    overlapping: false,
    revenue: 4777.2,
  }),
};

const noEngagement = { uniqueHuman: 0, uniqueMachine: 0, totalHuman: 0, totalMachine: 0 };

/**
 * The same win-back sent as SMS only: 405 messages targeted, 398 sent, 2
 * failed, 5 refused by the opt-out list; no email, so no opens, bounces or
 * email links.
 */
export const smsReport: CampaignReport = {
  ...mixedReport,
  campaign: { ...mixedReport.campaign, channel: 'sms' },
  targeted: smsSent + sms.failed + sms.optedOut,
  sent: smsSent,
  failed: sms.failed,
  skipped: sms.optedOut,
  capped: 0,
  cooldown: 0,
  pending: 0,
  delivered: 0,
  bounced: 0,
  softBounced: 0,
  complained: 0,
  rejected: 0,
  unsubscribed: 0,
  opened: noEngagement,
  clicked: noEngagement,
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
    issued: smsSent,
    viewed: 96,
    printed: 21,
    redeemed: 19,
    redemptionRate: 19 / smsSent,
    revenue: 1064.8,
    averageBasket: 1064.8 / 19,
    byChannel: { store: 17, web: 2, phone: 0 },
    byStore: [
      { storeId: 'paris-11', redeemed: 8 },
      { storeId: 'paris-15', redeemed: 5 },
      { storeId: 'lyon-02', redeemed: 4 },
      { storeId: 'lille-centre', redeemed: 2 },
    ],
  },
  actionResponse: mixedReport.actionResponse.filter((a) => a.action === 'sms'),
  objective: { kpi: 'redemption_rate', target: 0.04, actual: 19 / smsSent, met: true },
  // 796 segments (€59.70), against 398 letters (€636.80).
  cost: campaignCost({
    units: sampleUnitCosts,
    emailsSent: null,
    sms: { sent: smsSent, segments: sms.segments, costUsd: sms.costUsd },
    overlapping: false,
    revenue: 1064.8,
  }),
};
