import type { Channel, Contact } from '../contacts/contact';
import type { Clock } from '../shared/ports';
import { isTimeZone, localDay, localInstant } from '../shared/time';
import { type QuietHours, quietUntil } from '../sms/quiet-hours';
import type { Store } from '../stores/store';
import type { Campaign } from './campaign';

/** When and how promotional SMS go out. */
export interface SmsPolicy {
  quietHours: QuietHours;
  /** For contacts with no time zone whose home shop has none either. */
  defaultTimeZone: string;
  /** Base of the short links (a short custom domain); the campaign's base URL by default. */
  shortLinkBase?: string;
}

/** The time zones of a country, from the runtime's ICU data (`Intl.Locale`), or none; kept per country. */
function countryTimeZones(country: string | undefined): string[] {
  if (!country) return [];
  let zones = countryZones.get(country);
  if (!zones) {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & {
      getTimeZones?: () => string[];
      timeZones?: string[];
    };
    zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
    countryZones.set(country, zones);
  }
  return zones;
}

const countryZones = new Map<string, string[]>();

/**
 * Where the contact may be, for quiet hours: its own time zone, else its home
 * shop's, else every time zone of its phone number's country (a `+1` number
 * is quiet when it is night anywhere in the United States), else the default.
 */
export function timeZonesOf(contact: Contact, store: Store | undefined, policy: SmsPolicy): string[] {
  const known = [contact.timeZone, store?.timeZone].find((tz) => tz && isTimeZone(tz));
  if (known) return [known];
  const zones = countryTimeZones(contact.phone ? contact.phoneCountry : undefined);
  return zones.length > 0 ? zones : [policy.defaultTimeZone];
}

/**
 * When this message may go out, if not now: an SMS not in quiet hours, and a
 * campaign with a local delivery time (`localTime`) not before that hour on
 * the day sending started, in every time zone the contact may be in.
 */
export function notBefore(
  deps: { clock: Clock; smsPolicy: SmsPolicy },
  campaign: Campaign,
  channel: Channel,
  /** Asked only when needed: an email without a local delivery time waits for nothing. */
  zonesOf: () => string[],
): Date | undefined {
  if (channel !== 'sms' && !campaign.localTime) return undefined;
  const now = deps.clock.now();
  const zones = zonesOf();
  let until = channel === 'sms' ? quietFor(now, zones, deps.smsPolicy.quietHours) : undefined;
  if (campaign.localTime && campaign.sendRequestedAt) {
    const started = new Date(campaign.sendRequestedAt);
    for (const tz of zones) {
      const at = localInstant(localDay(started, tz), campaign.localTime, tz);
      if (at > now && (!until || at > until)) until = at;
    }
  }
  return until;
}

/** When the contact may be texted, if it is quiet hours in any of its possible time zones now. */
function quietFor(now: Date, zones: string[], quiet: QuietHours): Date | undefined {
  let until: Date | undefined;
  for (const tz of zones) {
    const end = quietUntil(now, tz, quiet);
    if (end && (!until || end > until)) until = end;
  }
  return until;
}
