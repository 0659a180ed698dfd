import { describe, expect, it } from 'vitest';
import { detectSeparator, oneColumnHint, SEPARATORS } from '../../../../functions/domain/imports/dialect';

describe('detectSeparator', () => {
  it('finds ";" in a French Excel file whose amounts have decimal commas', () => {
    const sample = [
      'Prénom;Nom;E-mail;Montant',
      'Aurélie;Châtelain;aurelie@example.fr;12,50',
      'François;Lœuvre;francois@example.fr;1 234,56',
      '',
    ].join('\r\n');
    expect(detectSeparator(sample)).toBe(';');
  });

  it.each([
    [',', 'email,first_name,last_name\nalice@example.com,Alice,Martin\nbob@example.com,Bob,Durand\n'],
    ['\t', 'email\tprénom\tnom\r\nalice@example.com\tAlice\tMartin\r\n'],
    ['|', 'ticket|magasin|montant\nT-1|paris-11|12.50\nT-2|lyon-2|3.00\n'],
  ])('finds %j', (separator, sample) => {
    expect(detectSeparator(sample)).toBe(separator);
  });

  it('ignores separators and line breaks inside quoted fields', () => {
    const sample =
      'email,nom,adresse,note\r\n' +
      'a@example.fr,"Dupont; Jean","12 rue Oberkampf\r\n75011 Paris","dit ""oui""; rappeler"\r\n' +
      'b@example.fr,Martin,"3 place Bellecour; 69002 Lyon",\r\n';
    expect(detectSeparator(sample)).toBe(',');
  });

  it('ignores commas and newlines quoted in a semicolon file', () => {
    const sample =
      'Nom;Adresse;Montant\r\n' +
      '"Châtelain, Aurélie";"1, rue de la Paix\n75002 Paris";12,50\r\n' +
      'Martin;"2, avenue Foch";3,00\r\n';
    expect(detectSeparator(sample)).toBe(';');
  });

  it('reads a header alone', () => {
    expect(detectSeparator('email;prénom;nom')).toBe(';');
    expect(detectSeparator('email\tprénom')).toBe('\t');
  });

  it('leaves out a last line cut in the middle', () => {
    // The sample stops inside a quoted field: its commas are not counted.
    const sample = 'email;nom;note\na@example.fr;Dupont;x\nb@example.fr;Martin;"un, deux, trois, quatre';
    expect(detectSeparator(sample)).toBe(';');
  });

  it('still finds the separator when a row has a missing or an extra column', () => {
    const sample =
      'email;nom;ville\na@example.fr;Dupont;Paris\nb@example.fr;Martin\nc@example.fr;Durand;Lyon;\n';
    expect(detectSeparator(sample)).toBe(';');
  });

  it('reads old Mac line endings (CR alone)', () => {
    expect(detectSeparator('email;nom\r1@example.fr;A\r2@example.fr;B\r')).toBe(';');
  });

  it('prefers the separator that gives more columns when two are consistent', () => {
    expect(detectSeparator('a,b;c,d\n1,2;3,4\n')).toBe(',');
  });

  it('prefers ";" to "," on a tie', () => {
    expect(detectSeparator('a;b,c\n1;2,3\n')).toBe(';');
  });

  it('says "," when nothing fits: a one-column file, or an empty sample', () => {
    expect(detectSeparator('email\na@example.fr\nb@example.fr\n')).toBe(',');
    expect(detectSeparator('')).toBe(',');
  });

  it('only ever answers one of SEPARATORS', () => {
    expect(SEPARATORS).toContain(detectSeparator('a b c\n1 2 3\n'));
  });
});

describe('oneColumnHint', () => {
  const sample = 'email;prénom;nom\r\na@example.fr;Aurélie;Châtelain\r\n';

  it('names the separator when the header came out as one column holding another one', () => {
    expect(oneColumnHint(['email;prénom;nom'], sample)).toBe(
      'The header was read as one column: the file seems separated by ";" (give "separator": ";" or let it be detected)',
    );
  });

  it('names a tab as such', () => {
    expect(oneColumnHint(['email\tprénom'], 'email\tprénom\na@example.fr\tZoé\n')).toBe(
      'The header was read as one column: the file seems separated by "\\t" (a tab) (give "separator": "\\t" or let it be detected)',
    );
  });

  it('takes the separator found most in the header when detection does not help', () => {
    expect(oneColumnHint(['"a|b|c,d"'], '"a|b|c,d"\n')).toContain('separated by "|"');
  });

  it('says nothing for a header of several columns, or one column without a separator', () => {
    expect(oneColumnHint(['email', 'nom'], sample)).toBeUndefined();
    expect(oneColumnHint(['email'], 'email\na@example.fr\n')).toBeUndefined();
  });
});
