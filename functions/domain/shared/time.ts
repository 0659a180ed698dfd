import * as z from 'zod';

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

/** A daily window in local minutes since midnight; `start > end` crosses midnight (21:00-08:00). */
export interface QuietHours {
  start: number;
  end: number;
}

/** Reads `HH:MM-HH:MM` (validated by the configuration schema). */
export function parseQuietHours(spec: string): QuietHours {
  const [from, to] = spec.split('-') as [string, string];
  const minutes = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return h * 60 + m;
  };
  return { start: minutes(from), end: minutes(to) };
}

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

/**
 * When the quiet window that `now` falls in ends, or undefined when `now` is
 * not quiet. Promotional SMS wait until then, in local time, daylight-saving
 * changes included.
 */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours): Date | undefined {
  if (quiet.start === quiet.end) return undefined;
  const local = localMinutes(now, timeZone);
  const inside =
    quiet.start < quiet.end
      ? local >= quiet.start && local < quiet.end
      : local >= quiet.start || local < quiet.end;
  if (!inside) return undefined;
  const wait = (quiet.end - local + 1440) % 1440;
  const at = new Date(now.getTime() + wait * 60_000);
  at.setUTCSeconds(0, 0);
  // Across a daylight-saving change the wall clock moved by an hour in between: correct by the
  // difference between the local time reached and the end of the window.
  const drift = ((localMinutes(at, timeZone) - quiet.end + 2160) % 1440) - 720;
  const corrected = new Date(at.getTime() - drift * 60_000);
  // A window that ends in the hour skipped in spring: its end is the first minute that exists after it.
  return corrected > now ? corrected : at;
}

/** The zone's offset from UTC at `at`, in minutes (Paris in winter: 60). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The instant when it is `hhmm` on the local `day` (YYYY-MM-DD) in `timeZone`. */
export function localInstant(day: string, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.parse(`${day}T00:00:00Z`) + (h * 60 + m) * 60_000;
  // The offset at the first guess, then again at the result: right across a daylight-saving change.
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - offsetMinutes(new Date(first), timeZone) * 60_000);
}
