/**
 * Real retail files in, through the local stack's job path: a file PUT to the presigned URL of a
 * real S3 emulator, read in chunks by the import worker. Files as French Excel and tills save them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleStore, startTestStack, type TestStack, waitFor } from './helpers';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/paris-11', { json: sampleStore({ name: 'Paris Oberkampf' }) });
  await s.call('PUT', '/v1/stores/lyon-2', { json: sampleStore({ name: 'Lyon Presqu’île', city: 'Lyon' }) });
});
afterAll(() => s?.stop());

/** Creates a job, uploads the bytes to its URL, and waits for it to end. */
async function runImport(
  kind: 'contacts' | 'receipts',
  bytes: Uint8Array,
  options: Record<string, unknown> = {},
) {
  const created = await s.call('POST', '/v1/imports', { json: { kind, options } });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('waiting_upload');
  const put = await fetch(created.body.uploadUrl, { method: 'PUT', body: bytes });
  expect(put.status).toBe(200);
  return waitFor(
    async () => {
      const job = (await s.call('GET', `/v1/imports/${created.body.id}`)).body;
      return job.status === 'done' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    'the import to end',
  );
}

const frenchExcel = (rows: string[]) =>
  Buffer.from(
    `\uFEFF${['Prénom;Nom;E-mail;Téléphone;Magasin;Consentement e-mail;Date de naissance;N° carte de fidélité', ...rows].join('\r\n')}\r\n`,
  );

describe('customer files as shops export them', () => {
  it('imports a French Excel file: semicolons, BOM, CRLF, French columns and dates, oui/non', async () => {
    const job = await runImport(
      'contacts',
      frenchExcel([
        'Aurélie;Châtelain;aurelie@example.fr;06 12 34 56 78;paris-11;oui;14/03/1985;C-0001',
        'Jean-Luc;Lefèvre;jl@example.fr;0690 12 34 56;lyon-2;non;02/11/1970;C-0002',
        '"Marie ""Mimi""";Durand;mimi@example.fr;pas un numéro;paris-11;oui;;C-0003',
      ]),
    );
    expect(job).toMatchObject({ status: 'done', counts: { read: 3, created: 3, rejected: 0, warnings: 1 } });
    expect(job.dialect).toMatchObject({ encoding: 'utf-8', separator: ';', dateFormat: 'dmy' });
    expect(job.warnings[0]).toMatchObject({ line: 4, message: expect.stringContaining('phone') });
    const a = (await s.call('GET', '/v1/contacts?customerRef=C-0001')).body;
    expect(a).toMatchObject({
      firstName: 'Aurélie',
      lastName: 'Châtelain',
      phone: '+33612345678',
      homeStoreId: 'paris-11',
      birthDate: '1985-03-14',
      consent: { email: { status: 'granted' } },
    });
    expect((await s.call('GET', '/v1/contacts?email=jl%40example.fr')).body).toMatchObject({
      phone: '+590690123456',
      consent: { email: { status: 'denied' } },
    });
    const mimi = (await s.call('GET', '/v1/contacts?email=mimi%40example.fr')).body;
    expect(mimi.firstName).toBe('Marie "Mimi"');
    expect(mimi.phone).toBeUndefined();
  });

  it('reads a Windows-1252 file without a single replacement character', async () => {
    const latin = Buffer.from(
      'Prénom;Nom;Courriel\r\nAurélie;Châtelain;aurelie.1252@example.fr\r\nFrançois;Œuvré;francois@example.fr\r\n',
      'latin1',
    );
    // latin1 cannot write Œ: put the windows-1252 byte for it by hand.
    const bytes = Buffer.from(latin.toString('latin1').replace('Œ', '\u008c'), 'latin1');
    const job = await runImport('contacts', bytes);
    expect(job).toMatchObject({
      status: 'done',
      counts: { created: 2 },
      dialect: { encoding: 'windows-1252' },
    });
    const c = (await s.call('GET', '/v1/contacts?email=aurelie.1252%40example.fr')).body;
    expect(c).toMatchObject({ firstName: 'Aurélie', lastName: 'Châtelain' });
    expect(
      JSON.stringify((await s.call('GET', '/v1/contacts?email=francois%40example.fr')).body),
    ).not.toContain('\uFFFD');
  });

  it('refuses a header read as one column, naming the separator it probably uses', async () => {
    const job = await runImport('contacts', Buffer.from('Prénom;Nom;E-mail\r\nA;B;a@b.fr\r\n'), {
      separator: ',',
    });
    expect(job.status).toBe('failed');
    expect(job.error.issues.map((i: { message: string }) => i.message).join(' ')).toContain(
      'separated by ";"',
    );
  });

  it('fails a binary file and an empty one with a clear reason', async () => {
    const xlsx = await runImport(
      'contacts',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 8, 0, 0, 0, 1, 2, 3, 0, 0]),
    );
    expect(xlsx.status).toBe('failed');
    expect(xlsx.error.message + JSON.stringify(xlsx.error.issues)).toMatch(/CSV/);
    const empty = await runImport('contacts', Buffer.from(''));
    expect(empty.status).toBe('failed');
  });
});

describe('till receipts', () => {
  it('imports receipts naming the customer by card, email or phone, keeping the others anonymous', async () => {
    await s.call('PUT', '/v1/contacts', {
      json: { email: 'buyer@example.fr', customerRef: 'CARD-9', phone: '0611223344' },
    });
    const csv = [
      'N° ticket;Magasin;Date;Heure;Montant TTC;Carte fidélité;E-mail;Téléphone',
      'T-1;paris-11;14/03/2025;10:15;42,50;CARD-9;;',
      'T-2;Paris Oberkampf;15/03/2025;11:00;12,00;;buyer@example.fr;',
      'T-3;lyon-2;15/03/2025;12:00;7,90;;;06 11 22 33 44',
      'T-4;lyon-2;16/03/2025;09:00;100,00;;;',
      'T-5;paris-11;16/03/2025;09:30;5,00;UNKNOWN;;',
      'T-1;paris-11;14/03/2025;10:15;42,50;CARD-9;;',
      'T-6;nowhere;16/03/2025;09:30;5,00;;;',
      'T-7;paris-11;16/03/2025;09:30;-5,00;;;',
    ].join('\r\n');
    const job = await runImport('receipts', Buffer.from(csv));
    expect(job).toMatchObject({
      status: 'done',
      counts: { read: 8, created: 5, anonymous: 2, duplicates: 1, rejected: 2 },
    });
    const buyer = (await s.call('GET', '/v1/contacts?customerRef=CARD-9')).body;
    expect(buyer.purchases.store).toBe(3);
    expect(buyer.totalSpent).toBe(62.4);
    expect(buyer.lastPurchaseStoreId).toBe('lyon-2');
    expect(buyer.lastPurchaseAt).toBe('2025-03-15T11:00:00.000Z');
    expect(buyer.firstPurchaseAt).toBe('2025-03-14T09:15:00.000Z');

    // The same file again: every receipt was recorded before, nothing counts twice.
    const again = await runImport('receipts', Buffer.from(csv));
    expect(again.counts).toMatchObject({ created: 0, duplicates: 6 });
    expect((await s.call('GET', '/v1/contacts?customerRef=CARD-9')).body.purchases.store).toBe(3);

    const rejected = await fetch(`${s.url}/v1/imports/${job.id}/rejected.csv`, {
      headers: { authorization: `Bearer ${s.key}` },
    });
    expect(rejected.status).toBe(200);
    const bytes = Buffer.from(await rejected.arrayBuffer());
    // A BOM, so that French Excel opens it in columns; then the file's own header and separator.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe(
      'N° ticket;Magasin;Date;Heure;Montant TTC;Carte fidélité;E-mail;Téléphone;errors',
    );
    expect(text).toContain('T-6;nowhere;16/03/2025;09:30;5,00;;;;');
    expect(text).toContain('Unknown shop');
    expect(text).toContain('negative');
    expect(text).toContain('already on line 2');
  });

  it('lists recent imports and answers 404 for an unknown one', async () => {
    const list = await s.call('GET', '/v1/imports');
    expect(list.body.items.length).toBeGreaterThan(0);
    expect((await s.call('GET', '/v1/imports/imp_nope')).status).toBe(404);
  });
});

describe('the synchronous import of a small file', () => {
  it('reads the same French Excel file as a request body', async () => {
    const res = await s.call('POST', '/v1/contacts/import', {
      body: frenchExcel(['Zoé;Martin;zoe.sync@example.fr;06 98 76 54 32;paris-11;oui;;C-0101']).toString(
        'utf8',
      ),
      type: 'text/csv',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, rejected: [] });
    expect((await s.call('GET', '/v1/contacts?customerRef=C-0101')).body.firstName).toBe('Zoé');
  });
});
