import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { unitCostsFrom } from '../domain/reports/costs';
import { reportCsvPage } from '../domain/reports/csv';
import { campaignReport } from '../domain/reports/report';
import { reportSummary, summaryCsv, summaryQuerySchema } from '../domain/reports/summary';
import { parseInput } from '../domain/shared/validation';
import { type ApiRequest, header, httpHandler, json, lazyHandler } from '../http/api';
import { cursors } from '../http/cursors';
import { htmlResponse } from '../http/html';
import { httpOptions } from '../http/options';
import { reportPage } from '../ui/pages/report';
import { summaryPage } from '../ui/pages/summary';
import { reportCsvDeps, reportDeps } from '../wiring/reports';

const csvQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  /** `excel-fr`: semicolons, decimal commas and a BOM, for French Excel. */
  dialect: z.enum(['standard', 'excel-fr']).optional(),
});
const htmlQuery = z.strictObject({ lang: z.enum(['fr', 'en']).optional() });

/**
 * A campaign's report: JSON for tools, CSV for spreadsheets, HTML for people.
 * The CSV has one row per message: a contact who got an email and an SMS has two.
 */
export function makeHandler(deps: AppDeps) {
  // The COST_* variables: every report (JSON and HTML) shows its cost against post.
  const costs = unitCostsFrom(deps.config);
  const reports = reportDeps(deps);
  const csv = reportCsvDeps(deps);
  const pages = cursors(deps.keyring);
  return httpHandler(
    'reports',
    {
      'GET /v1/campaigns/{id}/report': async ({ params }) =>
        json(200, (await campaignReport(reports, params.id ?? '', costs)).report),
      'GET /v1/campaigns/{id}/report.html': async ({ params, query, event }: ApiRequest) => {
        const q = parseInput(htmlQuery, query, 'query');
        const lang =
          q.lang ?? ((header(event, 'accept-language') ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en');
        const { campaign, report } = await campaignReport(reports, params.id ?? '', costs);
        const page = reportPage(report, {
          locale: lang,
          ...(campaign.offer?.currency ? { currency: campaign.offer.currency } : {}),
        });
        return htmlResponse(200, page, { img: 'data:' });
      },
      'GET /v1/reports/summary': async ({ query }) =>
        json(200, await reportSummary(reports, parseInput(summaryQuerySchema, query, 'query'), costs)),
      'GET /v1/reports/summary.csv': async ({ query }) => {
        const q = parseInput(summaryQuerySchema, query, 'query');
        const summary = await reportSummary(reports, q, costs);
        return {
          status: 200,
          body: summaryCsv(summary, q.dialect ?? 'standard'),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="relance-summary-${q.from.slice(0, 10)}.csv"`,
          },
        };
      },
      'GET /v1/reports/summary.html': async ({ query, event }: ApiRequest) => {
        const q = parseInput(summaryQuerySchema, query, 'query');
        const lang =
          q.lang ?? ((header(event, 'accept-language') ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en');
        return htmlResponse(200, summaryPage(await reportSummary(reports, q, costs), lang));
      },
      'GET /v1/campaigns/{id}/report.csv': async ({ params, query }) => {
        const q = parseInput(csvQuery, query, 'query');
        const list = `report:${params.id ?? ''}`;
        const page = await reportCsvPage(
          csv,
          params.id ?? '',
          await pages.open(list, q.cursor),
          undefined,
          q.dialect,
        );
        const sealed = await pages.seal(list, page.next);
        const next: Record<string, string> = sealed
          ? {
              'x-next-cursor': sealed,
              link: `</v1/campaigns/${page.campaignId}/report.csv?cursor=${sealed}${q.dialect ? `&dialect=${q.dialect}` : ''}>; rel="next"`,
            }
          : {};
        return {
          status: 200,
          body: page.csv,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${page.campaignId}-report.csv"`,
            ...next,
          },
        };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
