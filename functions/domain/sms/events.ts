import * as z from 'zod';
import type { RecipientMark } from '../campaigns/send-record';
import { normalisePhone } from '../contacts/contact';
import { suppressContactChannel, suppressPhone } from '../contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../contacts/ports';
import { smsCounter } from '../reports/counters';
import type { Clock } from '../shared/ports';
import type { EngagementRepository, EventLog } from '../tracking/ports';
import type { EventPublisher } from '../webhooks/ports';
import { emit } from '../webhooks/webhook';

/**
 * What Relance reads of an End User Messaging SMS event (the configuration
 * set's SNS event destination). `context` is the `Context` given to
 * `SendTextMessage`: it carries the campaign and the contact.
 */
export const smsEventSchema = z.object({
  eventType: z.string().min(1),
  messageId: z.string().min(1),
  eventTimestamp: z.number().optional(),
  isFinal: z.boolean().optional(),
  destinationPhoneNumber: z.string().optional(),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  isoCountryCode: z.string().optional(),
  totalMessageParts: z.number().optional(),
  /** US dollars, for the whole message. */
  totalMessagePrice: z.number().optional(),
  context: z.record(z.string(), z.string()).optional(),
});
export type SmsEvent = z.infer<typeof smsEventSchema>;
/**
 * Carrier answers that mean the number itself is wrong: texting it again is
 * pointless. (`TEXT_UNREACHABLE` is not one: a phone switched off says it too.)
 */
const DEAD_NUMBER = new Set(['TEXT_INVALID']);
/** Final answers where the message did not reach the phone. */
const UNDELIVERED = new Set([
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_TTL_EXPIRED',
  'TEXT_UNKNOWN',
  'TEXT_PROTECT_BLOCKED',
]);

/** What an SMS event means here: the counter it adds to, the mark, and whether it suppresses the number. */
export function classifySmsEvent(e: Pick<SmsEvent, 'eventType' | 'isFinal'>): {
  type: string;
  stat?: string;
  mark?: RecipientMark;
  suppress?: string;
} {
  const type = e.eventType.toLowerCase();
  // Where carriers send no delivery report, "accepted by the carrier" is the final word: delivered.
  const delivered =
    e.eventType === 'TEXT_DELIVERED' || (e.eventType === 'TEXT_SUCCESSFUL' && e.isFinal === true);
  if (delivered) return { type, stat: smsCounter.delivered, mark: 'deliveredAt' };
  if (UNDELIVERED.has(e.eventType)) {
    return {
      type,
      stat: smsCounter.undelivered,
      mark: 'bouncedAt',
      ...(DEAD_NUMBER.has(e.eventType) ? { suppress: type } : {}),
    };
  }
  return { type };
}

export interface SmsEventDeps {
  engagement: EngagementRepository;
  contacts: ContactRepository;
  suppression: SuppressionList;
  events: EventLog;
  clock: Clock;
  /** Webhooks: a first delivery receipt is published as `delivered`. */
  publisher?: EventPublisher;
}

/**
 * Applies a delivery receipt once, however many times it arrives: delivered
 * or not (a first-time mark on the SMS's send record gates each counter), the
 * provider's price on the final receipt (its own mark), and a number that does
 * not exist is never texted again. Everything is applied before the receipt is
 * recorded, and a failed count gives its marks back, so a retried receipt
 * applies what a failed attempt did not.
 */
export async function handleSmsEvent(deps: SmsEventDeps, event: SmsEvent): Promise<'recorded' | 'duplicate'> {
  const campaignId = event.context?.campaignId;
  const contactId = event.context?.contactId;
  const what = classifySmsEvent(event);
  const at = deps.clock.now().toISOString();
  if (what.suppress && contactId) {
    // Only while the contact still has the number the receipt is about: a corrected number stays.
    const contact = await deps.contacts.get(contactId);
    if (contact?.phone && (!event.destinationPhoneNumber || contact.phone === event.destinationPhoneNumber)) {
      await suppressContactChannel(deps, contactId, 'sms', `${what.suppress}:${campaignId ?? 'unknown'}`);
    }
  }
  if (campaignId && contactId) {
    const add: Record<string, number> = {};
    const undo: (() => Promise<void>)[] = [];
    const first = async (mark: RecipientMark) => {
      const fresh = await deps.engagement.markFirst(campaignId, contactId, mark, at, 'sms');
      if (fresh) undo.push(() => deps.engagement.unmarkFirst(campaignId, contactId, mark, at, 'sms'));
      return fresh;
    };
    const firstMark = what.mark && what.stat ? await first(what.mark) : false;
    if (firstMark && what.stat) add[what.stat] = 1;
    // The price comes on the final receipt; `billedAt` makes sure a message is paid for once.
    if (event.isFinal && event.totalMessagePrice && (await first('billedAt'))) {
      add[smsCounter.priceMicroUsd] = Math.round(event.totalMessagePrice * 1_000_000);
    }
    if (Object.keys(add).length > 0) {
      try {
        await deps.engagement.count(campaignId, add);
      } catch (err) {
        await Promise.allSettled(undo.map((u) => u()));
        throw err;
      }
    }
    if (firstMark && what.mark === 'deliveredAt')
      await emit(deps.publisher, [{ type: 'delivered', at, campaignId, contactId, channel: 'sms' }]);
  }
  const fresh = await deps.events.recordOnce({
    messageId: event.messageId,
    type: `sms-${what.type}`,
    at,
    ...(campaignId ? { campaignId } : {}),
    ...(contactId ? { contactId } : {}),
    detail: {
      status: event.messageStatus,
      description: event.messageStatusDescription,
      parts: event.totalMessageParts,
      price: event.totalMessagePrice,
    },
  });
  return fresh ? 'recorded' : 'duplicate';
}

/** An inbound message on the two-way channel (SNS), as End User Messaging publishes it. */
export const inboundSmsSchema = z.object({
  originationNumber: z.string().min(1),
  destinationNumber: z.string().optional(),
  messageKeyword: z.string().optional(),
  messageBody: z.string(),
  inboundMessageId: z.string().min(1),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

/**
 * Replies that mean "no more SMS", in the languages of the shops (the
 * carriers' and AWS's own opt-out keywords included).
 */
const STOP_WORDS = new Set([
  'STOP',
  'STOPALL',
  'ARRET',
  'ARRETER',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'REVOKE',
  'DESINSCRIRE',
  'DESABONNER',
]);

/** True when the reply's first word is a stop word, whatever its case, accents or punctuation. */
export function isStopReply(body: string): boolean {
  const first = body
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z\s]/g, ' ')
    .trim()
    .split(/\s+/)[0];
  return first !== undefined && STOP_WORDS.has(first);
}

/**
 * A reply to our number. STOP (and its kin) revokes the sender's SMS consent at
 * once and suppresses the number, for every campaign, even one that is
 * sending: the sender reads the contact just before each SMS. A number nobody
 * owns is suppressed too, so a later import cannot text it. Other replies are
 * left alone (the provider keeps them in its own logs).
 */
export async function handleInboundSms(
  deps: SmsEventDeps & { defaultCountry: string },
  message: InboundSms,
): Promise<'stopped' | 'ignored' | 'duplicate'> {
  if (!isStopReply(message.messageBody)) return 'ignored';
  const phone = normalisePhone(message.originationNumber, deps.defaultCountry) ?? message.originationNumber;
  // A STOP stops the number for everyone who has it (a household shares one). Applied before it is
  // recorded: both are idempotent, and a retry after a failure must still apply it.
  await suppressPhone(deps, phone, 'stop:sms');
  const fresh = await deps.events.recordOnce({
    messageId: message.inboundMessageId,
    type: 'sms-stop',
    at: deps.clock.now().toISOString(),
  });
  if (!fresh) return 'duplicate';
  return 'stopped';
}
