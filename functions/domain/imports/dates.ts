import { validationError } from '../shared/errors';
import { isTimeZone, localInstant } from '../shared/time';

/**
 * Dates in imported files: ISO 8601 from exports and APIs, `14/03/2025` (day first) from French Excel
 * and tills, sometimes `03/14/2025` (month first) from American software. Which one a file uses is
 * detected from a sample of its values, or given (`dateFormat`), so that 01/02/2025 is never read as
 * the 2nd of January in one row and the 1st of February in the next.
 */
export type DateFormat = 'iso' | 'dmy' | 'mdy';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/** d/m/y or m/d/y with "/", "-" or "." and a year of 2 or 4 digits; an optional time, "9:30" or "9h30". */
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:(?:\s+|T)(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?$/;
/** What Excel stores a date as: days since 1899-12-30, shown when the column is not formatted as a date. */
const EXCEL_SERIAL = /^\d{5}(?:[.,]\d+)?$/;

const EXPECTED: Record<DateFormat, string> = {
  dmy: 'Expected a date like 14/03/2025 or 14/03/2025 09:30 (dd/mm/yyyy [hh:mm[:ss]])',
  mdy: 'Expected a date like 03/14/2025 or 03/14/2025 09:30 (mm/dd/yyyy [hh:mm[:ss]])',
  iso: 'Expected a date like 2025-03-14 or 2025-03-14T09:30:00+01:00 (ISO 8601)',
};
const EXPECTED_BIRTH: Record<DateFormat, string> = {
  dmy: 'Expected a date of birth like 14/03/1985 (dd/mm/yyyy)',
  mdy: 'Expected a date of birth like 03/14/1985 (mm/dd/yyyy)',
  iso: 'Expected a date of birth like 1985-03-14 (yyyy-mm-dd)',
};

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * The format of a column from some of its values (blank ones are skipped): `iso` when they are all
 * ISO 8601; for numeric dates (`/`, `-` or `.`, years of 2 or 4 digits) `dmy` when a first part is
 * over 12, `mdy` only when a second part is over 12 and no first part is, and `dmy` otherwise: these
 * are French files. Undefined when no value looks like a date.
 */
export function detectDateFormat(samples: string[]): DateFormat | undefined {
  let iso = false;
  let numeric = false;
  let firstOver12 = false;
  let secondOver12 = false;
  for (const sample of samples) {
    const value = sample.trim();
    if (ISO.test(value)) iso = true;
    const m = NUMERIC.exec(value);
    if (!m) continue;
    numeric = true;
    if (Number(m[1]) > 12) firstOver12 = true;
    if (Number(m[3]) > 12) secondOver12 = true;
  }
  if (numeric) return !firstOver12 && secondOver12 ? 'mdy' : 'dmy';
  return iso ? 'iso' : undefined;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC, when the value says. */
  offset?: number;
  /** The year was written with two digits. */
  shortYear: boolean;
}

/**
 * Reads a value in `format` into its parts, or says what is wrong. ISO 8601 is read whatever the
 * format: it cannot be mistaken for another. `expected` is the message's end.
 */
function readParts(
  raw: string,
  format: DateFormat,
  twoDigitYear: (yy: number) => number,
  expected: string,
): Parts | { error: string } {
  const value = raw.trim();
  const iso = ISO.exec(value);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const parts: Parts = {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h ?? 0),
      minute: Number(mi ?? 0),
      second: Number(s ?? 0),
      ms: Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
      shortYear: false,
    };
    if (zone) {
      const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
      if (z) {
        const [, sign, oh, om] = z;
        if (Number(oh) > 14 || Number(om ?? 0) > 59)
          return { error: `"${value}" has no valid offset: ${expected}` };
        parts.offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0));
      } else parts.offset = 0;
    }
    return checkParts(value, parts, expected);
  }
  const m = format === 'iso' ? null : NUMERIC.exec(value);
  if (!m) {
    if (value === '') return { error: expected };
    if (EXCEL_SERIAL.test(value)) {
      return {
        error: `"${value}" looks like an Excel date number: format the column as a date in Excel before saving. ${expected}`,
      };
    }
    const hint =
      format === 'iso' && NUMERIC.test(value) ? ' (for day-first dates give "dateFormat": "dmy")' : '';
    return { error: `${expected}, not "${value}"${hint}` };
  }
  const [, a, , b, y, h, mi, s] = m;
  const [day, month] = format === 'dmy' ? [Number(a), Number(b)] : [Number(b), Number(a)];
  const year = y?.length === 2 ? twoDigitYear(Number(y)) : Number(y);
  if (month > 12 && day <= 12) {
    const other = format === 'dmy' ? 'mdy' : 'dmy';
    return {
      error: `"${value}" has no month ${month}: ${expected} (for ${other === 'mdy' ? 'month-first' : 'day-first'} dates give "dateFormat": "${other}")`,
    };
  }
  const parts: Parts = {
    year,
    month,
    day,
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    ms: 0,
    shortYear: y?.length === 2,
  };
  return checkParts(value, parts, expected);
}

function checkParts(value: string, p: Parts, expected: string): Parts | { error: string } {
  if (p.month < 1 || p.month > 12) return { error: `"${value}" has no month ${p.month}: ${expected}` };
  const days = daysIn(p.year, p.month);
  if (p.day < 1 || p.day > days) {
    return {
      error: `"${value}" does not exist (${MONTHS[p.month - 1]} ${p.year} has ${days} days): ${expected}`,
    };
  }
  if (p.hour > 23 || p.minute > 59 || p.second > 59) {
    return { error: `"${value}" is not a time of day (00:00 to 23:59:59): ${expected}` };
  }
  return p;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 00-68 are 2000-2068, 69-99 are 1969-1999 (the POSIX rule, as strptime's %y). */
const posixYear = (yy: number) => (yy < 69 ? 2000 + yy : 1900 + yy);

/**
 * The instant a value names, as ISO 8601 UTC (`2025-03-14T08:30:00.000Z`), or an error saying the
 * format expected, with an example.
 *
 * - ISO 8601 with an offset (`Z`, `+01:00`, `+0100`) keeps it; without one, and every `dd/mm/yyyy
 *   [hh:mm[:ss]]` (or `hh'h'mm`), is a wall-clock time in `timeZone` (IANA, e.g. Europe/Paris); a date
 *   alone is local midnight. Across a daylight-saving change the rule is shared/time.ts
 *   `localInstant`'s: in Paris (and zones east of UTC), a time that does not exist (02:30 when the
 *   clocks spring forward) is read one hour later, in summer time, and a time that happens twice
 *   (02:30 when they fall back) as the second one, in winter time. Shops are closed at those hours.
 * - Two-digit years: 00-68 are 20xx, 69-99 are 19xx.
 * - Impossible dates (31/02/2025, 29/02/2023) and times (25:00) are refused.
 *
 * An unknown `timeZone` is the caller's mistake, not the row's: it throws (400, `options.timeZone`).
 */
export function parseDate(
  raw: string,
  format: DateFormat,
  timeZone: string,
): { at: string } | { error: string } {
  if (!isTimeZone(timeZone)) {
    throw validationError([
      {
        path: 'options.timeZone',
        message: `Unknown time zone "${timeZone}": use an IANA time zone such as "Europe/Paris"`,
      },
    ]);
  }
  const parts = readParts(raw, format, posixYear, EXPECTED[format]);
  if ('error' in parts) return parts;
  const { year, month, day, hour, minute, second, ms, offset } = parts;
  const day10 = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  const at =
    offset !== undefined
      ? Date.parse(`${day10}T${pad(hour)}:${pad(minute)}:${pad(second)}.${pad(ms, 3)}Z`) - offset * 60_000
      : localInstant(day10, `${pad(hour)}:${pad(minute)}`, timeZone).getTime() + second * 1000 + ms;
  return { at: new Date(at).toISOString() };
}

/**
 * A date of birth, `YYYY-MM-DD`: a date alone, in no time zone. A time is allowed only when it is
 * midnight without an offset (`1985-03-14 00:00:00`, how some exports write a date). A two-digit year
 * gives the latest date not in the future (`85` is 1985; in June 2025, `14/03/25` is 2025 and
 * `14/07/25` is 1925); dates in the future or
 * before 1900 are refused. `now` is the clock's time (by default the current one).
 */
export function parseBirthDate(
  raw: string,
  format: DateFormat,
  now: Date = new Date(),
): { date: string } | { error: string } {
  const expected = EXPECTED_BIRTH[format];
  const today = now.toISOString().slice(0, 10);
  const century = Math.floor(now.getUTCFullYear() / 100) * 100;
  const value = raw.trim();
  let parts = readParts(raw, format, (yy) => century + yy, expected);
  if ('error' in parts) return parts;
  if (
    parts.offset !== undefined ||
    parts.hour !== 0 ||
    parts.minute !== 0 ||
    parts.second !== 0 ||
    parts.ms !== 0
  ) {
    return { error: `"${value}" has a time: ${expected}` };
  }
  const isoDate = (p: Parts) => `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  if (parts.shortYear && isoDate(parts) > today) {
    parts = checkParts(value, { ...parts, year: parts.year - 100 }, expected);
    if ('error' in parts) return parts;
  }
  const date = isoDate(parts);
  if (date > today) return { error: `"${value}" is in the future: ${expected}` };
  if (parts.year < 1900) return { error: `"${value}" is before 1900: ${expected}` };
  return { date };
}
