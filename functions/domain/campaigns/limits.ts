import type { AutomationRepository } from '../automations/ports';
import type { Channel } from '../contacts/contact';
import type { Clock } from '../shared/ports';
import type { Campaign } from './campaign';
import type { FrequencyCap } from './frequency';
import type { FrequencyLedger } from './ports';

/**
 * Why a message may not go out although the contact can be messaged: its
 * automation messaged it within its cooldown, or it had its share of
 * marketing messages (the global frequency cap). Each check records the
 * message when it passes, so the next campaign sees it.
 */
/** What the limits on marketing pressure need. */
export interface LimitDeps {
  clock: Clock;
  /** The global frequency cap, across campaigns and automations; none when unset. */
  frequency: FrequencyLedger;
  frequencyCap?: FrequencyCap;
  /** An automation messages a contact at most once per cooldown. */
  automations: Pick<AutomationRepository, 'markMessaged'>;
}

export async function beyondLimits(
  deps: LimitDeps,
  campaign: Campaign,
  contactId: string,
  channel: Channel,
): Promise<'cooldown' | 'capped' | undefined> {
  const at = deps.clock.now().toISOString();
  // The cap first: a capped contact keeps its automation's cooldown for a message it will get.
  if (deps.frequencyCap) {
    const fits = await deps.frequency.reserve(
      contactId,
      { campaignId: campaign.id, channel, at },
      deps.frequencyCap,
    );
    if (!fits) return 'capped';
  }
  const auto = campaign.automation;
  if (auto?.step === 0 && auto.cooldownDays) {
    if (!(await deps.automations.markMessaged(auto.id, contactId, campaign.id, at, auto.cooldownDays))) {
      return 'cooldown';
    }
  }
  return undefined;
}
