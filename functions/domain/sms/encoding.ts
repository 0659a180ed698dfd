/**
 * How an SMS text will be encoded and how many parts it is billed as.
 *
 * A text made only of GSM 03.38 characters is sent in GSM-7: 160 septets in one message. Any other
 * character, even one typographic apostrophe, switches the whole text to UCS-2: 70 UTF-16 code
 * units in one message. Longer texts are sent as concatenated parts whose header (UDH) takes room,
 * leaving 153 septets or 67 units a part. The marketer pays per part, so the editor shows this count
 * and names the characters that forced UCS-2 so they can be replaced (`’` → `'`, `ê` → `e`…).
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSize {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (an extension-table character counts 2), UTF-16 code units for UCS-2. */
  units: number;
  /**
   * Number of SMS parts billed: 1 when units fit one message, else ceil(units / perPart) — or more when
   * an extension character or a surrogate pair would straddle a part boundary and starts the next part.
   */
  segments: number;
  /** Units per part in this message: 160/153 for GSM-7, 70/67 for UCS-2. */
  perSegment: number;
  /** Units left before one more segment is needed. */
  remaining: number;
  /** The distinct characters that forced UCS-2 (empty for GSM-7), in order of appearance: tell the marketer what to replace. */
  nonGsmCharacters: string[];
}

/**
 * The GSM 03.38 basic character set, one septet each (the escape code 0x1B is left out: it is not a
 * character of its own). Note what French needs: é è à ù are here, but ê â î ô û ë ï ç œ are not —
 * only the capital Ç is.
 */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The GSM 03.38 extension table: each is sent as escape + character, so it costs 2 septets. */
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

/**
 * Encoding, size and number of parts of an SMS text.
 *
 * Parts are counted by packing whole characters into them rather than by dividing the total: a
 * carrier does not split an extension character (2 septets) or a surrogate pair (2 units, e.g. an
 * emoji) across two parts, so such a character that would straddle a boundary starts the next part,
 * and the text may need one part more than `ceil(units / perSegment)`.
 *
 * The empty text is 0 units and 0 segments (nothing is sent), with the full 160 septets remaining.
 * `remaining` is the room left in the last part; when it is 1 in GSM-7, an extension character
 * would still need a new part.
 */
export function smsSize(text: string): SmsSize {
  // Iterating a string yields code points, so a surrogate pair stays one character.
  const characters = [...text];
  const nonGsm = new Set(characters.filter((c) => !GSM_BASIC.has(c) && !GSM_EXTENSION.has(c)));
  const encoding: SmsEncoding = nonGsm.size === 0 ? 'GSM-7' : 'UCS-2';
  const cost = (c: string): number => (encoding === 'UCS-2' ? c.length : GSM_EXTENSION.has(c) ? 2 : 1);

  const units = characters.reduce((sum, c) => sum + cost(c), 0);
  const limits = LIMITS[encoding];
  const nonGsmCharacters = [...nonGsm];

  if (units <= limits.single) {
    return {
      encoding,
      units,
      segments: units === 0 ? 0 : 1,
      perSegment: limits.single,
      remaining: limits.single - units,
      nonGsmCharacters,
    };
  }

  let segments = 1;
  let used = 0;
  for (const c of characters) {
    const size = cost(c);
    if (used + size > limits.part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return {
    encoding,
    units,
    segments,
    perSegment: limits.part,
    remaining: limits.part - used,
    nonGsmCharacters,
  };
}
