import type { Keyring } from '../shared/hashing';
import { signToken } from '../shared/tokens';

/** What a tracked click token carries: campaign, contact, link position, target URL, send time. */
export interface ClickRef extends Record<string, string | number> {
  c: string;
  k: string;
  i: number;
  u: string;
  /** Seconds since the epoch when the message was built, to spot opens and clicks that come too soon. */
  t: number;
}

/** What an open-pixel token carries. */
export interface OpenRef extends Record<string, string | number> {
  c: string;
  k: string;
  t: number;
}

/** Links that are never tracked: the unsubscribe and view-in-browser pages, and non-web schemes. */
function trackable(url: string, baseUrl: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  if (url.startsWith(`${baseUrl}/u/`) || url.startsWith(`${baseUrl}/v/`)) return false;
  return true;
}

const decodeEntities = (s: string) =>
  s.replace(
    /&(amp|quot|#39|lt|gt);/g,
    (_m, e: string) => ({ amp: '&', quot: '"', '#39': "'", lt: '<', gt: '>' })[e] ?? _m,
  );
const encodeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)("([^"]*)"|'([^']*)')/gi;

/**
 * Rewrites every web link of a rendered message to our click endpoint, with a
 * token signed over the campaign, the contact, the link's position and its URL
 * (so the endpoint can only ever redirect to that URL), and adds the open
 * pixel. Links are numbered in document order, so "link 3" is the same link for
 * every recipient of a campaign, whatever its URL (a shop's map link differs
 * from shop to shop).
 */
export function trackLinks(
  html: string,
  ctx: { ring: Keyring; baseUrl: string; campaignId: string; contactId: string; sentAt: number },
): string {
  let index = 0;
  const t = Math.floor(ctx.sentAt / 1000);
  const tracked = html.replace(ANCHOR_HREF, (whole, prefix: string, _q, dq?: string, sq?: string) => {
    const url = decodeEntities((dq ?? sq ?? '').trim());
    if (!trackable(url, ctx.baseUrl)) return whole;
    const ref: ClickRef = { c: ctx.campaignId, k: ctx.contactId, i: index++, u: url, t };
    return `${prefix}"${encodeAttr(`${ctx.baseUrl}/t/c/${signToken(ctx.ring, 'click', ref)}`)}"`;
  });
  const open: OpenRef = { c: ctx.campaignId, k: ctx.contactId, t };
  const pixel = `<img src="${ctx.baseUrl}/t/o/${signToken(ctx.ring, 'open', open)}" width="1" height="1" alt="" style="display:block;height:1px;width:1px;border:0;margin:0;padding:0" />`;
  const end = tracked.lastIndexOf('</body>');
  return end === -1 ? tracked + pixel : `${tracked.slice(0, end)}${pixel}${tracked.slice(end)}`;
}

/** Why an open or a click is counted as a machine's rather than a person's. */
export type MachineReason = 'head_request' | 'apple_privacy_proxy' | 'too_soon' | 'scanner';

const SCANNER_UA =
  /bot\b|crawler|spider|scanner|barracuda|proofpoint|mimecast|messagelabs|symantec|forcepoint|trend ?micro|sophos|fortiguard|zscaler|safelinks|urldefense|python-requests|python-urllib|go-http-client|curl\/|wget\/|java\/|okhttp|libwww|headlesschrome|phantomjs|slackbot|facebookexternalhit|linkpreview|whatsapp|telegrambot|discordbot|skypeuripreview|microsoft office|ms-office/i;

/** Apple's Mail Privacy Protection fetches through Apple's own network (17.0.0.0/8). */
const isAppleNetwork = (ip: string) => /^17\./.test(ip) || /^::ffff:17\./i.test(ip);

/**
 * Flags, without dropping them, the opens and clicks a person did not make:
 * HEAD requests, Apple Mail Privacy Protection's proxy fetches, anything within
 * a few seconds of sending (security gateways open and follow every link on
 * arrival), and known link-scanner user agents.
 */
export function machineReason(req: {
  method: string;
  userAgent: string;
  sourceIp: string;
  secondsSinceSend: number;
  kind: 'open' | 'click';
  tooSoonSeconds: number;
}): MachineReason | undefined {
  if (req.method === 'HEAD') return 'head_request';
  if (SCANNER_UA.test(req.userAgent) || req.userAgent.trim() === '') return 'scanner';
  if (req.kind === 'open' && isAppleNetwork(req.sourceIp)) return 'apple_privacy_proxy';
  if (req.secondsSinceSend >= 0 && req.secondsSinceSend < req.tooSoonSeconds) return 'too_soon';
  return undefined;
}
