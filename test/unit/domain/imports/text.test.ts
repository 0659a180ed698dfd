import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  binaryKind,
  charsetFromContentType,
  looksBinary,
  sniffEncoding,
  textDecoder,
} from '../../../../functions/domain/imports/text';
import { AppError } from '../../../../functions/domain/shared/errors';

const utf8 = (s: string) => new TextEncoder().encode(s);
const cp1252 = (s: string) => new Uint8Array(iconv.encode(s, 'windows-1252'));
const bytes = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const BOM = [0xef, 0xbb, 0xbf];

/** The AppError a call throws (failing the test when it throws nothing, or something else). */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

/** Decodes `data` in chunks of `size` bytes, as the import reads a file. */
function decodeInChunks(encoding: Parameters<typeof textDecoder>[0], data: Uint8Array, size: number): string {
  const decoder = textDecoder(encoding);
  let text = '';
  for (let i = 0; i < data.length; i += size) text += decoder.write(data.subarray(i, i + size));
  return text + decoder.end();
}

const FRENCH_CSV = 'Prénom;Nom;Montant\r\nAurélie;Châtelain;12,50 €\r\nFrançois;Lœuvre;3,00 €\r\n';

describe('sniffEncoding', () => {
  it('reads a UTF-8 BOM (Excel "CSV UTF-8") and says how many bytes to skip', () => {
    const file = bytes(BOM, utf8(FRENCH_CSV));
    expect(sniffEncoding(file)).toEqual({ encoding: 'utf-8', bom: 3 });
  });

  it('reads UTF-16 BOMs (Excel "Unicode text")', () => {
    expect(sniffEncoding(bytes([0xff, 0xfe], iconv.encode('email;nom', 'utf-16le')))).toEqual({
      encoding: 'utf-16le',
      bom: 2,
    });
    expect(sniffEncoding(bytes([0xfe, 0xff], iconv.encode('email;nom', 'utf-16be')))).toEqual({
      encoding: 'utf-16be',
      bom: 2,
    });
  });

  it('refuses UTF-32, naming the file and the fix', () => {
    const err = appError(() => sniffEncoding(bytes([0xff, 0xfe, 0, 0, 0x65, 0, 0, 0])));
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([
      { path: '(file)', message: expect.stringContaining('save it as "CSV UTF-8"') },
    ]);
  });

  it('takes valid UTF-8 without a BOM as UTF-8, and plain ASCII too', () => {
    expect(sniffEncoding(utf8(FRENCH_CSV))).toEqual({ encoding: 'utf-8', bom: 0 });
    expect(sniffEncoding(utf8('email;phone\r\na@example.fr;0612345678\r\n'))).toEqual({
      encoding: 'utf-8',
      bom: 0,
    });
    expect(sniffEncoding(new Uint8Array())).toEqual({ encoding: 'utf-8', bom: 0 });
  });

  it.each([
    ['é (2 bytes)', 'Aurélie', 4],
    ['€ (3 bytes)', 'Prix 12 €', 11],
    ['€ (3 bytes), two of them read', 'Prix 12 €', 12],
    ['an emoji (4 bytes)', 'Merci 🎉', 9],
  ])('takes a head that cuts %s at its end as UTF-8', (_, text, length) => {
    const head = utf8(text).subarray(0, length);
    expect(sniffEncoding(head).encoding).toBe('utf-8');
  });

  it('takes Windows-1252 bytes ("Aurélie Châtelain", "€") as windows-1252', () => {
    expect(sniffEncoding(cp1252('Aurélie Châtelain'))).toEqual({ encoding: 'windows-1252', bom: 0 });
    expect(sniffEncoding(cp1252(FRENCH_CSV))).toEqual({ encoding: 'windows-1252', bom: 0 });
  });

  it('knows a Windows-1252 "é" ending a whole file is not a cut UTF-8 character', () => {
    // E9 could begin a UTF-8 character that the next bytes complete: at the end of a head, it may.
    expect(sniffEncoding(cp1252('email;nom\r\na@example.fr;Zoé')).encoding).toBe('utf-8');
    expect(sniffEncoding(cp1252('email;nom\r\na@example.fr;Zoé'), undefined, { whole: true })).toEqual({
      encoding: 'windows-1252',
      bom: 0,
    });
    expect(sniffEncoding(utf8('a;Zoé'), undefined, { whole: true }).encoding).toBe('utf-8');
  });

  it('is strict about UTF-8: overlong forms and encoded surrogates are not UTF-8', () => {
    expect(sniffEncoding(bytes(utf8('a;b'), [0xc0, 0xaf], utf8(';c'))).encoding).toBe('windows-1252');
    expect(sniffEncoding(bytes(utf8('a;b'), [0xed, 0xa0, 0x80], utf8(';c'))).encoding).toBe('windows-1252');
  });

  it('takes ISO-8859-15 when "€" or "œ" are there at A4/BD and nothing is in 80-9F', () => {
    const latin9 = new Uint8Array(iconv.encode('Nom;Montant\r\nLœuvre;12,50 €\r\n', 'iso-8859-15'));
    expect([...latin9]).toContain(0xa4);
    expect(sniffEncoding(latin9)).toEqual({ encoding: 'iso-8859-15', bom: 0 });
    // The same text in Windows-1252 has € at 80 and œ at 9C.
    expect(sniffEncoding(cp1252('Nom;Montant\r\nLœuvre;12,50 €\r\n')).encoding).toBe('windows-1252');
  });

  it('reads UTF-16 without a BOM from its zero bytes', () => {
    expect(sniffEncoding(new Uint8Array(iconv.encode('email;prénom\r\n', 'utf-16le')))).toEqual({
      encoding: 'utf-16le',
      bom: 0,
    });
    expect(sniffEncoding(new Uint8Array(iconv.encode('email;prénom\r\n', 'utf-16be')))).toEqual({
      encoding: 'utf-16be',
      bom: 0,
    });
  });

  it.each([
    ['windows-1252', 'windows-1252'],
    ['Windows-1252', 'windows-1252'],
    ['cp1252', 'windows-1252'],
    ['ANSI', 'windows-1252'],
    ['ISO-8859-1', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['ISO-8859-15', 'iso-8859-15'],
    ['latin9', 'iso-8859-15'],
    ['UTF-8', 'utf-8'],
    ['utf-16le', 'utf-16le'],
    ['text/csv; charset="Windows-1252"', 'windows-1252'],
    ['text/csv;charset=iso-8859-15', 'iso-8859-15'],
  ])('follows the declared charset %j → %s', (declared, encoding) => {
    expect(sniffEncoding(utf8('email;nom\r\n'), declared)).toEqual({ encoding, bom: 0 });
  });

  it('reads UTF-16 declared without an order from the zero bytes, little-endian by default', () => {
    expect(sniffEncoding(new Uint8Array(iconv.encode('a;b', 'utf-16be')), 'UTF-16').encoding).toBe(
      'utf-16be',
    );
    expect(sniffEncoding(new Uint8Array(iconv.encode('a;b', 'utf-16le')), 'UTF-16').encoding).toBe(
      'utf-16le',
    );
    expect(sniffEncoding(new Uint8Array([0x41]), 'UTF-16').encoding).toBe('utf-16le');
  });

  it('lets the bytes decide when the label is US-ASCII, or a Content-Type has no charset', () => {
    expect(sniffEncoding(cp1252('Aurélie'), 'us-ascii').encoding).toBe('windows-1252');
    expect(sniffEncoding(utf8('Aurélie'), 'US-ASCII').encoding).toBe('utf-8');
    expect(sniffEncoding(cp1252('Aurélie'), 'text/csv').encoding).toBe('windows-1252');
  });

  it('lets a BOM win over the declared charset', () => {
    expect(sniffEncoding(bytes(BOM, utf8('Aurélie')), 'windows-1252')).toEqual({ encoding: 'utf-8', bom: 3 });
  });

  it('refuses an unknown charset (400, options.charset) with the accepted ones and an example', () => {
    const err = appError(() => sniffEncoding(utf8('a;b'), 'klingon'));
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_error');
    expect(err.issues).toEqual([
      {
        path: 'options.charset',
        message:
          'Unknown charset "klingon": use utf-8, windows-1252, iso-8859-15, utf-16le or utf-16be (e.g. "charset": "windows-1252")',
      },
    ]);
  });

  it('refuses a charset iconv-lite knows but imports do not read, and does so even with a BOM', () => {
    const err = appError(() => sniffEncoding(bytes(BOM, utf8('a;b')), 'windows-1251'));
    expect(err.issues[0]?.path).toBe('options.charset');
    expect(err.issues[0]?.message).toContain('"windows-1251" is not supported');
  });

  it('refuses a file declared UTF-8 that is not, saying where and what to give', () => {
    const err = appError(() => sniffEncoding(cp1252('Aurélie;Châtelain'), 'utf-8'));
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([
      {
        path: 'options.charset',
        message:
          'The file is declared UTF-8 but is not (byte 3 is E9, after "Aur"): give the charset it was saved in, e.g. "charset": "windows-1252", or save it as "CSV UTF-8"',
      },
    ]);
  });
});

describe('charsetFromContentType', () => {
  it('reads the charset parameter, quoted or not', () => {
    expect(charsetFromContentType('text/csv; charset=UTF-8')).toBe('UTF-8');
    expect(charsetFromContentType('text/csv; header=present; charset="windows-1252"')).toBe('windows-1252');
    expect(charsetFromContentType('text/csv')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });
});

describe('looksBinary', () => {
  it.each([
    [
      'an xlsx workbook',
      bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]),
      'an Excel workbook (.xlsx) or another zip file',
    ],
    [
      'an xls workbook',
      bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      'an Excel 97-2003 workbook (.xls)',
    ],
    ['a PDF', utf8('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), 'a PDF document'],
    ['a PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a PNG image'],
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a JPEG image'],
    ['a file with NUL bytes', bytes(utf8('email;nom'), [0], utf8('x')), 'a binary file'],
    ['a file full of control bytes', bytes(utf8('abc'), [1, 2, 3, 4, 5, 6]), 'a binary file'],
  ])('says %s is binary', (_, head, kind) => {
    expect(looksBinary(head)).toBe(true);
    expect(binaryKind(head)).toBe(kind);
  });

  it.each([
    ['a UTF-8 CSV', utf8(FRENCH_CSV)],
    ['a UTF-8 CSV with a BOM', bytes(BOM, utf8(FRENCH_CSV))],
    ['a Windows-1252 CSV', cp1252(FRENCH_CSV)],
    ['UTF-16 LE with a BOM', bytes([0xff, 0xfe], iconv.encode(FRENCH_CSV, 'utf-16le'))],
    ['UTF-16 BE without a BOM', new Uint8Array(iconv.encode(FRENCH_CSV, 'utf-16be'))],
    ['a DOS file ending in Ctrl-Z', bytes(utf8('a;b\r\n1;2\r\n'), [0x1a])],
    ['text with a stray control byte', bytes(utf8('email;nom;ville\r\na@example.fr;Dupont;Paris'), [0x0b])],
    ['an empty file', new Uint8Array()],
  ])('says %s is text', (_, head) => {
    expect(looksBinary(head)).toBe(false);
    expect(binaryKind(head)).toBeUndefined();
  });
});

describe('textDecoder', () => {
  it('decodes Windows-1252 "Aurélie Châtelain" and "€"', () => {
    const data = bytes([0x41, 0x75, 0x72, 0xe9, 0x6c, 0x69, 0x65, 0x20], cp1252('Châtelain '), [0x80]);
    expect(decodeInChunks('windows-1252', data, 5)).toBe('Aurélie Châtelain €');
  });

  it('decodes every one of the 256 Windows-1252 bytes, never as U+FFFD, as WHATWG does', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const text = decodeInChunks('windows-1252', all, 7);
    expect(text).toHaveLength(256);
    expect(text).not.toContain('\uFFFD');
    // The five bytes Windows-1252 leaves undefined are the C1 controls of the same number.
    for (const b of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) expect(text.charCodeAt(b)).toBe(b);
    expect(text.charCodeAt(0x80)).toBe(0x20ac);
    expect(text.charCodeAt(0x9c)).toBe(0x0153);
    expect(text).toBe(new TextDecoder('windows-1252').decode(all));
  });

  it('decodes ISO-8859-15 (€ at A4, œ at BD) and ISO-8859-1 (¤ at A4) with no U+FFFD', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const latin9 = decodeInChunks('iso-8859-15', all, 256);
    expect(latin9[0xa4]).toBe('€');
    expect(latin9[0xbd]).toBe('œ');
    expect(latin9).not.toContain('\uFFFD');
    const latin1 = decodeInChunks('iso-8859-1', all, 256);
    expect(latin1[0xa4]).toBe('¤');
    expect(latin1.charCodeAt(0x80)).toBe(0x80);
    expect(latin1).not.toContain('\uFFFD');
  });

  it('joins UTF-8 characters split across chunks, whatever the chunk size', () => {
    const text = 'Prénom;Nom\r\nAurélie;Châtelain 12,50 € 🎉\r\n';
    for (const size of [1, 2, 3, 5, 64]) expect(decodeInChunks('utf-8', utf8(text), size)).toBe(text);
  });

  it('drops a UTF-8 BOM the caller did not skip', () => {
    expect(decodeInChunks('utf-8', bytes(BOM, utf8('email')), 2)).toBe('email');
  });

  it('refuses invalid UTF-8 (400, options.charset), with the byte in the whole file', () => {
    const decoder = textDecoder('utf-8');
    expect(decoder.write(utf8('Prénom;Nom\r\n'))).toBe('Prénom;Nom\r\n');
    const err = appError(() => decoder.write(cp1252('Aurélie;Châtelain')));
    expect(err.status).toBe(400);
    expect(err.message).toBe('The file could not be read');
    expect(err.issues).toEqual([
      {
        path: 'options.charset',
        message:
          'The file is not valid UTF-8 (byte 16 is E9, after "Aur"): give the charset it was saved in, e.g. "charset": "windows-1252", or save it as "CSV UTF-8"',
      },
    ]);
  });

  it('counts offsets in the file: after a skipped BOM, or from a checkpoint', () => {
    const afterBom = textDecoder('utf-8', { offset: 3 });
    expect(afterBom.write(utf8('email\r\n'))).toBe('email\r\n');
    expect(appError(() => afterBom.write(cp1252('é;'))).issues[0]?.message).toContain('byte 10 is E9');
    const resumed = textDecoder('utf-8', { offset: 8_388_608 });
    expect(resumed.write(utf8('\uFEFFZoé;'))).toBe('\uFEFFZoé;');
    expect(appError(() => resumed.write(cp1252('Zoé;'))).issues[0]?.message).toContain(
      'byte 8388618 is E9, after "Zo"',
    );
  });

  it('finds the bad byte after a character completed from the previous chunk', () => {
    const decoder = textDecoder('utf-8');
    const data = bytes(utf8('Aé'), cp1252('él'));
    expect(decoder.write(data.subarray(0, 2))).toBe('A');
    const err = appError(() => decoder.write(data.subarray(2)));
    expect(err.issues[0]?.message).toContain('byte 3 is E9');
  });

  it('blames the character begun in the previous chunk when the next byte cannot continue it', () => {
    const decoder = textDecoder('utf-8');
    decoder.write(bytes(utf8('ab'), [0xc3]));
    const err = appError(() => decoder.write(utf8('xyz')));
    expect(err.issues[0]?.message).toContain('byte 3 is 78');
  });

  it('refuses a UTF-8 file that ends in the middle of a character', () => {
    const decoder = textDecoder('utf-8');
    expect(decoder.write(bytes(utf8('12 '), [0xe2, 0x82]))).toBe('12 ');
    const err = appError(() => decoder.end());
    expect(err.issues[0]?.message).toContain('it ends in the middle of a character, at byte 5');
  });

  it('decodes UTF-16 LE and BE split at odd offsets, dropping the BOM', () => {
    const text = 'Zoé;€;🎉\r\n';
    const le = bytes([0xff, 0xfe], iconv.encode(text, 'utf-16le'));
    const be = bytes([0xfe, 0xff], iconv.encode(text, 'utf-16be'));
    expect(decodeInChunks('utf-16le', le, 3)).toBe(text);
    expect(decodeInChunks('utf-16be', be, 3)).toBe(text);
    expect(decodeInChunks('utf-16le', le.subarray(2), 1)).toBe(text);
  });

  it('refuses UTF-16 with a lone surrogate', () => {
    const decoder = textDecoder('utf-16le');
    const err = appError(() => decoder.write(bytes(iconv.encode('ab', 'utf-16le'), [0x00, 0xdc], [0x41, 0])));
    expect(err.issues[0]).toEqual({
      path: 'options.charset',
      message: expect.stringContaining('not valid UTF-16 LE'),
    });
  });
});
