import { localMinutes } from '../shared/time';

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
