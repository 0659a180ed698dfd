import * as z from 'zod';

/** An IANA time zone that this runtime knows ("Europe/Paris"). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  return new Date(at.getTime() - drift * 60_000);
}
