import type { Clock } from '../shared/ports';
import { type Campaign, pending } from './campaign';
import type { CampaignRepository } from './ports';

/** Marks the campaign sent once planning is over and every recipient has an outcome. */
export async function completeIfDone(
  campaigns: CampaignRepository,
  campaign: Campaign | undefined,
  clock: Clock,
) {
  if (campaign?.status !== 'sending' || !campaign.plan.done || pending(campaign.counts) > 0) return;
  await campaigns.transition(campaign.id, ['sending'], 'sent', { completedAt: clock.now().toISOString() });
}
