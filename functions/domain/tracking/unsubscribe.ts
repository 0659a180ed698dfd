import type { Logger } from '@aws-lambda-powertools/logger';
import type { Contact } from '../contacts/contact';
import { suppressContactChannel } from '../contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../contacts/ports';
import { counterName } from '../reports/counters';
import type { Keyring } from '../shared/hashing';
import type { Clock } from '../shared/ports';
import { verifyToken } from '../shared/tokens';
import type { EventPublisher } from '../webhooks/ports';
import { emit } from '../webhooks/webhook';
import type { EngagementRepository } from './ports';

/** What the unsubscribe and view-in-browser links carry, signed: the campaign and the contact. */
export type MessageRef = { c: string; k: string };

/** The message a signed public link points at, or undefined for a tampered or foreign token. */
export async function messageRef(
  keyring: () => Promise<Keyring>,
  purpose: 'unsubscribe' | 'view',
  token: string | undefined,
): Promise<MessageRef | undefined> {
  if (!token) return undefined;
  const ref = verifyToken<MessageRef>(await keyring(), purpose, token);
  return ref && typeof ref.c === 'string' && typeof ref.k === 'string' ? ref : undefined;
}

export interface UnsubscribeDeps {
  keyring: () => Promise<Keyring>;
  contacts: ContactRepository;
  suppression: SuppressionList;
  clock: Clock;
  engagement: Pick<EngagementRepository, 'markFirst' | 'count'>;
  publisher: EventPublisher;
  logger: Pick<Logger, 'info'>;
}

/**
 * The confirmation a GET on the unsubscribe link shows (it never unsubscribes by itself: link
 * scanners follow GETs): whose address it is. Undefined for a bad token.
 */
export async function unsubscribeRequest(
  deps: Pick<UnsubscribeDeps, 'keyring' | 'contacts'>,
  token: string | undefined,
): Promise<{ contact?: Contact } | undefined> {
  const ref = await messageRef(deps.keyring, 'unsubscribe', token);
  if (!ref) return undefined;
  const contact = await deps.contacts.get(ref.k);
  return contact ? { contact } : {};
}

/**
 * Unsubscribes at once (the RFC 8058 one-click POST from the mailbox provider, or the page's
 * button): email consent withdrawn and the address suppressed; counted on the campaign and
 * published once. An erased contact is already suppressed by its keyed hash: the answer is the
 * same. Undefined for a bad token.
 */
export async function unsubscribe(
  deps: UnsubscribeDeps,
  token: string | undefined,
): Promise<{ contact?: Contact } | undefined> {
  const ref = await messageRef(deps.keyring, 'unsubscribe', token);
  if (!ref) return undefined;
  const contact = await deps.contacts.get(ref.k);
  if (contact) await suppressContactChannel(deps, contact.id, 'email', `unsubscribe:${ref.c}`);
  const at = deps.clock.now().toISOString();
  if (await deps.engagement.markFirst(ref.c, ref.k, 'unsubscribedAt', at)) {
    await deps.engagement.count(ref.c, { [counterName.unsubscribed]: 1 });
    await emit(deps.publisher, [
      { type: 'unsubscribed', at, campaignId: ref.c, contactId: ref.k, channel: 'email' },
    ]);
  }
  deps.logger.info('Unsubscribed', { campaignId: ref.c, contactId: ref.k });
  return contact ? { contact } : {};
}
