import { describe, expect, it } from 'vitest';
import { detectDateFormat, parseBirthDate, parseDate } from '../../../../functions/domain/imports/dates';
import { AppError } from '../../../../functions/domain/shared/errors';

const PARIS = 'Europe/Paris';
const DMY = 'Expected a date like 14/03/2025 or 14/03/2025 09:30 (dd/mm/yyyy [hh:mm[:ss]])';
const ISO = 'Expected a date like 2025-03-14 or 2025-03-14T09:30:00+01:00 (ISO 8601)';

describe('detectDateFormat', () => {
  it.each([
    [['2025-03-14', '2025-03-15T09:30:00+01:00', '2025-03-16 10:00'], 'iso'],
    [['14/03/2025', '01/02/2025'], 'dmy'],
    [['01/02/2025', '03/04/2025'], 'dmy'],
    [['14.03.25', '01-02-2025'], 'dmy'],
    [['03/14/2025', '01/02/2025'], 'mdy'],
    [['03/14/2025 09:30', '12/31/2024 18:00:00'], 'mdy'],
    [['14/03/2025', '03/14/2025'], 'dmy'],
    [['', '  ', '14/03/2025 09:30'], 'dmy'],
    [['2025-03-14', '14/03/2025'], 'dmy'],
  ] as const)('reads %j as %s', (samples, format) => {
    expect(detectDateFormat([...samples])).toBe(format);
  });

  it('says nothing when no value looks like a date', () => {
    expect(detectDateFormat([])).toBeUndefined();
    expect(detectDateFormat(['', 'demain', '45730'])).toBeUndefined();
  });
});

describe('parseDate', () => {
  it.each([
    ['14/03/2025', '2025-03-13T23:00:00.000Z'],
    ['14/03/2025 09:30', '2025-03-14T08:30:00.000Z'],
    ['14/03/2025 9:30', '2025-03-14T08:30:00.000Z'],
    ['14/03/2025 09h30', '2025-03-14T08:30:00.000Z'],
    ['14/07/2025 09:30:15', '2025-07-14T07:30:15.000Z'],
    ['14-03-2025 09:30', '2025-03-14T08:30:00.000Z'],
    ['14.03.2025', '2025-03-13T23:00:00.000Z'],
    ['4/3/2025', '2025-03-03T23:00:00.000Z'],
    ['  14/03/2025 09:30  ', '2025-03-14T08:30:00.000Z'],
  ])('reads the French %j as a wall-clock time in Paris: %s', (raw, at) => {
    expect(parseDate(raw, 'dmy', PARIS)).toEqual({ at });
  });

  it.each([
    ['14/03/25', '2025-03-13T23:00:00.000Z'],
    ['01/01/68', '2067-12-31T23:00:00.000Z'],
    ['01/01/69', '1968-12-31T23:00:00.000Z'],
    ['31/12/99 23:59', '1999-12-31T22:59:00.000Z'],
  ])('reads the two-digit year of %j (00-68 are 20xx, 69-99 19xx)', (raw, at) => {
    expect(parseDate(raw, 'dmy', PARIS)).toEqual({ at });
  });

  describe('across daylight-saving changes in Europe/Paris', () => {
    it.each([
      // 30 March 2025: at 02:00 the clocks go to 03:00.
      ['30/03/2025', '2025-03-29T23:00:00.000Z'],
      ['30/03/2025 01:59', '2025-03-30T00:59:00.000Z'],
      ['30/03/2025 03:00', '2025-03-30T01:00:00.000Z'],
      ['30/03/2025 12:00', '2025-03-30T10:00:00.000Z'],
      ['31/03/2025', '2025-03-30T22:00:00.000Z'],
      // 26 October 2025: at 03:00 the clocks go back to 02:00.
      ['26/10/2025', '2025-10-25T22:00:00.000Z'],
      ['26/10/2025 01:30', '2025-10-25T23:30:00.000Z'],
      ['26/10/2025 03:30', '2025-10-26T02:30:00.000Z'],
      ['27/10/2025', '2025-10-26T23:00:00.000Z'],
    ])('%j is %s', (raw, at) => {
      expect(parseDate(raw, 'dmy', PARIS)).toEqual({ at });
    });

    it('reads a time skipped by the spring change one hour later, in summer time', () => {
      // 02:30 did not happen on 30 March 2025; it is read as 03:30 CEST, as the clocks were moved.
      expect(parseDate('30/03/2025 02:30', 'dmy', PARIS)).toEqual({ at: '2025-03-30T01:30:00.000Z' });
    });

    it('reads a time repeated by the autumn change as the second one, in winter time', () => {
      expect(parseDate('26/10/2025 02:30', 'dmy', PARIS)).toEqual({ at: '2025-10-26T01:30:00.000Z' });
    });
  });

  it('reads local times in the zone given', () => {
    expect(parseDate('14/01/2025 09:30', 'dmy', 'America/New_York')).toEqual({
      at: '2025-01-14T14:30:00.000Z',
    });
    expect(parseDate('14/01/2025 09:30', 'dmy', 'Indian/Reunion')).toEqual({
      at: '2025-01-14T05:30:00.000Z',
    });
  });

  it('reads month-first dates in mdy', () => {
    expect(parseDate('03/14/2025 09:30', 'mdy', PARIS)).toEqual({ at: '2025-03-14T08:30:00.000Z' });
    expect(parseDate('12/31/24', 'mdy', PARIS)).toEqual({ at: '2024-12-30T23:00:00.000Z' });
  });

  it.each([
    ['2025-03-14T09:30:00+01:00', '2025-03-14T08:30:00.000Z'],
    ['2025-03-14T09:30:00+0100', '2025-03-14T08:30:00.000Z'],
    ['2025-03-14T09:30+01', '2025-03-14T08:30:00.000Z'],
    ['2025-03-14T09:30:00Z', '2025-03-14T09:30:00.000Z'],
    ['2025-03-14T09:30:00.123456Z', '2025-03-14T09:30:00.123Z'],
    ['2025-03-14T09:30:00-05:00', '2025-03-14T14:30:00.000Z'],
    ['2025-03-14 09:30:00 +01:00', '2025-03-14T08:30:00.000Z'],
  ])('keeps the offset of the ISO 8601 %j', (raw, at) => {
    expect(parseDate(raw, 'iso', PARIS)).toEqual({ at });
  });

  it('reads ISO 8601 without an offset in the time zone, a date alone as local midnight', () => {
    expect(parseDate('2025-07-14T09:30', 'iso', PARIS)).toEqual({ at: '2025-07-14T07:30:00.000Z' });
    expect(parseDate('2025-07-14 09:30:00', 'iso', PARIS)).toEqual({ at: '2025-07-14T07:30:00.000Z' });
    expect(parseDate('2025-07-14', 'iso', PARIS)).toEqual({ at: '2025-07-13T22:00:00.000Z' });
  });

  it('reads ISO 8601 whatever the format, as it cannot be mistaken', () => {
    expect(parseDate('2025-03-14T09:30:00Z', 'dmy', PARIS)).toEqual({ at: '2025-03-14T09:30:00.000Z' });
    expect(parseDate('2025-03-14', 'mdy', PARIS)).toEqual({ at: '2025-03-13T23:00:00.000Z' });
  });

  it.each([
    ['31/02/2025', '"31/02/2025" does not exist (February 2025 has 28 days)'],
    ['29/02/2023', '"29/02/2023" does not exist (February 2023 has 28 days)'],
    ['31/04/2025', '"31/04/2025" does not exist (April 2025 has 30 days)'],
    ['00/03/2025', '"00/03/2025" does not exist (March 2025 has 31 days)'],
    ['14/00/2025', '"14/00/2025" has no month 0'],
    ['14/13/2025', '"14/13/2025" has no month 13'],
    ['14/03/2025 24:00', '"14/03/2025 24:00" is not a time of day (00:00 to 23:59:59)'],
    ['14/03/2025 09:60', '"14/03/2025 09:60" is not a time of day (00:00 to 23:59:59)'],
  ])('refuses the impossible %j, with the format expected', (raw, start) => {
    expect(parseDate(raw, 'dmy', PARIS)).toEqual({ error: `${start}: ${DMY}` });
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseDate('29/02/2024', 'dmy', PARIS)).toEqual({ at: '2024-02-28T23:00:00.000Z' });
    expect(parseDate('2000-02-29', 'iso', PARIS)).toEqual({ at: '2000-02-28T23:00:00.000Z' });
    expect(parseDate('29/02/1900', 'dmy', PARIS)).toEqual({
      error: `"29/02/1900" does not exist (February 1900 has 28 days): ${DMY}`,
    });
  });

  it('refuses an impossible ISO 8601 date or offset', () => {
    expect(parseDate('2025-02-30', 'iso', PARIS)).toEqual({
      error: `"2025-02-30" does not exist (February 2025 has 28 days): ${ISO}`,
    });
    expect(parseDate('2025-03-14T09:30:00+25:00', 'iso', PARIS)).toEqual({
      error: `"2025-03-14T09:30:00+25:00" has no valid offset: ${ISO}`,
    });
  });

  it('says when a day-first file holds a month-first date, and the other way round', () => {
    expect(parseDate('03/14/2025', 'dmy', PARIS)).toEqual({
      error: `"03/14/2025" has no month 14: ${DMY} (for month-first dates give "dateFormat": "mdy")`,
    });
    expect(parseDate('14/03/2025', 'mdy', PARIS)).toEqual({
      error:
        '"14/03/2025" has no month 14: Expected a date like 03/14/2025 or 03/14/2025 09:30 (mm/dd/yyyy [hh:mm[:ss]]) (for day-first dates give "dateFormat": "dmy")',
    });
  });

  it('names the format expected, with an example, for what is not a date', () => {
    expect(parseDate('demain', 'dmy', PARIS)).toEqual({ error: `${DMY}, not "demain"` });
    expect(parseDate('14/03', 'dmy', PARIS)).toEqual({ error: `${DMY}, not "14/03"` });
    expect(parseDate('', 'dmy', PARIS)).toEqual({ error: DMY });
    expect(parseDate('14/03/2025', 'iso', PARIS)).toEqual({
      error: `${ISO}, not "14/03/2025" (for day-first dates give "dateFormat": "dmy")`,
    });
  });

  it('recognises an Excel date number and says how to fix the sheet', () => {
    expect(parseDate('45730', 'dmy', PARIS)).toEqual({
      error: `"45730" looks like an Excel date number: format the column as a date in Excel before saving. ${DMY}`,
    });
  });

  it('throws on an unknown time zone, naming options.timeZone', () => {
    let caught: unknown;
    try {
      parseDate('14/03/2025', 'dmy', 'Europe/Pariss');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(400);
    expect((caught as AppError).issues).toEqual([
      {
        path: 'options.timeZone',
        message: 'Unknown time zone "Europe/Pariss": use an IANA time zone such as "Europe/Paris"',
      },
    ]);
  });
});

describe('parseBirthDate', () => {
  const now = new Date('2025-06-01T10:00:00Z');

  it.each([
    ['14/03/1985', 'dmy', '1985-03-14'],
    ['14.03.1985', 'dmy', '1985-03-14'],
    ['03/14/1985', 'mdy', '1985-03-14'],
    ['1985-03-14', 'iso', '1985-03-14'],
    ['1985-03-14', 'dmy', '1985-03-14'],
    ['1985-03-14 00:00:00', 'iso', '1985-03-14'],
    ['14/03/1985 00:00', 'dmy', '1985-03-14'],
    ['29/02/2000', 'dmy', '2000-02-29'],
  ] as const)('reads %j (%s) as %s', (raw, format, date) => {
    expect(parseBirthDate(raw, format, now)).toEqual({ date });
  });

  it.each([
    ['14/03/85', '1985-03-14'],
    ['14/03/05', '2005-03-14'],
    ['14/03/25', '2025-03-14'],
    ['14/07/25', '1925-07-14'],
    ['14/03/30', '1930-03-14'],
  ])('reads the two-digit year of %j as the latest one not in the future: %s', (raw, date) => {
    expect(parseBirthDate(raw, 'dmy', now)).toEqual({ date });
  });

  it.each([
    ['31/02/1985', '"31/02/1985" does not exist (February 1985 has 28 days)'],
    ['14/03/2030', '"14/03/2030" is in the future'],
    ['02/06/2025', '"02/06/2025" is in the future'],
    ['14/03/1850', '"14/03/1850" is before 1900'],
    ['14/03/1985 10:00', '"14/03/1985 10:00" has a time'],
  ])('refuses %j', (raw, start) => {
    expect(parseBirthDate(raw, 'dmy', now)).toEqual({
      error: `${start}: Expected a date of birth like 14/03/1985 (dd/mm/yyyy)`,
    });
  });

  it('refuses a time with an offset and names the ISO example', () => {
    expect(parseBirthDate('1985-03-14T00:00:00Z', 'iso', now)).toEqual({
      error: '"1985-03-14T00:00:00Z" has a time: Expected a date of birth like 1985-03-14 (yyyy-mm-dd)',
    });
    expect(parseBirthDate('le 14 mars', 'iso', now)).toEqual({
      error: 'Expected a date of birth like 1985-03-14 (yyyy-mm-dd), not "le 14 mars"',
    });
  });

  it('uses the current date when no clock is given', () => {
    expect(parseBirthDate('14/03/1985', 'dmy')).toEqual({ date: '1985-03-14' });
    expect(parseBirthDate('01/01/2999', 'dmy')).toEqual({
      error: '"01/01/2999" is in the future: Expected a date of birth like 14/03/1985 (dd/mm/yyyy)',
    });
  });
});
