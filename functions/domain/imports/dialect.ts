/**
 * The column separator of a CSV file. French Excel writes ";" (the comma is the decimal mark there),
 * other tools "," or a tab, some till systems "|". csv-parse needs to be told which: it is found from
 * the first lines, the way Python's csv.Sniffer does it, but counting only outside quoted fields.
 */
export const SEPARATORS = [',', ';', '\t', '|'] as const;
export type Separator = (typeof SEPARATORS)[number];

/** On a tie, the French one first. */
const PREFERENCE: readonly Separator[] = [';', ',', '\t', '|'];

/** Lines read to decide: the header and a few rows. */
const SAMPLE_RECORDS = 25;

/**
 * How many times `separator` occurs outside quotes in each of the first records of `sample`. A
 * field is quoted when a double quote opens it (after optional spaces); inside, `""` is a quote and
 * separators and line breaks (LF, CRLF or CR) are text. Blank lines are skipped. The last record is
 * left out when the sample stops in the middle of it (no line break after it), unless it is the only
 * one: the sample is usually the start of a longer file.
 */
function separatorCounts(sample: string, separator: Separator): number[] {
  const counts: number[] = [];
  let count = 0;
  let inQuotes = false;
  let fieldStart = true;
  let content = false;
  let i = 0;
  while (i < sample.length && counts.length < SAMPLE_RECORDS) {
    const c = sample[i];
    if (inQuotes) {
      if (c === '"') {
        if (sample[i + 1] === '"') {
          i += 2;
          continue;
        }
        inQuotes = false;
      }
      i++;
      continue;
    }
    if (c === separator) {
      count++;
      fieldStart = true;
      content = true;
    } else if (c === '\n' || c === '\r') {
      if (content) counts.push(count);
      count = 0;
      fieldStart = true;
      content = false;
      if (c === '\r' && sample[i + 1] === '\n') i++;
    } else if (c === '"' && fieldStart) {
      inQuotes = true;
      fieldStart = false;
      content = true;
    } else if (!(fieldStart && c === ' ')) {
      fieldStart = false;
      content = true;
    }
    i++;
  }
  if (content && counts.length === 0 && !inQuotes) counts.push(count);
  return counts;
}

/**
 * The separator of a file from its first lines (`sample`: decoded text, the header and some rows;
 * it may stop in the middle of a line). The separator that occurs the same, non-zero number of times
 * on every line wins (the most columns on a tie, then ";" before ","); else the one whose count on
 * the header matches the most lines (a row with a missing or extra column does not hide it); "," when
 * nothing fits, as for a file of one column.
 */
export function detectSeparator(sample: string): Separator {
  return detect(sample) ?? ',';
}

function detect(sample: string): Separator | undefined {
  let best: { separator: Separator; share: number; columns: number } | undefined;
  for (const separator of PREFERENCE) {
    const counts = separatorCounts(sample, separator);
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const share = counts.filter((c) => c === header).length / counts.length;
    if (share < 0.5) continue;
    if (!best || share > best.share || (share === best.share && header > best.columns)) {
      best = { separator, share, columns: header };
    }
  }
  return best?.separator;
}

const shown = (separator: string) => `${JSON.stringify(separator)}${separator === '\t' ? ' (a tab)' : ''}`;

/**
 * When the header came out as a single column whose text holds another separator (the file was read
 * with the wrong one), the message that says which: `The header was read as one column: the file
 * seems separated by ";" (give "separator": ";" or let it be detected)`. Undefined otherwise.
 */
export function oneColumnHint(header: string[], sample: string): string | undefined {
  if (header.length !== 1) return undefined;
  const text = header[0] ?? '';
  const found = PREFERENCE.filter((s) => text.includes(s));
  if (found.length === 0) return undefined;
  const detected = detect(sample);
  const occurrences = (s: string) => text.split(s).length - 1;
  const separator =
    detected && found.includes(detected)
      ? detected
      : found.reduce((a, b) => (occurrences(b) > occurrences(a) ? b : a));
  return `The header was read as one column: the file seems separated by ${shown(separator)} (give "separator": ${JSON.stringify(separator)} or let it be detected)`;
}
