import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, parseAmount } from '../../../../functions/domain/imports/amounts';

const EXPECTED = 'Expected an amount like 12,50 or 12.50';

describe('parseAmount', () => {
  it.each([
    ['12,50', 12.5],
    ['12.50', 12.5],
    ['12', 12],
    ['0', 0],
    ['0,5', 0.5],
    [',5', 0.5],
    ['1234,56', 1234.56],
    ['1 234,56', 1234.56],
    ['1\u00a0234,56', 1234.56],
    ['1\u202f234,56', 1234.56],
    ['12\u202f345\u202f678,90', 12345678.9],
    ['1.234,56', 1234.56],
    ['1.234.567,89', 1234567.89],
    ['1,234.56', 1234.56],
    ['1,234,567.89', 1234567.89],
    ['1.234.567', 1234567],
    ['1,234,567', 1234567],
    ['1 234', 1234],
    ['€ 12,50', 12.5],
    ['€12,50', 12.5],
    ['12,50 €', 12.5],
    ['12,50€', 12.5],
    ['12.50 EUR', 12.5],
    ['EUR 12.50', 12.5],
    ['12,50 euros', 12.5],
    ['-3,00', -3],
    ['- 3,00', -3],
    ['\u22123,00', -3],
    ['+3,00', 3],
    ['-3,00 €', -3],
    ['€ -3,00', -3],
    ['-€3,00', -3],
    ['  12,50  ', 12.5],
    ['1234,5', 1234.5],
    ['1234,567', 1234.57],
  ])('reads %j as %d', (raw, amount) => {
    expect(parseAmount(raw)).toEqual({ amount });
  });

  it('rounds to cents half away from zero, on the digits as written', () => {
    expect(parseAmount('0,125')).toEqual({ amount: 0.13 });
    expect(parseAmount('0,124')).toEqual({ amount: 0.12 });
    expect(parseAmount('1,0049')).toEqual({ amount: 1 });
    // 1.005 is 1.00499… as a double: the digits, not the double, are rounded.
    expect(parseAmount('1,0050')).toEqual({ amount: 1.01 });
    expect(parseAmount('-2,6750')).toEqual({ amount: -2.68 });
    expect(parseAmount('9,9999')).toEqual({ amount: 10 });
  });

  it('never answers -0', () => {
    const r = parseAmount('-0,00');
    expect(r).toEqual({ amount: 0 });
    expect(Object.is((r as { amount: number }).amount, -0)).toBe(false);
  });

  it('accepts amounts up to a billion either way, and refuses larger ones', () => {
    expect(parseAmount('1 000 000 000')).toEqual({ amount: MAX_AMOUNT });
    expect(parseAmount('-1000000000,00')).toEqual({ amount: -MAX_AMOUNT });
    const tooLarge = `"1 000 000 000,01" is too large: amounts are at most 1 000 000 000 either way. ${EXPECTED}`;
    expect(parseAmount('1 000 000 000,01')).toEqual({ error: tooLarge });
    expect(parseAmount('123456789012345678901234')).toEqual({
      error: `"123456789012345678901234" is too large: amounts are at most 1 000 000 000 either way. ${EXPECTED}`,
    });
  });

  it('refuses "1,234" and "1.234" as ambiguous, saying how to write either meaning', () => {
    expect(parseAmount('1,234')).toEqual({
      error: `"1,234" is ambiguous: write 1234 (or 1 234) for thousands, or 1,23 with cents. ${EXPECTED}`,
    });
    expect(parseAmount('12.500')).toEqual({
      error: `"12.500" is ambiguous: write 12500 (or 12 500) for thousands, or 12.50 with cents. ${EXPECTED}`,
    });
  });

  it('refuses negative amounts in parentheses, saying to use a minus sign', () => {
    expect(parseAmount('(3.00)')).toEqual({
      error: `"(3.00)": write a negative amount with a minus sign (-3,00), not in parentheses. ${EXPECTED}`,
    });
  });

  it('refuses other currencies, pointing at the currency column', () => {
    const message = (raw: string) =>
      `"${raw}": only euros (€ or EUR) may be written with the amount; give other currencies in the currency column. ${EXPECTED}`;
    expect(parseAmount('12.50 USD')).toEqual({ error: message('12.50 USD') });
    expect(parseAmount('CHF 12.50')).toEqual({ error: message('CHF 12.50') });
    expect(parseAmount('$12.50')).toEqual({ error: message('$12.50') });
    expect(parseAmount('£12.50')).toEqual({ error: message('£12.50') });
  });

  it.each([
    ['1.234.56', 'has its thousands separated wrongly (1 234 567,89)'],
    ['12 50', 'has its thousands separated wrongly (1 234 567,89)'],
    ['1 23,45', 'has its thousands separated wrongly (1 234 567,89)'],
    ['1 234.567,89', 'has its thousands separated wrongly (1 234 567,89)'],
    ['1,234,56', 'has its thousands separated wrongly (1 234 567,89)'],
    ['1.234,56,7', 'has the decimal mark "," twice'],
    ['1,234.5 6', 'has separators in its decimals'],
  ])('refuses the badly written %j', (raw, why) => {
    expect(parseAmount(raw)).toEqual({ error: `"${raw}" ${why}. ${EXPECTED}` });
  });

  it.each(['abc', '12,50-', '12,', '12.', '1e5', 'Infinity', '--3', '12,50 € €', '€', '- ', '12;50'])(
    'refuses %j with the format expected',
    (raw) => {
      expect(parseAmount(raw)).toEqual({ error: `${EXPECTED}, not "${raw.trim()}"` });
    },
  );

  it('says what is expected for an empty cell', () => {
    expect(parseAmount('')).toEqual({ error: EXPECTED });
    expect(parseAmount('   ')).toEqual({ error: EXPECTED });
  });
});
