/**
 * Amounts in till receipts and customer files, as French and English software writes them: a decimal
 * comma or point, thousands separated by spaces (Excel FR uses a no-break or narrow no-break space),
 * points or commas, the euro sign or "EUR" before or after.
 */

/** The largest amount accepted, either way (a receipt over a billion is a column mix-up). */
export const MAX_AMOUNT = 1_000_000_000;

const EXPECTED = 'Expected an amount like 12,50 or 12.50';

/** Spaces Excel and tills put between thousands: space, no-break space, narrow no-break space, thin space. */
const SPACES = /[\u0020\u00a0\u202f\u2009]/g;
const EURO = /^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$/gi;

/**
 * Reads an amount, rounded to cents (half away from zero, on the digits as written, so 0,125 is
 * 0.13): `12,50`, `12.50`, `1 234,56`, `1.234,56`, `1,234.56`, `€ 12,50`, `12,50 €`, `12.50 EUR`,
 * `-3,00`. With both a point and a comma, the last one is the decimal mark; with one of them written
 * several times, it separates thousands (`1.234.567`). A single point or comma followed by exactly
 * three digits (`1,234`, `1.234`) is refused as ambiguous (one thousand, or one and a bit?) rather
 * than guessed, as are negative amounts in parentheses (`(3.00)`), other currencies and amounts
 * beyond ±1,000,000,000.
 */
export function parseAmount(raw: string): { amount: number } | { error: string } {
  const value = raw.trim();
  if (value === '') return { error: EXPECTED };
  if (/^\(.*\)$/.test(value)) {
    return {
      error: `"${value}": write a negative amount with a minus sign (-3,00), not in parentheses. ${EXPECTED}`,
    };
  }
  let text = value.replace(SPACES, ' ');
  let negative = false;
  const sign = () => {
    const m = /^([+\-\u2212])\s*/.exec(text);
    if (!m) return false;
    negative = m[1] !== '+';
    text = text.slice(m[0].length);
    return true;
  };
  const signed = sign();
  text = text.replace(EURO, '');
  if (!signed) sign();
  if (/^[A-Z]{3}\s|\s[A-Z]{3}$|[$£¥]/i.test(text)) {
    return {
      error: `"${value}": only euros (€ or EUR) may be written with the amount; give other currencies in the currency column. ${EXPECTED}`,
    };
  }
  if (!/^[0-9.,][0-9 .,]*$/.test(text) || !/\d$/.test(text)) {
    return { error: `${EXPECTED}, not "${value}"` };
  }
  const split = splitNumber(text);
  if ('error' in split) return { error: `"${value}" ${split.error}. ${EXPECTED}` };
  const { whole, fraction } = split;
  const digits = whole.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return tooLarge(value);
  const third = fraction[2] ?? '0';
  const cents = Number(digits) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0')) + (third >= '5' ? 1 : 0);
  if (cents > MAX_AMOUNT * 100) return tooLarge(value);
  const amount = cents / 100;
  return { amount: negative && amount !== 0 ? -amount : amount };
}

const tooLarge = (value: string) => ({
  error: `"${value}" is too large: amounts are at most 1 000 000 000 either way. ${EXPECTED}`,
});

/** The integer digits and the decimals of a number written with spaces, points and commas. */
function splitNumber(text: string): { whole: string; fraction: string } | { error: string } {
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  const marks = (text.match(/[.,]/g) ?? []).length;
  let decimal: '.' | ',' | undefined;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
  else if (marks === 1) {
    const mark = lastDot >= 0 ? '.' : ',';
    const [whole = '', fraction = ''] = text.split(mark);
    // "1,234": the French 1.234 or the English 1234? Refused rather than guessed.
    if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole)) {
      return {
        error: `is ambiguous: write ${whole}${fraction} (or ${whole} ${fraction}) for thousands, or ${whole}${mark}${fraction.slice(0, 2)} with cents`,
      };
    }
    decimal = mark;
  }
  const [whole = '', fraction = '', extra] = decimal ? text.split(decimal) : [text];
  if (extra !== undefined) return { error: `has the decimal mark "${decimal}" twice` };
  if (!/^\d*$/.test(fraction)) return { error: 'has separators in its decimals' };
  const grouping = whole.replace(/\d/g, '');
  if (grouping === '') return { whole: whole || '0', fraction };
  const separator = grouping[0] ?? '';
  const groups = whole.split(separator);
  const wellGrouped =
    [...grouping].every((c) => c === separator) &&
    /^\d{1,3}$/.test(groups[0] ?? '') &&
    groups.slice(1).every((g) => /^\d{3}$/.test(g));
  if (!wellGrouped) return { error: 'has its thousands separated wrongly (1 234 567,89)' };
  return { whole: groups.join(''), fraction };
}
