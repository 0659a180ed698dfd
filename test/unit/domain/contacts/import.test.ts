import { describe, expect, it } from 'vitest';
import { upsertContact } from '../../../../functions/domain/contacts/customer-file';
import {
  type ImportOptions,
  importContacts,
  parseHeader,
  rowToInput,
} from '../../../../functions/domain/contacts/import';
import { AppError } from '../../../../functions/domain/shared/errors';
import { type FakeDeps, fakeDeps } from '../../../support/fakes';

const NOW = new Date('2025-03-10T09:00:00.000Z');

function headerError(header: string[]): AppError {
  try {
    parseHeader(header);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`parseHeader accepted ${JSON.stringify(header)}`);
}

const row = (header: string[], record: string[]) => rowToInput(parseHeader(header), record, NOW);

describe('parseHeader', () => {
  it('matches known columns ignoring case, "_", "-" and spaces', () => {
    expect(
      parseHeader(['EMAIL', 'first_name', 'LastName', 'Home Store Id', 'e-mail consent', 'SMS_CONSENT_AT']),
    ).toEqual([
      { kind: 'column', column: 'email' },
      { kind: 'column', column: 'firstName' },
      { kind: 'column', column: 'lastName' },
      { kind: 'column', column: 'homeStoreId' },
      { kind: 'column', column: 'email_consent' },
      { kind: 'column', column: 'sms_consent_at' },
    ]);
  });

  it('treats FirstName, first_name and firstname as the same column', () => {
    for (const h of ['FirstName', 'first_name', 'firstname', ' First Name ']) {
      expect(parseHeader(['phone', h])[1]).toEqual({ kind: 'column', column: 'firstName' });
    }
  });

  it('reads typed attribute columns, string by default', () => {
    expect(
      parseHeader([
        'email',
        'attr.city',
        'attr.age:number',
        'Attribute.vip:Boolean',
        'attributes.note:string',
      ]),
    ).toEqual([
      { kind: 'column', column: 'email' },
      { kind: 'attribute', name: 'city', type: 'string' },
      { kind: 'attribute', name: 'age', type: 'number' },
      { kind: 'attribute', name: 'vip', type: 'boolean' },
      { kind: 'attribute', name: 'note', type: 'string' },
    ]);
  });

  it('refuses an unknown column with a 400 naming header.<column>', () => {
    const err = headerError(['email', 'shoe_size']);
    expect(err.status).toBe(400);
    expect(err.issues.map((i) => i.path)).toContain('header.shoe_size');
    expect(err.issues.find((i) => i.path === 'header.shoe_size')?.message).toMatch(/^Unknown column/);
  });

  it('reports only the unknown column, not a phantom duplicate email', () => {
    // An unknown column must not count as a second "email" column.
    expect(headerError(['email', 'shoe_size']).issues.map((i) => i.path)).toEqual(['header.shoe_size']);
    expect(headerError(['phone', 'foo', 'bar']).issues.map((i) => i.path)).toEqual([
      'header.foo',
      'header.bar',
    ]);
  });

  it('still says the email or phone column is missing when the other columns are unknown', () => {
    expect(headerError(['firstName', 'mail']).issues.map((i) => i.path)).toEqual(['header.mail', 'header']);
  });

  it('refuses an attribute with an unknown type or a bad name', () => {
    expect(headerError(['email', 'attr.age:date']).issues.map((i) => i.path)).toEqual([
      'header.attr.age:date',
    ]);
    expect(headerError(['email', 'attr.bad-name']).issues.map((i) => i.path)).toEqual([
      'header.attr.bad-name',
    ]);
  });

  it('names an empty header cell', () => {
    expect(headerError(['email', '']).issues.map((i) => i.path)).toContain('header.(empty)');
  });

  it('refuses a column given twice, even spelt differently', () => {
    const err = headerError(['email', 'first_name', 'FirstName']);
    expect(err.issues).toEqual([{ path: 'header.firstName', message: 'Column given twice' }]);
  });

  it('refuses an attribute column given twice', () => {
    const err = headerError(['email', 'attr.age:number', 'attr.age']);
    expect(err.status).toBe(400);
    expect(err.issues.map((i) => i.path)).toEqual(['header.attr.age']);
  });

  it('refuses a header without an email or a phone column', () => {
    const err = headerError(['firstName', 'lastName']);
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([{ path: 'header', message: 'The header needs an email or a phone column' }]);
  });

  it('accepts a phone column alone', () => {
    expect(parseHeader(['Phone'])).toEqual([{ kind: 'column', column: 'phone' }]);
  });
});

describe('rowToInput', () => {
  it('omits empty and blank cells', () => {
    const { input, errors } = row(
      ['email', 'firstName', 'lastName', 'tags', 'attr.city'],
      ['a@x.fr', '', '  ', '', ''],
    );
    expect(input).toEqual({ email: 'a@x.fr' });
    expect(errors).toEqual([]);
  });

  it('trims cells', () => {
    expect(row(['email', 'firstName'], ['  a@x.fr ', ' Ann ']).input).toEqual({
      email: 'a@x.fr',
      firstName: 'Ann',
    });
  });

  it('omits cells missing at the end of a short record', () => {
    expect(row(['email', 'firstName'], ['a@x.fr']).input).toEqual({ email: 'a@x.fr' });
  });

  it('splits tags on | and ;, dropping empty ones', () => {
    expect(row(['email', 'tags'], ['a@x.fr', 'vip| newsletter ;;paris|']).input.tags).toEqual([
      'vip',
      'newsletter',
      'paris',
    ]);
  });

  it.each([
    ['yes', 'granted'],
    ['YES', 'granted'],
    ['oui', 'granted'],
    ['granted', 'granted'],
    ['true', 'granted'],
    ['1', 'granted'],
    ['no', 'denied'],
    ['Non', 'denied'],
    ['denied', 'denied'],
    ['false', 'denied'],
    ['0', 'denied'],
  ])('reads the consent word %j as %s', (word, status) => {
    const { input, errors } = row(['email', 'email_consent'], ['a@x.fr', word]);
    expect(errors).toEqual([]);
    expect(input.consent).toEqual({ email: { status, source: 'import', at: NOW.toISOString() } });
  });

  it('reports an unknown consent word at its column', () => {
    const { input, errors } = row(['email', 'sms_consent'], ['a@x.fr', 'maybe']);
    expect(errors).toEqual([{ path: 'sms_consent', message: '"maybe" is not granted or denied' }]);
    expect(input).not.toHaveProperty('consent');
  });

  it('uses the given consent source and date, normalised to ISO', () => {
    const { input } = row(
      ['phone', 'sms_consent', 'sms_consent_source', 'sms_consent_at'],
      ['0612345678', 'oui', 'till', '2025-01-02T10:00:00+01:00'],
    );
    expect(input.consent).toEqual({
      sms: { status: 'granted', source: 'till', at: '2025-01-02T09:00:00.000Z' },
    });
  });

  it('passes an unreadable consent date through, for the schema to refuse', () => {
    const { input } = row(['email', 'email_consent', 'email_consent_at'], ['a@x.fr', 'yes', 'yesterday']);
    expect(input.consent).toEqual({ email: { status: 'granted', source: 'import', at: 'yesterday' } });
  });

  it('types attributes', () => {
    const { input, errors } = row(
      ['email', 'attr.city', 'attr.age:number', 'attr.spent:number', 'attr.vip:boolean', 'attr.club:boolean'],
      ['a@x.fr', 'Lyon', '42', '12,5', 'oui', 'false'],
    );
    expect(errors).toEqual([]);
    expect(input.attributes).toEqual({ city: 'Lyon', age: 42, spent: 12.5, vip: true, club: false });
  });

  it('names attr.<name> when a typed attribute cannot be read', () => {
    const { errors } = row(['email', 'attr.age:number', 'attr.vip:boolean'], ['a@x.fr', 'forty', 'perhaps']);
    expect(errors).toEqual([
      { path: 'attr.age', message: '"forty" is not a number' },
      { path: 'attr.vip', message: '"perhaps" is not true or false' },
    ]);
  });
});

const opts = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  defaultCountry: 'FR',
  now: () => NOW,
  ...over,
});

async function importError(deps: FakeDeps, csv: string): Promise<AppError> {
  try {
    await importContacts(deps, csv, opts());
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the import succeeded');
}

async function byEmail(deps: FakeDeps, email: string) {
  const id = await deps.contacts.ownerOf('email', email);
  return id ? deps.contacts.get(id) : undefined;
}

describe('importContacts', () => {
  it('imports good lines, reports a bad line with its file line number, and carries on', async () => {
    const deps = fakeDeps(['paris']);
    const csv = [
      'email,firstName,homeStoreId', // line 1
      'ann@example.com,Ann,paris', // line 2
      'not-an-email,Bob,', // line 3
      'cy@example.com,Cy,', // line 4
    ].join('\n');
    const result = await importContacts(deps, csv, opts());
    expect(result).toEqual({
      created: 2,
      updated: 0,
      rejected: [{ line: 3, errors: [{ path: 'email', message: 'Invalid email address' }] }],
    });
    expect(await byEmail(deps, 'ann@example.com')).toMatchObject({ firstName: 'Ann', homeStoreId: 'paris' });
    expect(await byEmail(deps, 'cy@example.com')).toMatchObject({ firstName: 'Cy' });
    expect(deps.contacts.items.size).toBe(2);
  });

  it('reports a row with the wrong number of columns and imports the rest', async () => {
    const deps = fakeDeps();
    const csv =
      'email,firstName,lastName\na@x.fr,Ann,Martin\nb@x.fr,Bob\nc@x.fr,Cy,Durand,extra\nd@x.fr,Di,Roux\n';
    const result = await importContacts(deps, csv, opts());
    expect(result.created).toBe(2);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4]);
    for (const r of result.rejected) expect(r.errors[0]?.path).toBe('(line)');
    expect(deps.contacts.items.size).toBe(2);
  });

  it('counts lines as they are in the file, blank lines and multi-line cells included', async () => {
    const deps = fakeDeps();
    const csv = [
      'email,lastName', // 1
      'a@x.fr,Martin', // 2
      '', // 3
      'b@x.fr,"Durand', // 4
      'de la Tour"', // 5
      'bad,Roux', // 6
    ].join('\n');
    const result = await importContacts(deps, csv, opts());
    expect(result.created).toBe(2);
    expect(result.rejected).toEqual([
      { line: 6, errors: [{ path: 'email', message: 'Invalid email address' }] },
    ]);
    expect((await byEmail(deps, 'b@x.fr'))?.lastName).toBe('Durand\nde la Tour');
  });

  it('reports a bad multi-line record at the line where it starts', async () => {
    const deps = fakeDeps();
    const csv = ['email,lastName', 'not-an-email,"Durand', 'de la Tour"', 'ok@x.fr,Roux'].join('\n');
    const result = await importContacts(deps, csv, opts());
    expect(result.created).toBe(1);
    expect(result.rejected.map((r) => r.line)).toEqual([2]);
  });

  it('does not read a day-first date such as 01/02/2025 as the 2nd of January', async () => {
    const deps = fakeDeps();
    const csv = 'email,email_consent,email_consent_at\na@x.fr,oui,01/02/2025\n';
    const result = await importContacts(deps, csv, opts());
    const at = (await byEmail(deps, 'a@x.fr'))?.consent.email?.at;
    // Either refused at its column, or read the French way (1 February); never silently 2 January.
    if (result.rejected.length > 0) {
      expect(result.rejected).toEqual([
        { line: 2, errors: [{ path: 'email_consent_at', message: expect.any(String) }] },
      ]);
    } else {
      expect(at?.slice(0, 10)).toBe('2025-02-01');
    }
  });

  it('reads CRLF files with a byte-order mark', async () => {
    const deps = fakeDeps();
    const result = await importContacts(
      deps,
      '\uFEFFEmail,First_Name\r\na@x.fr,Ann\r\nb@x.fr,Bob\r\n',
      opts(),
    );
    expect(result).toEqual({ created: 2, updated: 0, rejected: [] });
    expect((await byEmail(deps, 'a@x.fr'))?.firstName).toBe('Ann');
  });

  it('keeps one contact with the last row when an email appears twice', async () => {
    const deps = fakeDeps(['paris', 'lyon']);
    const csv = [
      'email,firstName,homeStoreId,tags',
      'ann@example.com,Ann,paris,first',
      'other@example.com,Other,,',
      'ANN@example.com,Anna,lyon,second',
    ].join('\n');
    const result = await importContacts(deps, csv, opts());
    expect(result).toEqual({ created: 2, updated: 1, rejected: [] });
    expect(deps.contacts.items.size).toBe(2);
    expect(await byEmail(deps, 'ann@example.com')).toMatchObject({
      firstName: 'Anna',
      homeStoreId: 'lyon',
      tags: ['second'],
    });
  });

  it('applies repeated rows in file order across batches and with concurrency', async () => {
    const deps = fakeDeps();
    const lines = ['email,phone,firstName'];
    for (let i = 1; i <= 12; i++) lines.push(`a@x.fr,,v${i}`, `u${i}@x.fr,,u${i}`);
    // The same phone written two ways is the same identifier.
    lines.push('p@x.fr,06 12 34 56 78,first', 'p@x.fr,+33612345678,last');
    const progress: number[] = [];
    const result = await importContacts(
      deps,
      lines.join('\n'),
      opts({ batchSize: 5, concurrency: 4, onProgress: (n) => progress.push(n) }),
    );
    expect(result).toEqual({ created: 14, updated: 12, rejected: [] });
    expect((await byEmail(deps, 'a@x.fr'))?.firstName).toBe('v12');
    expect((await byEmail(deps, 'p@x.fr'))?.firstName).toBe('last');
    expect(deps.contacts.items.size).toBe(14);
    expect(progress.at(-1)).toBe(26);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('applies two rows naming the same contact by different identifiers, in file order', async () => {
    const deps = fakeDeps();
    await upsertContact(deps, { email: 'ann@example.com', phone: '+33612345678' });
    const csv = ['email,phone,firstName,lastName', 'ann@example.com,,Ann,', ',06 12 34 56 78,,Martin'].join(
      '\n',
    );
    const result = await importContacts(deps, csv, opts());
    expect(result).toEqual({ created: 0, updated: 2, rejected: [] });
    expect(deps.contacts.items.size).toBe(1);
    // Neither row's change may be lost.
    expect(await byEmail(deps, 'ann@example.com')).toMatchObject({ firstName: 'Ann', lastName: 'Martin' });
  });

  it('rejects a line whose homeStoreId is unknown, with path homeStoreId', async () => {
    const deps = fakeDeps(['paris']);
    const result = await importContacts(deps, 'email,homeStoreId\na@x.fr,paris\nb@x.fr,nowhere\n', opts());
    expect(result.created).toBe(1);
    expect(result.rejected).toEqual([
      { line: 3, errors: [{ path: 'homeStoreId', message: 'Unknown store "nowhere"' }] },
    ]);
    expect(await byEmail(deps, 'b@x.fr')).toBeUndefined();
  });

  it('maps schema paths back to CSV columns', async () => {
    const deps = fakeDeps();
    const csv = [
      'email,email_consent,email_consent_at,attr.age:number,locale',
      'a@x.fr,yes,yesterday,,',
      'b@x.fr,,,abc,',
      'c@x.fr,maybe,,,french',
    ].join('\n');
    const result = await importContacts(deps, csv, opts());
    expect(result.created).toBe(0);
    expect(result.rejected).toEqual([
      { line: 2, errors: [{ path: 'email_consent_at', message: expect.any(String) }] },
      { line: 3, errors: [{ path: 'attr.age', message: '"abc" is not a number' }] },
      {
        line: 4,
        errors: [
          { path: 'email_consent', message: '"maybe" is not granted or denied' },
          { path: 'locale', message: expect.any(String) },
        ],
      },
    ]);
  });

  it('rejects a row with neither email nor phone', async () => {
    const result = await importContacts(fakeDeps(), 'email,phone,firstName\n,,Ann\n', opts());
    expect(result.rejected).toEqual([
      { line: 2, errors: [{ path: 'email', message: 'A contact needs an email or a phone' }] },
    ]);
  });

  it('gives a contact a phone another contact has, keeping both (a shared phone)', async () => {
    const deps = fakeDeps();
    const a = await upsertContact(deps, { email: 'a@x.fr' });
    const b = await upsertContact(deps, { phone: '+33612345678', firstName: 'Bea' });
    const result = await importContacts(deps, 'email,phone\na@x.fr,0612345678\nb@x.fr,\n', opts());
    expect(result).toEqual({ created: 1, updated: 1, rejected: [] });
    expect(await deps.contacts.get(a.contact.id)).toMatchObject({ email: 'a@x.fr', phone: '+33612345678' });
    expect(await deps.contacts.get(b.contact.id)).toMatchObject({ phone: '+33612345678', firstName: 'Bea' });
  });

  it('updates existing contacts and keeps what the file does not say', async () => {
    const deps = fakeDeps();
    await upsertContact(deps, { email: 'a@x.fr', firstName: 'Ann', lastName: 'Martin' });
    const result = await importContacts(deps, 'email,lastName\na@x.fr,Durand\n', opts());
    expect(result).toEqual({ created: 0, updated: 1, rejected: [] });
    expect(await byEmail(deps, 'a@x.fr')).toMatchObject({ firstName: 'Ann', lastName: 'Durand' });
  });

  it('cannot re-subscribe a suppressed address', async () => {
    const deps = fakeDeps();
    await deps.suppression.suppress({ email: 'gone@x.fr' }, 'unsubscribed');
    await importContacts(deps, 'email,email_consent\ngone@x.fr,yes\n', opts());
    expect(await byEmail(deps, 'gone@x.fr')).toMatchObject({
      suppressed: ['email'],
      consent: { email: { status: 'denied' } },
    });
  });

  it('answers 400 for an empty body', async () => {
    for (const body of ['', '  \n\n ']) {
      const err = await importError(fakeDeps(), body);
      expect(err.status).toBe(400);
      expect(err.issues).toEqual([{ path: '(body)', message: 'The CSV body is empty' }]);
    }
  });

  it('answers 400 for a bad header and imports nothing', async () => {
    const deps = fakeDeps();
    const err = await importError(deps, 'email,colour\na@x.fr,red\n');
    expect(err.status).toBe(400);
    expect(err.issues.map((i) => i.path)).toContain('header.colour');
    expect(deps.contacts.items.size).toBe(0);
  });

  it('imports nothing from a header-only file', async () => {
    const deps = fakeDeps();
    expect(await importContacts(deps, 'email,firstName\n', opts())).toEqual({
      created: 0,
      updated: 0,
      rejected: [],
    });
    expect(await importContacts(deps, 'email', opts())).toEqual({ created: 0, updated: 0, rejected: [] });
    expect(deps.contacts.items.size).toBe(0);
  });

  it('reports an unclosed quote as a rejected line', async () => {
    const deps = fakeDeps();
    const result = await importContacts(deps, 'email,firstName\na@x.fr,Ann\n"b@x.fr,Bob\n', opts());
    expect(result.created).toBe(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.line).toBeGreaterThanOrEqual(3);
  });
});
