import { createHmac } from 'node:crypto';
import { keyedShare } from '../reports/stats';
import type { Keyring } from '../shared/hashing';
import type { Campaign } from './campaign';

/**
 * The holdout group: who of an audience gets nothing, so that what they buy anyway can be set
 * against what the recipients buy. A contact is held out when a keyed hash of (the campaign — or
 * its automation, so the same people in every run — and the contact) falls below the share: random
 * for every practical purpose, uniform, independent of shop, locale or anything else the contact
 * carries, and the same every time it is asked, whatever order or page the contact comes in.
 *
 * The key is the keyring's first key by id, not its current one: rotating keys (adding one) must
 * not move people between the groups of a running automation.
 */
export function holdoutScope(campaign: Pick<Campaign, 'id' | 'automation'>): string {
  return campaign.automation ? `automation:${campaign.automation.id}` : `campaign:${campaign.id}`;
}

/** The contact's place in [0, 1) for this scope: below the share, held out. */
export function holdoutDraw(ring: Keyring, scope: string, contactId: string): number {
  const keyId = Object.keys(ring.keys).sort()[0] as string;
  const digest = createHmac('sha256', ring.keys[keyId] as string)
    .update(`holdout\u0000${scope}\u0000${contactId}`, 'utf8')
    .digest('hex');
  return keyedShare(digest);
}

/** True when the contact is in the campaign's holdout group. */
export function isHeldOut(
  ring: Keyring,
  campaign: Pick<Campaign, 'id' | 'automation' | 'holdout'>,
  contactId: string,
): boolean {
  const share = campaign.holdout?.share ?? 0;
  return share > 0 && holdoutDraw(ring, holdoutScope(campaign), contactId) < share;
}
