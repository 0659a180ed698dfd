import { stringify } from 'csv-stringify/sync';
import type { CampaignRepository } from '../campaigns/ports';
import type { ContactRepository } from '../contacts/ports';
import { notFound } from '../shared/errors';
import type { EngagementRepository } from '../tracking/ports';

/** Rows per CSV response: Lambda answers at most 6 MB, so big campaigns export in pages. */
export const CSV_PAGE = 10_000;

export const REPORT_CSV_COLUMNS = [
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

export interface ReportCsvDeps {
  campaigns: Pick<CampaignRepository, 'get'>;
  engagement: Pick<EngagementRepository, 'sendRecords'>;
  contacts: Pick<ContactRepository, 'getMany'>;
}

/**
 * One page of a campaign's per-recipient export: one row per message (a contact who got an email
 * and an SMS has two), the header on the first page only, and the cursor of the next page.
 */
export async function reportCsvPage(
  deps: ReportCsvDeps,
  campaignId: string,
  cursor: string | undefined,
  pageSize = CSV_PAGE,
): Promise<{ campaignId: string; csv: string; next?: string }> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw notFound('Campaign');
  const page = await deps.engagement.sendRecords(campaign.id, cursor, pageSize);
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
  const csv = stringify(rows, { header: cursor === undefined, columns: [...REPORT_CSV_COLUMNS] });
  return { campaignId: campaign.id, csv, ...(page.next ? { next: page.next } : {}) };
}
