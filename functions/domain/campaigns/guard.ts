import type { CampaignRepository } from './ports';

/**
 * The deliverability guard's limits. SES puts an account under review at 5% bounces or 0.1%
 * complaints and may pause it at 10% / 0.5%: a campaign to a stale list pauses itself first.
 */
export interface GuardLimits {
  /** Hard bounces over delivered messages, past `minDelivered` (5%, after 200). */
  bounceRate: number;
  minDeliveredForBounces: number;
  /** Complaints over delivered messages, past `minDeliveredForComplaints` (0.1%, after 1,000). */
  complaintRate: number;
  minDeliveredForComplaints: number;
}

export const DEFAULT_GUARD: GuardLimits = {
  bounceRate: 0.05,
  minDeliveredForBounces: 200,
  complaintRate: 0.001,
  minDeliveredForComplaints: 1000,
};

/** The start of every reason the guard gives: a campaign paused by it needs an override to resume. */
export const GUARD_REASON = 'Deliverability guard';

const pct = (x: number) => `${(x * 100).toFixed(2).replace(/\.?0+$/, '')}%`;

/**
 * Why the campaign must pause for its bounces or complaints (pure), if it must. Bounces are a share
 * of the emails that reached the receiving servers' answer (delivered + bounced), as SES counts
 * them: a list where nearly everything bounces pauses too, though little is ever delivered.
 */
export function guardReason(
  figures: { delivered: number; bounced: number; complained: number },
  limits: GuardLimits = DEFAULT_GUARD,
): string | undefined {
  const { delivered, bounced, complained } = figures;
  const answered = delivered + bounced;
  if (answered >= limits.minDeliveredForBounces && bounced / answered > limits.bounceRate)
    return `${GUARD_REASON}: hard bounces are ${pct(bounced / answered)} of ${answered} emails (limit ${pct(limits.bounceRate)}): clean the list before resuming`;
  if (delivered >= limits.minDeliveredForComplaints && complained / delivered > limits.complaintRate)
    return `${GUARD_REASON}: complaints are ${pct(complained / delivered)} of ${delivered} delivered (limit ${pct(limits.complaintRate)}): check the audience's consent before resuming`;
  return undefined;
}

/** Pauses a sending campaign with the guard's reason; true when this call paused it. */
export async function guardPause(
  campaigns: Pick<CampaignRepository, 'transition' | 'get'>,
  campaignId: string,
  reason: string,
): Promise<boolean> {
  // A marketer who resumed it past the guard decided: it does not pause again.
  if ((await campaigns.get(campaignId))?.guardOverriddenAt) return false;
  return (
    (await campaigns.transition(campaignId, ['sending'], 'paused', { pausedReason: reason })) !== undefined
  );
}

/** True when the campaign was paused by the guard: resuming it takes an explicit override. */
export const pausedByGuard = (c: { status: string; pausedReason?: string }) =>
  c.status === 'paused' && (c.pausedReason ?? '').startsWith(GUARD_REASON);
