import { stringify } from 'csv-stringify/sync';
import * as z from 'zod';
import type { Campaign } from '../campaigns/campaign';
import type { CampaignRepository } from '../campaigns/ports';
import type { UnitCosts } from './costs';
import { measureAttribution } from './lift';
import { buildReport, type CampaignReport, type ReportDeps } from './report';

/** `GET /v1/reports/summary?from=&to=`: campaigns whose sending started in [from, to). */
export const summaryQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()),
    lang: z.enum(['fr', 'en']).optional(),
    dialect: z.enum(['standard', 'excel-fr']).optional(),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), {
    message: '"to" must come after "from"',
    path: ['to'],
  })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 400 * 86_400_000, {
    message: 'A summary covers at most 400 days',
    path: ['to'],
  });
export type SummaryQuery = z.infer<typeof summaryQuerySchema>;

/** One line of the management view: a campaign, or an automation (all its runs and steps together). */
export interface SummaryLine {
  kind: 'campaign' | 'automation';
  id: string;
  name: string;
  campaigns: number;
  messages: number;
  /** Messages and discounts, in the costs' currency. */
  cost: number;
  /** What the same audience would have cost by post. */
  postal: number;
  /**
   * Recipients who bought within the window after their message, each purchase credited to the
   * last message its buyer received before it (of the campaigns in the period): no purchase counts twice.
   */
  attributedVisits: number;
  attributedRevenue: number;
  /** Visits and revenue the messages brought against their holdout (null without one). */
  incrementalVisits: number | null;
  incrementalRevenue: number | null;
  costPerIncrementalVisit: number | null;
  /** Some window is still open. */
  provisional: boolean;
}

export interface Summary {
  from: string;
  to: string;
  currency: string;
  lines: SummaryLine[];
  totals: Omit<SummaryLine, 'kind' | 'id' | 'name'>;
}

export interface SummaryDeps extends ReportDeps {
  campaigns: Pick<CampaignRepository, 'get' | 'list'>;
}

/** Rounded to the cent, for sums of revenue. */
const cents = (x: number) => Math.round(x * 100) / 100;
/** Costs to the millionth, as the report gives them: a thousand emails cost a few cents. */
const fine = (x: number) => Math.round(x * 1_000_000) / 1_000_000;

/**
 * The management view: for every campaign and automation that started sending in the period,
 * its messages, cost (messages and discounts), postal equivalent, the visits and revenue attributed
 * to it (purchases within its window) and, with a holdout, those it brought, and the cost per visit
 * brought. An automation's runs and reminders add up in one line. Built from each campaign's report.
 */
export async function reportSummary(
  deps: SummaryDeps,
  query: Pick<SummaryQuery, 'from' | 'to'>,
  costs: UnitCosts,
): Promise<Summary> {
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  const chosen: Campaign[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.campaigns.list(100, cursor);
    for (const c of page.items) {
      const started = c.sendRequestedAt ? Date.parse(c.sendRequestedAt) : undefined;
      if (started !== undefined && started >= from && started < to) chosen.push(c);
    }
    cursor = page.next;
    // Newest first: once a page ends before the period, the rest does too.
    const last = page.items.at(-1);
    if (last && Date.parse(last.createdAt) < from - 400 * 86_400_000) break;
  } while (cursor);

  const reports: { campaign: Campaign; report: CampaignReport }[] = [];
  // A purchase in the windows of several messages is credited to the last message before it.
  const credited = new Map<
    string,
    { campaignId: string; messageAt: number; contactId: string; amount: number }
  >();
  for (const campaign of chosen) {
    const [counters, attribution] = await Promise.all([
      deps.engagement.counters(campaign.id),
      measureAttribution(deps, campaign, {
        currency: costs.currency,
        credit: ({ contactId, purchase, messageAt }) => {
          const key = `${contactId}\u0000${purchase.id}`;
          const known = credited.get(key);
          if (
            !known ||
            messageAt > known.messageAt ||
            (messageAt === known.messageAt && campaign.id > known.campaignId)
          )
            credited.set(key, { campaignId: campaign.id, messageAt, contactId, amount: purchase.amount });
        },
      }),
    ]);
    reports.push({ campaign, report: buildReport(campaign, counters, costs, attribution) });
  }
  const creditOf = new Map<string, { people: Set<string>; revenue: number }>();
  for (const c of credited.values()) {
    const x = creditOf.get(c.campaignId) ?? { people: new Set<string>(), revenue: 0 };
    x.people.add(c.contactId);
    x.revenue += c.amount;
    creditOf.set(c.campaignId, x);
  }

  const lines = new Map<string, SummaryLine>();
  for (const { campaign, report } of reports) {
    const auto = campaign.automation;
    const key = auto ? `automation:${auto.id}` : `campaign:${campaign.id}`;
    const line = lines.get(key) ?? {
      kind: auto ? ('automation' as const) : ('campaign' as const),
      id: auto ? auto.id : campaign.id,
      name: auto ? campaign.name.split(' · ')[0] || campaign.name : campaign.name,
      campaigns: 0,
      messages: 0,
      cost: 0,
      postal: 0,
      attributedVisits: 0,
      attributedRevenue: 0,
      incrementalVisits: null,
      incrementalRevenue: null,
      costPerIncrementalVisit: null,
      provisional: false,
    };
    const a = report.attribution;
    line.campaigns++;
    line.messages += report.sent;
    line.cost = fine(line.cost + (report.cost?.total ?? 0));
    // An automation's reminders go to the same people: one letter each, counted on the first message.
    if (!auto || auto.step === 0) line.postal = cents(line.postal + (report.cost?.postal.cost ?? 0));
    line.attributedVisits += creditOf.get(campaign.id)?.people.size ?? 0;
    line.attributedRevenue = cents(line.attributedRevenue + (creditOf.get(campaign.id)?.revenue ?? 0));
    if (a?.lift) {
      line.incrementalVisits = (line.incrementalVisits ?? 0) + a.lift.incrementalResponders.value;
      line.incrementalRevenue = cents(
        (line.incrementalRevenue ?? 0) + (a.lift.incrementalRevenue?.value ?? 0),
      );
    }
    line.provisional ||= a?.provisional ?? false;
    lines.set(key, line);
  }
  const out = [...lines.values()].map((l) => ({
    ...l,
    incrementalVisits: l.incrementalVisits === null ? null : Math.round(l.incrementalVisits * 10) / 10,
    costPerIncrementalVisit:
      l.incrementalVisits && l.incrementalVisits > 0 ? fine(l.cost / l.incrementalVisits) : null,
  }));
  const sum = (f: (l: SummaryLine) => number | null) =>
    out.some((l) => f(l) !== null) ? out.reduce((s, l) => s + (f(l) ?? 0), 0) : null;
  const incrementalVisits = sum((l) => l.incrementalVisits);
  const cost = fine(sum((l) => l.cost) ?? 0);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    currency: costs.currency,
    lines: out,
    totals: {
      campaigns: sum((l) => l.campaigns) ?? 0,
      messages: sum((l) => l.messages) ?? 0,
      cost,
      postal: cents(sum((l) => l.postal) ?? 0),
      attributedVisits: sum((l) => l.attributedVisits) ?? 0,
      attributedRevenue: cents(sum((l) => l.attributedRevenue) ?? 0),
      incrementalVisits: incrementalVisits === null ? null : Math.round(incrementalVisits * 10) / 10,
      incrementalRevenue: (() => {
        const v = sum((l) => l.incrementalRevenue);
        return v === null ? null : cents(v);
      })(),
      costPerIncrementalVisit:
        incrementalVisits && incrementalVisits > 0 ? fine(cost / incrementalVisits) : null,
      provisional: out.some((l) => l.provisional),
    },
  };
}

/** The summary's columns, in the CSV's order. */
export const SUMMARY_COLUMNS = [
  'kind',
  'id',
  'name',
  'campaigns',
  'messages',
  'cost',
  'postal',
  'attributedVisits',
  'attributedRevenue',
  'incrementalVisits',
  'incrementalRevenue',
  'costPerIncrementalVisit',
  'provisional',
] as const;

/** The summary as CSV: a line per campaign or automation, then the totals; `excel-fr` for French Excel. */
export function summaryCsv(summary: Summary, dialect: 'standard' | 'excel-fr'): string {
  const fr = dialect === 'excel-fr';
  const value = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : typeof v === 'number' && fr
        ? String(v).replace('.', ',')
        : String(v);
  const rows = [
    ...summary.lines.map((l) => SUMMARY_COLUMNS.map((c) => value(l[c]))),
    SUMMARY_COLUMNS.map((c) =>
      c === 'kind' ? 'total' : c === 'id' || c === 'name' ? '' : value(summary.totals[c]),
    ),
  ];
  const body = stringify(rows, {
    header: true,
    columns: [...SUMMARY_COLUMNS],
    ...(fr ? { delimiter: ';' } : {}),
  });
  return fr ? `\uFEFF${body}` : body;
}
