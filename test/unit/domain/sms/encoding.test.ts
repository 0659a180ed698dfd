import { describe, expect, it } from 'vitest';
import { smsSize } from '../../../../functions/domain/sms/encoding';

describe('smsSize: GSM-7', () => {
  it('counts the empty text as nothing to send', () => {
    expect(smsSize('')).toEqual({
      encoding: 'GSM-7',
      units: 0,
      segments: 0,
      perSegment: 160,
      remaining: 160,
      nonGsmCharacters: [],
    });
  });

  it('fits 160 septets in one message and says how many are left', () => {
    expect(smsSize('Bonjour')).toEqual({
      encoding: 'GSM-7',
      units: 7,
      segments: 1,
      perSegment: 160,
      remaining: 153,
      nonGsmCharacters: [],
    });
    expect(smsSize('a'.repeat(160))).toMatchObject({
      units: 160,
      segments: 1,
      perSegment: 160,
      remaining: 0,
    });
  });

  it('splits 161 septets into two parts of 153', () => {
    expect(smsSize('a'.repeat(161))).toEqual({
      encoding: 'GSM-7',
      units: 161,
      segments: 2,
      perSegment: 153,
      remaining: 145,
      nonGsmCharacters: [],
    });
  });

  it('fits 306 septets in two parts and needs a third at 307', () => {
    expect(smsSize('a'.repeat(306))).toMatchObject({
      units: 306,
      segments: 2,
      perSegment: 153,
      remaining: 0,
    });
    expect(smsSize('a'.repeat(307))).toMatchObject({
      units: 307,
      segments: 3,
      perSegment: 153,
      remaining: 152,
    });
  });

  it('knows the whole basic set, line breaks and the Greek capitals included', () => {
    const basic =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect(smsSize(basic)).toEqual({
      encoding: 'GSM-7',
      units: 127,
      segments: 1,
      perSegment: 160,
      remaining: 33,
      nonGsmCharacters: [],
    });
  });
});

describe('smsSize: GSM-7 extension table', () => {
  it('counts each extension character as 2 septets', () => {
    expect(smsSize('^{}\\[~]|€\f')).toMatchObject({
      encoding: 'GSM-7',
      units: 20,
      segments: 1,
      remaining: 140,
    });
    expect(smsSize('5 €')).toMatchObject({ encoding: 'GSM-7', units: 4, segments: 1, remaining: 156 });
  });

  it('fits 80 euro signs in one message but not 159 letters and one euro sign', () => {
    expect(smsSize('€'.repeat(80))).toMatchObject({ units: 160, segments: 1, perSegment: 160, remaining: 0 });
    expect(smsSize(`${'a'.repeat(159)}€`)).toMatchObject({
      units: 161,
      segments: 2,
      perSegment: 153,
      remaining: 145,
    });
  });

  it('does not split an extension character across two parts', () => {
    // 152 + 2 + 152 = 306 septets would fill two parts exactly, but the € cannot sit on the boundary:
    // part 1 holds 152, part 2 holds € and 151 letters, part 3 holds the last letter.
    expect(smsSize(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
      perSegment: 153,
      remaining: 152,
      nonGsmCharacters: [],
    });
  });

  it('packs only whole extension characters into a part', () => {
    // 76 euro signs (152 septets) a part: 81 leave 5 (10 septets) for the second part.
    expect(smsSize('€'.repeat(81))).toMatchObject({
      units: 162,
      segments: 2,
      perSegment: 153,
      remaining: 143,
    });
  });
});

describe('smsSize: UCS-2', () => {
  it('fits 70 units in one message', () => {
    expect(smsSize('ê'.repeat(70))).toEqual({
      encoding: 'UCS-2',
      units: 70,
      segments: 1,
      perSegment: 70,
      remaining: 0,
      nonGsmCharacters: ['ê'],
    });
  });

  it('splits 71 units into two parts of 67', () => {
    expect(smsSize('ê'.repeat(71))).toMatchObject({ units: 71, segments: 2, perSegment: 67, remaining: 63 });
  });

  it('fits 134 units in two parts and needs a third at 135', () => {
    expect(smsSize('ê'.repeat(134))).toMatchObject({ units: 134, segments: 2, perSegment: 67, remaining: 0 });
    expect(smsSize('ê'.repeat(135))).toMatchObject({
      units: 135,
      segments: 3,
      perSegment: 67,
      remaining: 66,
    });
  });

  it('counts GSM and extension characters as one unit each once the text is UCS-2', () => {
    expect(smsSize('5 € ô')).toMatchObject({ encoding: 'UCS-2', units: 5, segments: 1, remaining: 65 });
  });

  it('counts an emoji as a surrogate pair of 2 units', () => {
    expect(smsSize('Merci 😀')).toEqual({
      encoding: 'UCS-2',
      units: 8,
      segments: 1,
      perSegment: 70,
      remaining: 62,
      nonGsmCharacters: ['😀'],
    });
    expect(smsSize('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1, remaining: 0 });
    // 33 emoji (66 units) a part: 36 leave 3 (6 units) for the second part.
    expect(smsSize('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2, perSegment: 67, remaining: 61 });
  });

  it('does not split a surrogate pair across two parts', () => {
    // 66 + 2 + 66 = 134 units would fill two parts exactly, but the emoji cannot sit on the boundary.
    expect(smsSize(`${'ê'.repeat(66)}😀${'ê'.repeat(66)}`)).toEqual({
      encoding: 'UCS-2',
      units: 134,
      segments: 3,
      perSegment: 67,
      remaining: 66,
      nonGsmCharacters: ['ê', '😀'],
    });
  });
});

describe('smsSize: French text', () => {
  it('keeps é, è, à, ù, É and Ç in GSM-7', () => {
    const text = "Soldes d'été chez Ça Chausse : -20 % à Sèvres, où vous voulez. Été !";
    expect(smsSize(text)).toEqual({
      encoding: 'GSM-7',
      units: 68,
      segments: 1,
      perSegment: 160,
      remaining: 92,
      nonGsmCharacters: [],
    });
  });

  it.each(['ê', 'â', 'î', 'ô', 'û', 'ç', 'œ', '’'])('switches to UCS-2 for %s', (character) => {
    expect(smsSize(`Bonjour ${character}`)).toEqual({
      encoding: 'UCS-2',
      units: 9,
      segments: 1,
      perSegment: 70,
      remaining: 61,
      nonGsmCharacters: [character],
    });
  });

  it('tells capital Ç (GSM) from lowercase ç (not GSM)', () => {
    expect(smsSize('Ça')).toMatchObject({ encoding: 'GSM-7', units: 2, nonGsmCharacters: [] });
    expect(smsSize('ça')).toMatchObject({ encoding: 'UCS-2', units: 2, nonGsmCharacters: ['ç'] });
  });

  it('lists each offending character once, in order of appearance', () => {
    const text = 'Ça coûte 5 € l’unité, à bientôt ! Noël : ça coûte peu, l’œuf aussi.';
    expect(smsSize(text)).toEqual({
      encoding: 'UCS-2',
      units: 67,
      segments: 1,
      perSegment: 70,
      remaining: 3,
      nonGsmCharacters: ['û', '’', 'ô', 'ë', 'ç', 'œ'],
    });
  });

  it('costs a 94-character promotion one part, but two with a typographic apostrophe', () => {
    const plain = `Profitez de -30 % sur toute la collection d'hiver jusqu'à dimanche, en boutique. STOP au 36111`;
    const curly = plain.replace("d'hiver", 'd’hiver');
    expect(plain.length).toBe(94);
    expect(smsSize(plain)).toMatchObject({ encoding: 'GSM-7', units: 94, segments: 1, remaining: 66 });
    expect(smsSize(curly)).toMatchObject({
      encoding: 'UCS-2',
      units: 94,
      segments: 2,
      perSegment: 67,
      remaining: 40,
      nonGsmCharacters: ['’'],
    });
  });
});
