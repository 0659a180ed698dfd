import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../../../functions/domain/contacts/contact';
import { parseAmount } from '../../../../functions/domain/imports/amounts';
import { CONTACT_COLUMNS, matchHeader, RECEIPT_COLUMNS } from '../../../../functions/domain/imports/columns';
import { detectDateFormat, parseBirthDate, parseDate } from '../../../../functions/domain/imports/dates';
import { detectSeparator, oneColumnHint } from '../../../../functions/domain/imports/dialect';
import { looksBinary, sniffEncoding, textDecoder } from '../../../../functions/domain/imports/text';

/** What the import job does with a file's bytes, chunk by chunk, up to csv-parse's records. */
function read(file: Uint8Array, chunkSize: number, declared?: string) {
  const head = file.subarray(0, 64 * 1024);
  expect(looksBinary(head)).toBe(false);
  const { encoding, bom } = sniffEncoding(head, declared, { whole: file.length <= head.length });
  const decoder = textDecoder(encoding);
  let text = '';
  for (let i = bom; i < file.length; i += chunkSize) text += decoder.write(file.subarray(i, i + chunkSize));
  text += decoder.end();
  const separator = detectSeparator(text.slice(0, 4096));
  const records: string[][] = parse(text, {
    delimiter: separator,
    skip_empty_lines: true,
    relax_column_count: true,
  });
  return { encoding, separator, records };
}

describe('reading French files with the import building blocks', () => {
  it('reads an Excel "CSV UTF-8" contacts file: BOM, CRLF, semicolons, a quoted newline and separator', () => {
    const csv =
      'Prénom;Nom;Adresse e-mail;Tél. portable;Date de naissance;Newsletter;Note\r\n' +
      'Aurélie;Châtelain;aurelie@example.fr;06 12 34 56 78;14/03/1985;oui;"Cliente fidèle; préfère\r\nle samedi"\r\n' +
      'Zoé;Lœuvre;zoe@example.fr;0690 00 12 34;02/11/92;non;\r\n';
    const file = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(csv)]);
    const { encoding, separator, records } = read(file, 7);
    expect(encoding).toBe('utf-8');
    expect(separator).toBe(';');
    expect(records).toHaveLength(3);
    expect(records[1]?.[6]).toBe('Cliente fidèle; préfère\r\nle samedi');

    const { cells, issues } = matchHeader(records[0] ?? [], CONTACT_COLUMNS, {
      attributes: true,
      mapping: { Note: 'ignore' },
    });
    expect(issues).toEqual([]);
    expect(cells.map((c) => (c.kind === 'field' ? c.field : c.kind))).toEqual([
      'firstName',
      'lastName',
      'email',
      'phone',
      'birthDate',
      'email_consent',
      'ignored',
    ]);

    const births = records.slice(1).map((r) => r[4] ?? '');
    const format = detectDateFormat(births);
    expect(format).toBe('dmy');
    const now = new Date('2025-06-01T00:00:00Z');
    expect(births.map((b) => parseBirthDate(b, format ?? 'dmy', now))).toEqual([
      { date: '1985-03-14' },
      { date: '1992-11-02' },
    ]);
    expect(records.slice(1).map((r) => normalisePhone(r[3] ?? '', 'FR'))).toEqual([
      '+33612345678',
      '+590690001234',
    ]);
  });

  it('reads a Windows-1252 till export ("Aurélie Châtelain", "€") with decimal commas', () => {
    const csv =
      'N° ticket;Magasin;Date;Heure;Montant TTC;Client\r\n' +
      'T-0001;paris-11;14/03/2025;09:30;12,50 €;Aurélie Châtelain\r\n' +
      'T-0002;paris-11;30/03/2025;15:05;1 234,56 €;François\r\n';
    const file = new Uint8Array(iconv.encode(csv, 'windows-1252'));
    const { encoding, separator, records } = read(file, 5);
    expect(encoding).toBe('windows-1252');
    expect(separator).toBe(';');
    expect(records[1]).toEqual(['T-0001', 'paris-11', '14/03/2025', '09:30', '12,50 €', 'Aurélie Châtelain']);

    const { cells, issues } = matchHeader(records[0] ?? [], RECEIPT_COLUMNS, {
      mapping: { Client: 'ignore' },
    });
    expect(issues).toEqual([]);
    expect(cells.map((c) => (c.kind === 'field' ? c.field : c.kind))).toEqual([
      'receiptRef',
      'storeId',
      'at',
      'time',
      'amount',
      'ignored',
    ]);
    const rows = records.slice(1);
    const format = detectDateFormat(rows.map((r) => r[2] ?? ''));
    expect(rows.map((r) => parseDate(`${r[2]} ${r[3]}`, format ?? 'dmy', 'Europe/Paris'))).toEqual([
      { at: '2025-03-14T08:30:00.000Z' },
      { at: '2025-03-30T13:05:00.000Z' },
    ]);
    expect(rows.map((r) => parseAmount(r[4] ?? ''))).toEqual([{ amount: 12.5 }, { amount: 1234.56 }]);
  });

  it('explains a header read as one column when the separator given is wrong', () => {
    const text = 'email;prénom\r\na@example.fr;Zoé\r\n';
    const records: string[][] = parse(text, { delimiter: ',' });
    expect(oneColumnHint(records[0] ?? [], text)).toBe(
      'The header was read as one column: the file seems separated by ";" (give "separator": ";" or let it be detected)',
    );
  });
});
