import { stringify } from 'csv-stringify/sync';
import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { unitCostsFrom } from '../domain/reports/costs';
import { buildReport } from '../domain/reports/report';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { type ApiRequest, header, httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { reportPage } from '../ui/pages/report';

/** Rows per CSV response: Lambda answers at most 6 MB, so big campaigns export in pages. */
const CSV_PAGE = 10_000;

const csvQuery = z.strictObject({ cursor: z.string().max(500).optional() });
const htmlQuery = z.strictObject({ lang: z.enum(['fr', 'en']).optional() });

const COLUMNS = [
  'contact_id',
  'email',
  'status',
  'sent_at',
  'delivered_at',
  'bounced_at',
  'complained_at',
  'opened_at',
  'machine_opened_at',
  'clicked_at',
  'machine_clicked_at',
  'links_clicked',
  'unsubscribed_at',
  'error',
  // Added with SMS, at the end so that existing readers of the columns above keep working.
  'channel',
  'segments',
  'phone',
] as const;

/**
 * A campaign's report: JSON for tools, CSV for spreadsheets, HTML for people.
 * The CSV has one row per message: a contact who got an email and an SMS has two.
 */
export function makeHandler(deps: AppDeps) {
  // The COST_* variables: every report (JSON and HTML) shows its cost against post.
  const costs = unitCostsFrom(deps.config);
  const loadWithCampaign = async (id: string) => {
    const campaign = await deps.campaigns.get(id);
    if (!campaign) throw notFound('Campaign');
    return { campaign, report: buildReport(campaign, await deps.engagement.counters(campaign.id), costs) };
  };
  const load = async (id: string) => (await loadWithCampaign(id)).report;
  return httpHandler(
    'reports',
    {
      'GET /v1/campaigns/{id}/report': async ({ params }) => json(200, await load(params.id ?? '')),
      'GET /v1/campaigns/{id}/report.html': async ({ params, query, event }: ApiRequest) => {
        const q = parseInput(htmlQuery, query, 'query');
        const lang =
          q.lang ?? ((header(event, 'accept-language') ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en');
        return {
          status: 200,
          body: await loadWithCampaign(params.id ?? '').then(({ campaign, report }) =>
            reportPage(report, {
              locale: lang,
              ...(campaign.offer?.currency ? { currency: campaign.offer.currency } : {}),
            }),
          ),
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          },
        };
      },
      'GET /v1/campaigns/{id}/report.csv': async ({ params, query }) => {
        const q = parseInput(csvQuery, query, 'query');
        const campaign = await deps.campaigns.get(params.id ?? '');
        if (!campaign) throw notFound('Campaign');
        const page = await deps.engagement.sendRecords(campaign.id, q.cursor, CSV_PAGE);
        const contacts = await deps.contacts.getMany(page.records.map((r) => r.contactId));
        const rows = page.records.map((r) => [
          r.contactId,
          contacts.get(r.contactId)?.email ?? '',
          r.status,
          r.status === 'sent' ? (r.settledAt ?? '') : '',
          r.deliveredAt ?? '',
          r.bouncedAt ?? '',
          r.complainedAt ?? '',
          r.openedAt ?? '',
          r.machineOpenedAt ?? '',
          r.clickedAt ?? '',
          r.machineClickedAt ?? '',
          r.clickedLinks ? [...r.clickedLinks].sort((a, b) => a - b).join(' ') : '',
          r.unsubscribedAt ?? '',
          r.error ?? '',
          r.channel ?? 'email',
          r.segments ?? '',
          contacts.get(r.contactId)?.phone ?? '',
        ]);
        const first = q.cursor === undefined;
        const next: Record<string, string> = page.next
          ? {
              'x-next-cursor': page.next,
              link: `</v1/campaigns/${campaign.id}/report.csv?cursor=${page.next}>; rel="next"`,
            }
          : {};
        return {
          status: 200,
          body: stringify(rows, { header: first, columns: [...COLUMNS] }),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${campaign.id}-report.csv"`,
            ...next,
          },
        };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
