import type { CampaignReport } from '../../functions/domain/reports';

/**
 * A realistic finished win-back campaign: 1,167 customers targeted, Apple Mail
 * Privacy Protection and link scanners among the opens and clicks, six links
 * (one of them the map of the customer's own shop), an open-rate objective of 30 %.
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

export const sampleReport: CampaignReport = {
  campaign: {
    id: 'cmp_01JV7Q3M2K8R5T9W4X6Y0Z1A2B',
    name: 'Relance printemps — clients inactifs depuis 6 mois',
    status: 'sent',
    template: 'winback',
    createdAt: '2025-03-24T08:12:40.000Z',
    sendRequestedAt: '2025-03-25T07:30:00.000Z',
    completedAt: '2025-03-25T07:41:18.000Z',
  },
  targeted,
  sent,
  failed,
  skipped,
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
  objective: { kpi: 'open_rate', target: 0.3, actual: opened.uniqueHuman / delivered, met: true },
};

/** The same campaign while it is still sending, before SES has reported any delivery. */
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
  objective: { kpi: 'open_rate', target: 0.3, actual: opened.uniqueHuman / sent, met: true },
};
