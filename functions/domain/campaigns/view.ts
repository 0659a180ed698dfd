import type { ContactRepository } from '../contacts/ports';
import type { CouponRepository } from '../coupons/ports';
import type { Keyring } from '../shared/hashing';
import type { StoreRepository } from '../stores/ports';
import { messageRef } from '../tracking/unsubscribe';
import { buildEmail, type MessageDeps, prepareContent } from './message';
import type { CampaignRepository } from './ports';

export interface ViewMessageDeps extends MessageDeps {
  keyring: () => Promise<Keyring>;
  campaigns: Pick<CampaignRepository, 'get' | 'getContent' | 'getSend'>;
  contacts: Pick<ContactRepository, 'get'>;
  coupons: Pick<CouponRepository, 'get'>;
  stores: Pick<StoreRepository, 'get'>;
}

/**
 * The "view in browser" page: the email as that recipient received it, rebuilt from the campaign's
 * content with its coupon and its send time (so the tracking tokens date from then). Undefined for
 * a bad token, or a campaign or contact that is gone.
 */
export async function viewMessage(
  deps: ViewMessageDeps,
  token: string | undefined,
): Promise<string | undefined> {
  const ref = await messageRef(deps.keyring, 'view', token);
  if (!ref) return undefined;
  const [campaign, content, contact] = await Promise.all([
    deps.campaigns.get(ref.c),
    deps.campaigns.getContent(ref.c),
    deps.contacts.get(ref.k),
  ]);
  if (!campaign || !content || !contact?.email) return undefined;
  const ring = await deps.keyring();
  const sent = await deps.campaigns.getSend(campaign.id, contact.id);
  const coupon = sent?.couponCode ? await deps.coupons.get(sent.couponCode) : undefined;
  const sentAt = Date.parse(sent?.settledAt ?? sent?.claimedAt ?? '') || deps.clock.now().getTime();
  const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
  const { email } = await buildEmail(
    deps,
    ring,
    campaign,
    prepareContent(content),
    { ...contact, email: contact.email },
    store,
    coupon,
    sentAt,
  );
  return email.html;
}
