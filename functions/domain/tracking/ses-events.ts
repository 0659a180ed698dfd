import * as z from 'zod';
import { type GuardLimits, guardPause, guardReason } from '../campaigns/guard';
import type { CampaignRepository } from '../campaigns/ports';
import type { RecipientMark } from '../campaigns/send-record';
import { suppressContactChannel } from '../contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../contacts/ports';
import type { CampaignStat } from '../reports/counters';
import type { Clock } from '../shared/ports';
import type { EventPublisher } from '../webhooks/ports';
import { emit } from '../webhooks/webhook';
import type { EngagementRepository, EventLog } from './ports';

/**
 * The part of an SES event (EventBridge destination of the configuration set)
 * that Relance uses. The message's tags carry the campaign and the contact.
 */
export const sesEventSchema = z.object({
  id: z.string().optional(),
  detail: z.object({
    eventType: z.string(),
    mail: z.object({
      messageId: z.string(),
      timestamp: z.string().optional(),
      tags: z.record(z.string(), z.array(z.string())).default({}),
    }),
    bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional() }).optional(),
    complaint: z.object({ complaintFeedbackType: z.string().optional() }).optional(),
  }),
});
export type SesEvent = z.infer<typeof sesEventSchema>;

export interface ProviderEventDeps {
  engagement: EngagementRepository;
  contacts: ContactRepository;
  suppression: SuppressionList;
  events: EventLog;
  clock: Clock;
  /** Webhooks: a first delivery is published as `delivered`. */
  publisher?: EventPublisher;
  /** The deliverability guard: a campaign whose bounces or complaints pass these pauses itself. */
  guard?: {
    campaigns: Pick<CampaignRepository, 'transition' | 'get'>;
    limits: GuardLimits;
    onPause?: (campaignId: string, reason: string) => void;
  };
}

/** What an SES event means here: the statistic it adds to, and whether it suppresses the address. */
export function classifySesEvent(e: SesEvent): {
  stat?: CampaignStat;
  mark?: RecipientMark;
  suppress?: string;
  type: string;
} {
  const d = e.detail;
  switch (d.eventType) {
    case 'Delivery':
      return { type: 'delivery', stat: 'delivered', mark: 'deliveredAt' };
    case 'Bounce':
      return d.bounce?.bounceType === 'Permanent'
        ? { type: 'bounce', stat: 'bounced', mark: 'bouncedAt', suppress: 'bounce' }
        : { type: 'soft-bounce', stat: 'softBounced' };
    case 'Complaint':
      return { type: 'complaint', stat: 'complained', mark: 'complainedAt', suppress: 'complaint' };
    case 'Reject':
    case 'Rendering Failure':
    case 'RenderingFailure':
      return { type: 'reject', stat: 'rejected' };
    default:
      return { type: d.eventType.toLowerCase() };
  }
}

/**
 * Records an SES event once and applies it: a hard bounce or a complaint
 * suppresses the contact's email for every later campaign; every event adds to
 * its campaign's statistics. Events delivered twice count once.
 */
export async function handleSesEvent(
  deps: ProviderEventDeps,
  event: SesEvent,
): Promise<'recorded' | 'duplicate'> {
  const d = event.detail;
  const campaignId = d.mail.tags.campaignId?.[0];
  const contactId = d.mail.tags.contactId?.[0];
  const what = classifySesEvent(event);
  const fresh = await deps.events.recordOnce({
    messageId: d.mail.messageId,
    type: what.type,
    at: deps.clock.now().toISOString(),
    ...(campaignId ? { campaignId } : {}),
    ...(contactId ? { contactId } : {}),
    ...(d.bounce
      ? { detail: { bounce: d.bounce } }
      : d.complaint
        ? { detail: { complaint: d.complaint } }
        : {}),
  });
  if (!fresh) return 'duplicate';
  if (what.suppress && contactId) {
    await suppressContactChannel(deps, contactId, 'email', `${what.suppress}:${campaignId ?? 'unknown'}`);
  }
  const at = deps.clock.now().toISOString();
  const first =
    campaignId && contactId && what.mark
      ? await deps.engagement.markFirst(campaignId, contactId, what.mark, at)
      : false;
  if (what.stat && campaignId) await deps.engagement.count(campaignId, { [what.stat]: 1 });
  if (deps.guard && campaignId && (what.stat === 'bounced' || what.stat === 'complained')) {
    const { numbers } = await deps.engagement.counters(campaignId);
    const reason = guardReason(
      {
        delivered: numbers.delivered ?? 0,
        bounced: numbers.bounced ?? 0,
        complained: numbers.complained ?? 0,
      },
      deps.guard.limits,
    );
    if (reason && (await guardPause(deps.guard.campaigns, campaignId, reason)))
      deps.guard.onPause?.(campaignId, reason);
  }
  if (first && what.mark === 'deliveredAt' && campaignId && contactId)
    await emit(deps.publisher, [{ type: 'delivered', at, campaignId, contactId, channel: 'email' }]);
  return 'recorded';
}
