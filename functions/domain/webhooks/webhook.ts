import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import * as z from 'zod';
import { CHANNELS, type Channel } from '../contacts/contact';

/** What marketers' webhooks may subscribe to. */
export const WEBHOOK_EVENTS = ['sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'redeemed'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Something that happened to a message, for the marketers' webhooks. */
export interface WebhookEvent {
  type: WebhookEventType;
  at: string;
  campaignId: string;
  contactId: string;
  channel?: Channel;
  /** A few facts of the event (the link clicked, the store of a redemption…); never the contact's details. */
  data?: Record<string, string | number | boolean>;
}

/** Where a delivery is logged: its endpoint, the event's time (newest first) and its id. */
export interface DeliveryRef {
  subscriptionId: string;
  deliveryId: string;
  eventAt: string;
}

/**
 * Outgoing webhooks: the pure part. Marketers register HTTPS endpoints for the
 * events of their messages; every delivery is signed the way Stripe signs its
 * own (`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), so a receiver checks
 * both who sent it and that it is fresh, and retries follow a fixed schedule.
 */

/** The header carrying the signature. */
export const SIGNATURE_HEADER = 'Relance-Signature';
/** How long a receiver should accept a signed timestamp, either way, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** How long a receiver has to answer one delivery attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * An attempt claimed this long ago without an outcome is presumed lost (the
 * worker crashed or timed out) and may be made again: well above the 10 s
 * request timeout, so a live attempt is never doubled.
 */
export const DELIVERY_LEASE_SECONDS = 60;
/** The longest delay SQS accepts on a message; longer waits are split (see `queueDelay`). */
export const MAX_QUEUE_DELAY_SECONDS = 900;
/**
 * Seconds to wait after each failed attempt: 30 s, 2 min, 10 min, 1 h, 6 h.
 * One attempt more than there are delays, so 6 attempts over about 7 hours.
 */
export const DEFAULT_BACKOFF_SECONDS = [30, 120, 600, 3600, 21_600] as const;

/** A registered endpoint. The secret is stored as is (it must sign) and returned only once, at creation. */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  secret: string;
  createdAt: string;
}

/** `sending` while an attempt is in flight; `retrying` until the next one; `delivered` and `failed` are final. */
export const DELIVERY_STATUSES = ['sending', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event to one endpoint, as the deliveries log shows it. */
export interface WebhookDelivery {
  /** Sent as `Relance-Delivery`, the same on every attempt: receivers dedupe with it. */
  id: string;
  subscriptionId: string;
  eventId: string;
  type: WebhookEventType;
  campaignId: string;
  contactId: string;
  channel?: Channel;
  eventAt: string;
  status: DeliveryStatus;
  attempts: number;
  /** The HTTP status of the last attempt, when the receiver answered. */
  lastStatus?: number;
  /** Why the last attempt failed, when it did (a status, a timeout, a refused connection). */
  lastError?: string;
  createdAt: string;
  lastAttemptAt: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  failedAt?: string;
  updatedAt: string;
}

/** An event with its stable id, as sent in the body. */
export interface IdentifiedEvent extends WebhookEvent {
  id: string;
}

/** A message on the webhook queue: one attempt at one (subscription, event). */
export interface WebhookDeliveryJob {
  deliveryId: string;
  subscriptionId: string;
  /** The attempt to make, from 1. */
  attempt: number;
  /** Not before this time (a wait longer than SQS's 15-minute delay is made of several hops). */
  notBefore?: string;
  event: IdentifiedEvent;
}

const webhookEventSchema = z.strictObject({
  id: z.string().min(1).max(100),
  type: z.enum(WEBHOOK_EVENTS),
  at: z.string().min(1).max(40),
  campaignId: z.string().min(1).max(100),
  contactId: z.string().min(1).max(100),
  channel: z.enum(CHANNELS).optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** What the deliverer accepts from its queue. */
export const webhookJobSchema = z.strictObject({
  deliveryId: z.string().min(1).max(100),
  subscriptionId: z.string().min(1).max(100),
  attempt: z.number().int().min(1).max(100),
  notBefore: z.iso.datetime({ offset: true }).optional(),
  event: webhookEventSchema,
});

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Global unicast IPv6 (2000::/3): everything outside it is special-purpose or not routed. */
const GLOBAL_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * True only for an address a delivery may reach: public unicast. Every special-purpose range is
 * refused (ipaddr.js's IANA registries): loopback, private, shared (100.64/10), link-local
 * (169.254/16, the metadata service), benchmarking (198.18/15), IETF (192.0.0/24), documentation,
 * multicast, reserved, broadcast; in IPv6 anything outside 2000::/3 (IPv4-compatible ::a.b.c.d,
 * site- and unique-local, link-local) and the ranges that carry an IPv4 address inside (NAT64
 * 64:ff9b::/96, 6to4, Teredo, IPv4-mapped).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && !(ip as ipaddr.IPv6).match(GLOBAL_V6)) return false;
  return ip.range() === 'unicast';
}

/** A host name as a resolver reads it: without brackets, in lower case, without trailing dots. */
export const canonicalHost = (host: string) =>
  host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.+$/, '');

/**
 * Hosts refused when an endpoint is registered: `localhost` (and its subdomains) and every IP
 * literal that is not public. Other names are checked where they are resolved, at each delivery.
 */
export function isSpecialHost(host: string): boolean {
  const h = canonicalHost(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && !isPublicAddress(h);
}

/**
 * Where deliveries may go: HTTPS to a public host. `allowHttp` (the local
 * stack) also lets plain HTTP reach this machine, where test receivers listen.
 * Names are not resolved here (they may change): the deliverer resolves each
 * one when it connects and refuses a name that points at a special address.
 */
export function webhookUrlSchema(opts: { allowHttp: boolean }) {
  return z
    .string()
    .trim()
    .max(2048)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Not a valid URL' });
        return;
      }
      const loopback = LOOPBACK_NAMES.has(url.hostname);
      if (url.username || url.password) {
        ctx.addIssue({ code: 'custom', message: 'A webhook URL cannot carry credentials' });
      } else if (opts.allowHttp && loopback && (url.protocol === 'http:' || url.protocol === 'https:')) {
        // The local stack's receivers.
      } else if (url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: 'Use an https:// URL' });
      } else if (isSpecialHost(url.hostname)) {
        ctx.addIssue({ code: 'custom', message: 'Use a public address, not a private or local one' });
      }
    });
}

/** `POST /v1/webhooks`. */
export function webhookInputSchema(opts: { allowHttp: boolean }) {
  return z.strictObject({
    url: webhookUrlSchema(opts),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1, 'Choose at least one event')
      .max(50)
      .transform((events) => WEBHOOK_EVENTS.filter((e) => events.includes(e))),
    description: z.string().trim().min(1).max(200).optional(),
  });
}
export type WebhookInput = z.output<ReturnType<typeof webhookInputSchema>>;

/** A new signing secret: 256 random bits, prefixed so secret scanners can spot it. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

const hmac = (secret: string, timestamp: number, body: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');

/** The `Relance-Signature` header of a body sent at `timestamp` (unix seconds). */
export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * What a receiver runs on each delivery: true when one `v1` signature of the
 * header matches the raw body under `secret` and its timestamp is within
 * `toleranceSeconds` of `now` (so a captured delivery cannot be replayed
 * later). Compared in constant time. Use the body exactly as received, before
 * any JSON parsing.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  now: Date = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) signatures.push(v.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}

/** Attempts in all: the first, then one per delay of the schedule. */
export const maxAttempts = (schedule: readonly number[]) => schedule.length + 1;

/**
 * Seconds to wait after failed attempt `attempt` (from 1), with ±20 % jitter
 * so that an endpoint that was down is not hit by every retry at once;
 * undefined when that was the last attempt.
 */
export function retryDelay(
  attempt: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * How to wait `seconds` on SQS: a delay of at most 15 minutes, and for longer
 * waits a `notBefore` time — the deliverer puts the job back until it is due.
 */
export function queueDelay(seconds: number, now: Date): { delaySeconds: number; notBefore?: string } {
  if (seconds <= MAX_QUEUE_DELAY_SECONDS) return { delaySeconds: Math.max(0, seconds) };
  return {
    delaySeconds: MAX_QUEUE_DELAY_SECONDS,
    notBefore: new Date(now.getTime() + seconds * 1000).toISOString(),
  };
}

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/**
 * An event's id, derived from what it is: the same event published twice (a
 * retried upstream batch) has the same id, and so the same deliveries.
 */
export function eventId(e: WebhookEvent): string {
  return `evt_${digest(e.type, e.campaignId, e.contactId, e.channel ?? '', e.at).slice(0, 32)}`;
}

/** The id of one event's delivery to one endpoint: stable, so duplicates collapse onto one log entry. */
export function deliveryId(subscriptionId: string, evtId: string): string {
  return `whd_${digest(subscriptionId, evtId).slice(0, 32)}`;
}

/** The JSON body of a delivery: `{ id, type, at, campaignId, contactId, channel?, data? }`. */
export function webhookBody(e: IdentifiedEvent): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    at: e.at,
    campaignId: e.campaignId,
    contactId: e.contactId,
    ...(e.channel ? { channel: e.channel } : {}),
    ...(e.data ? { data: e.data } : {}),
  });
}

/** A subscription as listed: never its secret. */
export function publicWebhook(sub: WebhookSubscription) {
  return {
    id: sub.id,
    url: sub.url,
    events: sub.events,
    ...(sub.description ? { description: sub.description } : {}),
    createdAt: sub.createdAt,
  };
}

/**
 * Hands events to the webhooks without ever failing the caller: the work that
 * produced them (a delivery receipt, an unsubscription, a redemption) is done
 * and must not be retried because a webhook could not be queued.
 */
export async function emit(
  publisher: { publish(events: WebhookEvent[]): Promise<void> } | undefined,
  events: WebhookEvent[],
): Promise<void> {
  if (!publisher || events.length === 0) return;
  try {
    await publisher.publish(events);
  } catch {
    // The publisher logs its own failures; a publisher that throws anyway is not the caller's problem.
  }
}
