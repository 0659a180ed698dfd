import * as z from 'zod';

/** The time zone of contacts who have none and whose shop has none either (DEFAULT_TIME_ZONE's default). */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

const DAY = 86_400_000;

/** An IANA time zone that this runtime knows ("Europe/Paris"). */
export function isTimeZone(tz: string): boolean {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    knownZones.add(tz);
    return true;
  } catch {
    return false;
  }
}
/** Zones already checked: the sender asks for every SMS recipient. */
const knownZones = new Set<string>();

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, 'Use an IANA time zone such as "Europe/Paris"');
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight at `now` in `timeZone`. */
export function localMinutes(now: Date, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** The zone's offset from UTC at `at`, in minutes (Paris in winter: 60). */
export function offsetMinutes(at: Date, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    // A formatter is costly to build (a file of receipts converts every line's time): one per zone.
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, f);
  }
  const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The instant when it is `hhmm` on the local `day` (YYYY-MM-DD) in `timeZone`. */
export function localInstant(day: string, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.parse(`${day}T00:00:00Z`) + (h * 60 + m) * 60_000;
  // The offset at the first guess, then again at the result: right across a daylight-saving change.
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - offsetMinutes(new Date(first), timeZone) * 60_000);
}

/** The local day (YYYY-MM-DD) and minutes since midnight of an instant in a time zone. */
export function localDay(now: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(now);
}
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** `day` plus `n` days (calendar arithmetic on YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
