import { stringify } from 'csv-stringify/sync';
import { DEFAULT_ATTRIBUTION_DAYS } from '../campaigns/campaign';
import type { CampaignRepository } from '../campaigns/ports';
import type { SendRecord } from '../campaigns/send-record';
import type { ContactRepository } from '../contacts/ports';
import type { PurchaseRepository } from '../purchases/ports';
import type { Purchase } from '../purchases/purchase';
import { notFound } from '../shared/errors';
import type { EngagementRepository } from '../tracking/ports';

/** Text a person typed, never read as a formula by a spreadsheet (`=HYPERLINK(…)` → `'=HYPERLINK(…)`). */
const formulaSafe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

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
  // Added with holdouts and attribution: who a marketer calls, and what they bought after.
  'first_name',
  'group',
  'coupon_code',
  'redeemed_at',
  'responder',
  'first_purchase_at',
  'first_purchase_channel',
  'first_purchase_amount',
] as const;

export interface ReportCsvDeps {
  campaigns: Pick<CampaignRepository, 'get'>;
  engagement: Pick<EngagementRepository, 'sendRecords'>;
  contacts: Pick<ContactRepository, 'getMany'>;
  purchases: Pick<PurchaseRepository, 'ofContact'>;
}

/**
 * How the CSV is written: `excel-fr` gives semicolons, decimal commas and a byte order mark, so that
 * French Excel opens it in columns; `standard` (the default) commas and points, UTF-8 without BOM.
 */
export type CsvDialect = 'standard' | 'excel-fr';

/**
 * One page of a campaign's per-recipient export: one row per message (a contact who got an email
 * and an SMS has two), the header on the first page only, and the cursor of the next page.
 */
export async function reportCsvPage(
  deps: ReportCsvDeps,
  campaignId: string,
  cursor: string | undefined,
  pageSize = CSV_PAGE,
  dialect: CsvDialect = 'standard',
): Promise<{ campaignId: string; csv: string; next?: string }> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw notFound('Campaign');
  const page = await deps.engagement.sendRecords(campaign.id, cursor, pageSize);
  const contacts = await deps.contacts.getMany(page.records.map((r) => r.contactId));
  const windowMs = (campaign.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS) * 86_400_000;
  const firstPurchase = new Map<SendRecord, Purchase>();
  const measured = page.records.filter((r) => r.status === 'sent' || r.status === 'holdout');
  let next = 0;
  const worker = async () => {
    while (next < measured.length) {
      const r = measured[next++] as SendRecord;
      const from = Date.parse(r.status === 'holdout' ? r.claimedAt : (r.settledAt ?? r.claimedAt));
      const p = (await deps.purchases.ofContact(r.contactId, new Date(from).toISOString())).find(
        (x) => Date.parse(x.at) < from + windowMs,
      );
      if (p) firstPurchase.set(r, p);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, measured.length) }, worker));
  const decimal = (x: number | undefined) =>
    x === undefined ? '' : dialect === 'excel-fr' ? String(x).replace('.', ',') : String(x);
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
    formulaSafe(contacts.get(r.contactId)?.firstName ?? ''),
    r.status === 'holdout' ? 'holdout' : r.status === 'sent' ? 'treated' : '',
    r.couponCode ?? '',
    r.redeemedAt ?? '',
    r.status === 'sent' || r.status === 'holdout' ? (firstPurchase.has(r) ? 'yes' : 'no') : '',
    firstPurchase.get(r)?.at ?? '',
    firstPurchase.get(r)?.channel ?? '',
    decimal(firstPurchase.get(r)?.amount),
  ]);
  const first = cursor === undefined;
  const body = stringify(rows, {
    header: first,
    columns: [...REPORT_CSV_COLUMNS],
    // For Excel every cell that would start a formula (`=`, `+`, `-`, `@`) is escaped, phone numbers
    // included (no column here is a negative number); in the standard dialect, what a person typed.
    ...(dialect === 'excel-fr' ? { delimiter: ';', escape_formulas: true } : {}),
  });
  const csv = dialect === 'excel-fr' && first ? `\uFEFF${body}` : body;
  return { campaignId: campaign.id, csv, ...(page.next ? { next: page.next } : {}) };
}
