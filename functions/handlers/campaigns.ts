import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { type CampaignAction, campaignInputSchema, pending } from '../domain/campaigns/campaign';
import { applyCampaignAction, createCampaign, previewSegment } from '../domain/campaigns/lifecycle';
import { CAMPAIGN_STATS } from '../domain/reports/counters';
import { segmentSchema } from '../domain/segments/segment';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { type ApiRequest, httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
import { cursors } from '../http/cursors';
import { httpOptions } from '../http/options';
import { campaignCreationDeps, campaignDeps, segmentPreviewDeps } from '../wiring/campaigns';

/** `?override=true`: resume a campaign the deliverability guard paused. */
const actionQuery = z.strictObject({ override: z.enum(['true', 'false']).optional() });

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2000).optional(),
});
const segmentPreviewSchema = z.strictObject({
  segment: segmentSchema,
  channel: z.enum(['email', 'sms']).default('email'),
});

/** Campaigns: create a draft from a template and a segment, send it, steer it, read its counts. */
export function makeHandler(deps: AppDeps) {
  const lifecycle = campaignDeps(deps);
  const view = <T extends { counts: Parameters<typeof pending>[0] }>(c: T) => ({
    ...c,
    counts: { ...c.counts, pending: pending(c.counts) },
  });
  const action =
    (name: CampaignAction, status: number) =>
    async ({ params, event, query }: ApiRequest) => {
      const q = parseInput(actionQuery, query, 'query');
      const campaign = await applyCampaignAction(lifecycle, params.id ?? '', name, {
        baseUrl: publicBaseUrl(event, deps.config.PUBLIC_BASE_URL),
        override: q.override === 'true',
      });
      return json(status, view(campaign));
    };

  const pages = cursors(deps.keyring);
  return httpHandler(
    'campaigns',
    {
      'POST /v1/campaigns': async ({ body, event }) => {
        const campaign = await createCampaign(
          campaignCreationDeps(deps, publicBaseUrl(event, deps.config.PUBLIC_BASE_URL)),
          parseInput(campaignInputSchema, body),
        );
        return json(201, view(campaign));
      },
      'GET /v1/campaigns': async ({ query }) => {
        const q = parseInput(listQuery, query, 'query');
        const page = await deps.campaigns.list(q.limit, await pages.open('campaigns', q.cursor));
        const next = await pages.seal('campaigns', page.next);
        return json(200, { items: page.items.map(view), ...(next ? { next } : {}) });
      },
      'GET /v1/campaigns/{id}': async ({ params }) => {
        const campaign = await deps.campaigns.get(params.id ?? '');
        if (!campaign) throw notFound('Campaign');
        const { numbers } = await deps.engagement.counters(campaign.id);
        const stats = Object.fromEntries(
          CAMPAIGN_STATS.flatMap((s) => (numbers[s] ? [[s, numbers[s]]] : [])),
        );
        return json(200, { ...view(campaign), stats });
      },
      'POST /v1/campaigns/{id}/send': action('send', 202),
      'POST /v1/campaigns/{id}/pause': action('pause', 200),
      'POST /v1/campaigns/{id}/resume': action('resume', 202),
      'POST /v1/campaigns/{id}/cancel': action('cancel', 200),
      'POST /v1/segments/preview': async ({ body }) => {
        const input = parseInput(segmentPreviewSchema, body);
        return json(200, await previewSegment(segmentPreviewDeps(deps), input.segment, input.channel));
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
