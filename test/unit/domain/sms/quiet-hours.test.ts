import { describe, expect, it } from 'vitest';
import {
  isTimeZone,
  localInstant,
  localMinutes,
  timeZoneSchema,
} from '../../../../functions/domain/shared/time';
import { parseQuietHours, quietUntil } from '../../../../functions/domain/sms/quiet-hours';

const NIGHT = parseQuietHours('21:00-08:00');
const LUNCH = parseQuietHours('12:00-14:00');

/** quietUntil as an ISO string (undefined when not quiet), for exact comparisons. */
const until = (iso: string, tz: string, quiet = NIGHT) => quietUntil(new Date(iso), tz, quiet)?.toISOString();

describe('parseQuietHours', () => {
  it('reads HH:MM-HH:MM as minutes since local midnight', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: 1260, end: 480 });
    expect(parseQuietHours('12:00-14:00')).toEqual({ start: 720, end: 840 });
    expect(parseQuietHours('22:15-07:45')).toEqual({ start: 1335, end: 465 });
    expect(parseQuietHours('00:00-00:00')).toEqual({ start: 0, end: 0 });
    expect(parseQuietHours('23:59-00:01')).toEqual({ start: 1439, end: 1 });
  });
});

describe('localMinutes', () => {
  it('gives the minutes since local midnight in the time zone', () => {
    // Paris is UTC+1 in winter, UTC+2 in summer; New York UTC-5 / UTC-4.
    expect(localMinutes(new Date('2026-01-15T22:30:00Z'), 'Europe/Paris')).toBe(1410);
    expect(localMinutes(new Date('2026-07-15T22:30:00Z'), 'Europe/Paris')).toBe(30);
    expect(localMinutes(new Date('2026-01-15T22:30:00Z'), 'America/New_York')).toBe(1050);
    expect(localMinutes(new Date('2026-01-15T23:00:00Z'), 'Europe/Paris')).toBe(0);
  });
});

describe('quietUntil: a window across midnight (21:00-08:00)', () => {
  it('returns exactly the local end of the window, 08:00 Paris = 07:00Z in winter', () => {
    // 23:30 in Paris (UTC+1).
    expect(until('2026-01-15T22:30:00.000Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z');
    // After midnight, the same morning.
    expect(until('2026-01-16T02:10:00.000Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z');
  });

  it('returns 08:00 Paris = 06:00Z in summer', () => {
    expect(until('2026-07-15T20:30:00.000Z', 'Europe/Paris')).toBe('2026-07-16T06:00:00.000Z');
  });

  it('drops the seconds and milliseconds of now', () => {
    expect(until('2026-01-15T22:30:45.123Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z');
  });

  it('is exact at the boundaries in Europe/Paris: 20:59 not quiet, 21:00 quiet, 07:59 quiet, 08:00 not', () => {
    expect(until('2026-01-15T19:59:00.000Z', 'Europe/Paris')).toBeUndefined(); // 20:59
    expect(until('2026-01-15T19:59:59.999Z', 'Europe/Paris')).toBeUndefined(); // 20:59:59
    expect(until('2026-01-15T20:00:00.000Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z'); // 21:00
    expect(until('2026-01-16T06:59:00.000Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z'); // 07:59
    expect(until('2026-01-16T06:59:59.999Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z'); // 07:59:59
    expect(until('2026-01-16T07:00:00.000Z', 'Europe/Paris')).toBeUndefined(); // 08:00
    expect(until('2026-01-16T11:00:00.000Z', 'Europe/Paris')).toBeUndefined(); // noon
  });

  it('is exact at the boundaries in America/New_York (UTC-5 in winter)', () => {
    expect(until('2026-01-16T01:59:00.000Z', 'America/New_York')).toBeUndefined(); // 20:59
    expect(until('2026-01-16T02:00:00.000Z', 'America/New_York')).toBe('2026-01-16T13:00:00.000Z'); // 21:00
    expect(until('2026-01-16T12:59:00.000Z', 'America/New_York')).toBe('2026-01-16T13:00:00.000Z'); // 07:59
    expect(until('2026-01-16T13:00:00.000Z', 'America/New_York')).toBeUndefined(); // 08:00
  });

  it('returns 08:00 New York = 12:00Z in summer (UTC-4)', () => {
    // 21:00 EDT on 14 July.
    expect(until('2026-07-15T01:00:00.000Z', 'America/New_York')).toBe('2026-07-15T12:00:00.000Z');
  });

  it('gives different answers for the same instant in different time zones', () => {
    // 22:30Z: 23:30 in Paris (quiet), 17:30 in New York (not quiet).
    expect(until('2026-01-15T22:30:00.000Z', 'Europe/Paris')).toBe('2026-01-16T07:00:00.000Z');
    expect(until('2026-01-15T22:30:00.000Z', 'America/New_York')).toBeUndefined();
    expect(until('2026-01-15T22:30:00.000Z', 'UTC')).toBe('2026-01-16T08:00:00.000Z');
  });
});

describe('quietUntil: a window within one day (12:00-14:00)', () => {
  it('is quiet from 12:00 to 13:59 and ends at 14:00 local', () => {
    expect(until('2026-01-15T10:59:00.000Z', 'Europe/Paris', LUNCH)).toBeUndefined(); // 11:59
    expect(until('2026-01-15T11:00:00.000Z', 'Europe/Paris', LUNCH)).toBe('2026-01-15T13:00:00.000Z'); // 12:00
    expect(until('2026-01-15T11:30:00.000Z', 'Europe/Paris', LUNCH)).toBe('2026-01-15T13:00:00.000Z'); // 12:30
    expect(until('2026-01-15T12:59:00.000Z', 'Europe/Paris', LUNCH)).toBe('2026-01-15T13:00:00.000Z'); // 13:59
    expect(until('2026-01-15T13:00:00.000Z', 'Europe/Paris', LUNCH)).toBeUndefined(); // 14:00
  });

  it('is not quiet at night', () => {
    expect(until('2026-01-15T22:30:00.000Z', 'Europe/Paris', LUNCH)).toBeUndefined(); // 23:30
    expect(until('2026-01-15T23:30:00.000Z', 'Europe/Paris', LUNCH)).toBeUndefined(); // 00:30
  });
});

describe('quietUntil: start == end', () => {
  it('is never quiet', () => {
    for (const spec of ['00:00-00:00', '08:00-08:00', '21:00-21:00']) {
      const q = parseQuietHours(spec);
      for (const iso of ['2026-01-15T07:00:00Z', '2026-01-15T20:00:00Z', '2026-01-15T23:00:00Z']) {
        expect(quietUntil(new Date(iso), 'Europe/Paris', q)).toBeUndefined();
      }
    }
  });
});

describe('quietUntil across a daylight-saving change (Europe/Paris)', () => {
  // 2026-03-29: at 02:00 CET (01:00Z) clocks jump to 03:00 CEST; 08:00 local that morning is 06:00Z.
  it('in the spring night, answers 08:00 local time exactly, across the jump', () => {
    // 23:30 CET on the 28th: 08:00 CEST is 06:00Z (8h30 of wall-clock minutes, 7h30 of real time).
    expect(until('2026-03-28T22:30:00.000Z', 'Europe/Paris')).toBe('2026-03-29T06:00:00.000Z');
    // 01:30 CET, before the jump: also 06:00Z.
    expect(until('2026-03-29T00:30:00.000Z', 'Europe/Paris')).toBe('2026-03-29T06:00:00.000Z');
    // 03:00 CEST, after the jump: exact, 08:00 CEST.
    expect(until('2026-03-29T01:00:00.000Z', 'Europe/Paris')).toBe('2026-03-29T06:00:00.000Z');
  });

  it('in the spring night, the returned time is outside the quiet window', () => {
    for (const iso of ['2026-03-28T20:00:00Z', '2026-03-28T22:30:00Z', '2026-03-29T00:30:00Z']) {
      const at = quietUntil(new Date(iso), 'Europe/Paris', NIGHT);
      expect(at).toBeDefined();
      expect(quietUntil(at as Date, 'Europe/Paris', NIGHT)).toBeUndefined();
      expect(localMinutes(at as Date, 'Europe/Paris')).toBeGreaterThanOrEqual(NIGHT.end);
    }
  });

  it('after the spring night, 08:00 CEST is 06:00Z again', () => {
    expect(until('2026-03-29T20:00:00.000Z', 'Europe/Paris')).toBe('2026-03-30T06:00:00.000Z'); // 22:00 CEST
  });
});

describe('quietUntil across the autumn change (Europe/Paris, 2026-10-25)', () => {
  // At 03:00 CEST (01:00Z) clocks go back to 02:00 CET; 08:00 CET that morning is 07:00Z.
  /** Follows the sender: wait until the answer, ask again, until it is not quiet any more. */
  const settle = (iso: string) => {
    let at = new Date(iso);
    const steps: string[] = [];
    for (
      let next = quietUntil(at, 'Europe/Paris', NIGHT);
      next;
      next = quietUntil(at, 'Europe/Paris', NIGHT)
    ) {
      at = next;
      steps.push(next.toISOString());
    }
    return { at: at.toISOString(), steps: steps.length };
  };

  it('a sender that looks again when it wakes never sends before 08:00 CET, after at most two waits', () => {
    expect(settle('2026-10-24T22:30:00.000Z')).toMatchObject({ at: '2026-10-25T07:00:00.000Z' }); // 00:30 CEST
    expect(settle('2026-10-25T00:30:00.000Z')).toMatchObject({ at: '2026-10-25T07:00:00.000Z' }); // 02:30 CEST
    expect(settle('2026-10-25T02:00:00.000Z')).toEqual({ at: '2026-10-25T07:00:00.000Z', steps: 1 }); // 03:00 CET
    for (const iso of ['2026-10-24T19:00:00Z', '2026-10-24T22:30:00Z', '2026-10-25T00:30:00Z']) {
      expect(settle(iso).steps).toBeLessThanOrEqual(2);
    }
  });
});

describe('isTimeZone and timeZoneSchema', () => {
  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
    expect(isTimeZone('Paris')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('accepts a known zone and refuses others with a helpful message', () => {
    expect(timeZoneSchema.parse('Europe/Paris')).toBe('Europe/Paris');
    const bad = timeZoneSchema.safeParse('Europe/Atlantis');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['Use an IANA time zone such as "Europe/Paris"']);
  });

  it('refuses a value longer than 64 characters', () => {
    const r = timeZoneSchema.safeParse('A'.repeat(65));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.code).toBe('too_big');
  });
});

describe('localInstant', () => {
  it('is the instant of a local time in any zone, far east and west of UTC, summer and winter', () => {
    expect(localInstant('2026-01-15', '10:00', 'Europe/Paris').toISOString()).toBe(
      '2026-01-15T09:00:00.000Z',
    );
    expect(localInstant('2026-07-15', '10:00', 'Europe/Paris').toISOString()).toBe(
      '2026-07-15T08:00:00.000Z',
    );
    // New Zealand in its summer (UTC+13) and winter (UTC+12): the same local day, not the next.
    expect(localInstant('2026-01-15', '10:00', 'Pacific/Auckland').toISOString()).toBe(
      '2026-01-14T21:00:00.000Z',
    );
    expect(localInstant('2026-07-15', '10:00', 'Pacific/Auckland').toISOString()).toBe(
      '2026-07-14T22:00:00.000Z',
    );
    expect(localInstant('2026-01-15', '10:00', 'Pacific/Kiritimati').toISOString()).toBe(
      '2026-01-14T20:00:00.000Z',
    );
    expect(localInstant('2026-01-15', '10:00', 'Pacific/Pago_Pago').toISOString()).toBe(
      '2026-01-15T21:00:00.000Z',
    );
    expect(localInstant('2026-01-15', '23:30', 'America/New_York').toISOString()).toBe(
      '2026-01-16T04:30:00.000Z',
    );
  });

  it('lands on the right side of a daylight-saving change', () => {
    // Paris jumps from 02:00 to 03:00 on 2026-03-29: 10:00 that day is already summer time.
    expect(localInstant('2026-03-29', '10:00', 'Europe/Paris').toISOString()).toBe(
      '2026-03-29T08:00:00.000Z',
    );
    expect(localInstant('2026-10-25', '10:00', 'Europe/Paris').toISOString()).toBe(
      '2026-10-25T09:00:00.000Z',
    );
  });
});
