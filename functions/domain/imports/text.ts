import iconv from 'iconv-lite';
import { validationError } from '../shared/errors';

/**
 * How the bytes of an imported file become text. French shops' files come from Excel ("CSV UTF-8",
 * with a byte order mark, or "CSV (séparateur : point-virgule)", in Windows-1252), from till systems
 * (often Windows-1252 or ISO-8859-15) and from "Unicode text" exports (UTF-16 with a BOM).
 *
 * The rule everywhere: text is never decoded with U+FFFD replacement characters. A byte that is not
 * valid in the encoding stops the import with a message saying which charset to give, because a name
 * silently turned into "Aur�lie" is worse than a refused file.
 */
export const TEXT_ENCODINGS = [
  'utf-8',
  'windows-1252',
  'iso-8859-1',
  'iso-8859-15',
  'utf-16le',
  'utf-16be',
] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** The charsets a caller may name, as listed in messages. */
const OFFERED = 'utf-8, windows-1252, iso-8859-15, utf-16le or utf-16be';

/**
 * Charset labels (lower case) and the encoding each means. Following the WHATWG Encoding Standard
 * (what browsers do), ISO-8859-1 and Latin-1 labels mean windows-1252: files labelled Latin-1 are
 * Windows files in practice, and 0x80 there is "€", never the C1 control ISO-8859-1 puts there.
 */
const LABELS: Record<string, TextEncoding | 'utf-16'> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'windows-1252': 'windows-1252',
  windows1252: 'windows-1252',
  cp1252: 'windows-1252',
  'cp-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
  win1252: 'windows-1252',
  // What Windows Notepad and French users call Windows-1252.
  ansi: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso_8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  l1: 'windows-1252',
  cp819: 'windows-1252',
  ibm819: 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  iso885915: 'iso-8859-15',
  'iso8859-15': 'iso-8859-15',
  'iso_8859-15': 'iso-8859-15',
  latin9: 'iso-8859-15',
  'latin-9': 'iso-8859-15',
  l9: 'iso-8859-15',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
  'utf-16be': 'utf-16be',
  utf16be: 'utf-16be',
  // UTF-16 without an order: the BOM says it, else the position of the zero bytes (little-endian,
  // what Windows writes, by default).
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  'ucs-2': 'utf-16',
  unicode: 'utf-16',
};

/**
 * Labels that say nothing about bytes above 0x7F: tools print "us-ascii" for any file whose start is
 * plain ASCII, so such a label is treated as no label and the bytes decide.
 */
const ASCII_LABELS = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'us']);

/** The charset parameter of a Content-Type (`text/csv; charset="Windows-1252"` → `Windows-1252`). */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m?.[2];
}

/**
 * Decides how to decode a file from its first bytes (`head`: as many as the caller read, 64 KB or
 * more is best, as a file can be plain ASCII for its first lines and accented further on).
 *
 * 1. A byte order mark wins: UTF-8 (EF BB BF), UTF-16 LE (FF FE) or BE (FE FF); `bom` is its length,
 *    to skip.
 * 2. Else the declared charset (`declared`: the `charset` option or Content-Type's `charset=`, or a
 *    whole Content-Type). An unknown one is refused (400, `options.charset`), even when a BOM decides,
 *    so a typo is reported on every file. A file declared UTF-8 whose head is not UTF-8 is refused.
 * 3. Else the bytes: UTF-16 without a BOM (every other byte zero); valid UTF-8 (strictly checked by
 *    the WHATWG decoder, so overlong forms and surrogates are refused; a character cut by the end of
 *    the head is fine, unless `opts.whole` says the head is the whole file); else a Western
 *    single-byte encoding: windows-1252, or ISO-8859-15 when no byte is in 0x80-0x9F (where
 *    windows-1252 has "€", "œ", "’" and ISO-8859-15 only unused control codes) and one of A4, BC, BD
 *    is there ("€", "Œ", "œ" in ISO-8859-15; "¤", "¼", "½" in windows-1252).
 *
 * `iso-8859-1` is never the answer (its labels mean windows-1252, above); it stays a TextEncoding
 * for a caller that wants the real ISO-8859-1, C1 controls and all.
 *
 * chardet is not used for step 3: on French text it cannot tell windows-1252 from ISO-8859-15 (it
 * does not know the latter), it ties ISO-8859-1 with ISO-8859-2 on short lines such as "Aurélie
 * Châtelain", and it does not see UTF-16 without a BOM; the rules above are exact where it guesses,
 * and give the same answer every time.
 */
export function sniffEncoding(
  head: Uint8Array,
  declared?: string,
  opts: { whole?: boolean } = {},
): { encoding: TextEncoding; bom: number } {
  const whole = opts.whole === true;
  const label = declaredEncoding(declared);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) {
    if (head[2] === 0 && head[3] === 0) {
      throw validationError(
        [{ path: '(file)', message: 'The file is UTF-32, which is not read: save it as "CSV UTF-8"' }],
        'The file could not be read',
      );
    }
    return { encoding: 'utf-16le', bom: 2 };
  }
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (label === 'utf-16') return { encoding: utf16Order(head) ?? 'utf-16le', bom: 0 };
  if (label === 'utf-8' && !isUtf8(head, whole)) {
    throw validationError(
      [
        {
          path: 'options.charset',
          message: `The file is declared UTF-8 but is not (${utf8ErrorAt(head, 0)}): give the charset it was saved in, e.g. "charset": "windows-1252", or save it as "CSV UTF-8"`,
        },
      ],
      'The file could not be read',
    );
  }
  if (label) return { encoding: label, bom: 0 };
  const utf16 = utf16Order(head);
  if (utf16) return { encoding: utf16, bom: 0 };
  if (isUtf8(head, whole)) return { encoding: 'utf-8', bom: 0 };
  return { encoding: looksIso885915(head) ? 'iso-8859-15' : 'windows-1252', bom: 0 };
}

function declaredEncoding(declared: string | undefined): TextEncoding | 'utf-16' | undefined {
  if (declared === undefined) return undefined;
  const raw = /[/;=]/.test(declared) ? charsetFromContentType(declared) : declared;
  const name = raw?.trim().replace(/^"|"$/g, '').toLowerCase();
  if (!name || ASCII_LABELS.has(name)) return undefined;
  const encoding = LABELS[name];
  if (encoding) return encoding;
  const message = iconv.encodingExists(name)
    ? `The charset "${raw}" is not supported: use ${OFFERED} (e.g. "charset": "windows-1252"), or save the file as "CSV UTF-8"`
    : `Unknown charset "${raw}": use ${OFFERED} (e.g. "charset": "windows-1252")`;
  throw validationError([{ path: 'options.charset', message }]);
}

/** Strict UTF-8 (WHATWG); a multi-byte character cut at the end of `bytes` is allowed unless `whole`. */
function isUtf8(bytes: Uint8Array, whole = false): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the first invalid UTF-8 byte of `bytes` is, for a message: the smallest prefix the strict
 * decoder refuses (a longer prefix of an invalid one is invalid too, so a binary search finds it).
 * `start` skips continuation bytes that end a character begun in an earlier chunk.
 */
function firstInvalidUtf8(bytes: Uint8Array, start: number): number {
  let lo = start + 1;
  let hi = bytes.length;
  if (isUtf8(bytes.subarray(start))) return bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (isUtf8(bytes.subarray(start, mid))) lo = mid + 1;
    else hi = mid;
  }
  // bytes[lo - 1] made it invalid; the bad sequence may have begun a few bytes earlier ("E9 6C": é
  // in Windows-1252, then "l"), when what comes before it is not whole characters.
  let at = lo - 1;
  if (!isUtf8(bytes.subarray(start, at), true)) {
    while (at > start && lo - 1 - at < 3 && ((bytes[at - 1] ?? 0) & 0xc0) === 0x80) at--;
    if (at > start) at--;
  }
  return at;
}

/** "byte 1234 is E9, after "Aur"": what a person needs to find the first bad byte. */
function utf8ErrorAt(bytes: Uint8Array, offset: number, start = 0): string {
  const found = firstInvalidUtf8(bytes, start);
  // Valid from `start` on: the character begun in the previous chunk is the one at fault.
  const at = found < bytes.length ? found : start;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(Math.max(start, at - 24), at));
  const context = before.replace(/^\uFFFD+/, '').replace(/[\r\n]+/g, ' ');
  const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return `byte ${offset + at} is ${hex}${context ? `, after ${JSON.stringify(context)}` : ''}`;
}

/** UTF-16 text without a BOM: in ASCII-range text, one byte of every pair is zero. */
function utf16Order(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.min(256, head.length >> 1);
  if (pairs < 2) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZeros++;
    if (head[2 * i + 1] === 0) oddZeros++;
  }
  if (oddZeros >= pairs * 0.6 && evenZeros <= pairs * 0.1) return 'utf-16le';
  if (evenZeros >= pairs * 0.6 && oddZeros <= pairs * 0.1) return 'utf-16be';
  return undefined;
}

function looksIso885915(head: Uint8Array): boolean {
  let euro = false;
  for (const b of head) {
    if (b >= 0x80 && b <= 0x9f) return false;
    if (b === 0xa4 || b === 0xbc || b === 0xbd) euro = true;
  }
  return euro;
}

/** Signatures of the files people upload instead of a CSV. */
const SIGNATURES: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'an Excel workbook (.xlsx) or another zip file'],
  [[0x50, 0x4b, 0x05, 0x06], 'an Excel workbook (.xlsx) or another zip file'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an Excel 97-2003 workbook (.xls)'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'a PDF document'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x1f, 0x8b], 'a gzip file'],
];

/**
 * What kind of non-text file `head` starts, if it is one: a known signature (xlsx/zip, xls, PDF,
 * images, gzip), else "a binary file" when there is a NUL byte or more than 10% of control bytes
 * (other than tab, CR, LF and the Ctrl-Z DOS tills put at the end). UTF-16 text (with a BOM, or
 * with its zero bytes in every other position) is text.
 */
export function binaryKind(head: Uint8Array): string | undefined {
  for (const [signature, kind] of SIGNATURES) {
    if (signature.every((b, i) => head[i] === b)) return kind;
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || utf16Order(head)) {
    return undefined;
  }
  let controls = 0;
  for (const b of head) {
    if (b === 0) return 'a binary file';
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1a) || b === 0x7f) controls++;
  }
  return controls > head.length * 0.1 ? 'a binary file' : undefined;
}

/**
 * A binary file (xlsx/zip, xls, PDF, images…), not text: the caller refuses it, saying to save the
 * sheet as CSV. {@link binaryKind} names what it looks like, for that message.
 */
export function looksBinary(head: Uint8Array): boolean {
  return binaryKind(head) !== undefined;
}

export interface TextDecoderStream {
  /** The text of `chunk`; a character cut at its end comes with the next chunk. */
  write(chunk: Uint8Array): string;
  /** What is left; refuses a file that ends in the middle of a character. */
  end(): string;
}

/**
 * A streaming decoder: chunks of bytes in, text out, a multi-byte character split across two chunks
 * decoded once whole. A UTF-8 or UTF-16 BOM at the start of the file is dropped, whether or not the
 * caller skipped it. `opts.offset` is the byte offset in the file of the first chunk (the BOM's
 * length, or a checkpoint's offset when a job resumes): messages give offsets in the file.
 *
 * UTF-8 and UTF-16 use the runtime's WHATWG TextDecoder in fatal mode: iconv-lite's UTF-8 decoder
 * replaces invalid bytes with U+FFFD, which must never happen here. An invalid byte throws a 400
 * (`options.charset`) that says where it is and what to give instead.
 *
 * The single-byte encodings use iconv-lite (pure JavaScript, so the result never depends on the ICU
 * data a runtime was built with). Every one of their 256 bytes is a character, except five bytes
 * windows-1252 leaves undefined (81, 8D, 8F, 90, 9D), which iconv-lite decodes as U+FFFD: they are
 * decoded as the C1 controls U+0081… instead, as the WHATWG standard and Windows itself do. A
 * single-byte decoder gives one character per byte, so each U+FFFD is put back from its own byte.
 */
export function textDecoder(encoding: TextEncoding, opts: { offset?: number } = {}): TextDecoderStream {
  if (encoding === 'utf-8' || encoding === 'utf-16le' || encoding === 'utf-16be') {
    return unicodeDecoder(encoding, opts.offset ?? 0);
  }
  const decoder = iconv.getDecoder(encoding === 'iso-8859-1' ? 'latin1' : encoding);
  const restore = (text: string, bytes: Uint8Array) =>
    text.includes('\uFFFD')
      ? text.replace(/\uFFFD/g, (_, i: number) => String.fromCharCode(bytes[i] ?? 0xfffd))
      : text;
  return {
    // No byte of these encodings is U+FEFF: there is no BOM to drop.
    write: (chunk) =>
      restore(decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), chunk),
    end() {
      return decoder.end() ?? '';
    },
  };
}

function unicodeDecoder(encoding: 'utf-8' | 'utf-16le' | 'utf-16be', offset: number): TextDecoderStream {
  // A U+FEFF read after a resume in the middle of the file is text (a zero-width no-break space).
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: offset > 3 });
  const name = encoding === 'utf-8' ? 'UTF-8' : encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
  let consumed = offset;
  const fail = (detail: string) =>
    validationError(
      [
        {
          path: 'options.charset',
          message: `The file is not valid ${name} (${detail}): give the charset it was saved in, e.g. "charset": "windows-1252", or save it as "CSV UTF-8"`,
        },
      ],
      'The file could not be read',
    );
  return {
    write(chunk) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        consumed += chunk.byteLength;
        return text;
      } catch {
        if (encoding !== 'utf-8') throw fail(`near byte ${consumed}`);
        let start = 0;
        while (consumed > offset && start < 3 && ((chunk[start] ?? 0) & 0xc0) === 0x80) start++;
        throw fail(utf8ErrorAt(chunk, consumed, start));
      }
    },
    end() {
      try {
        return decoder.decode();
      } catch {
        throw fail(`it ends in the middle of a character, at byte ${consumed}`);
      }
    },
  };
}
