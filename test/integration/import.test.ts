import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleStore, startTestStack, type TestStack } from './helpers';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/paris-11', { json: sampleStore() });
});
afterAll(() => s?.stop());

const csv = (lines: string[]) => `${lines.join('\n')}\n`;
const importCsv = (body: string) => s.call('POST', '/v1/contacts/import', { body, type: 'text/csv' });

describe('POST /v1/contacts/import', () => {
  it('imports good lines, reports bad ones by line, and never blocks the good ones', async () => {
    const res = await importCsv(
      csv([
        'email,phone,first_name,Last Name,locale,homeStoreId,tags,email_consent,email_consent_source,email_consent_at,sms_consent,attr.visits:number,attr.vip:boolean,attr.size',
        'alice@import.fr,0611000001,Alice,Martin,fr,paris-11,vip|newsletter,yes,till,2026-01-02T10:00:00Z,no,4,true,M',
        'not-an-email,,Bad,Line,,,,,,,,,,',
        'bob@import.fr,,Bob,,en,,,,,,,x,,',
        'carol@import.fr,,Carol,,,atlantis,,,,,,,,',
        '"dan@import.fr",,"Dan, the man",,,,,granted,,,,,,',
        'too,many,columns,here,,,,,,,,,,,,,,,,',
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.updated).toBe(0);
    expect(res.body.rejected.map((r: { line: number }) => r.line)).toEqual([3, 4, 5, 7]);
    const byLine = Object.fromEntries(
      res.body.rejected.map((r: { line: number; errors: { path: string }[] }) => [
        r.line,
        r.errors.map((e) => e.path),
      ]),
    );
    expect(byLine[3]).toEqual(['email']);
    expect(byLine[4]).toEqual(['attr.visits']);
    expect(byLine[5]).toEqual(['homeStoreId']);

    const alice = (await s.call('GET', '/v1/contacts?email=alice%40import.fr')).body;
    expect(alice).toMatchObject({
      firstName: 'Alice',
      lastName: 'Martin',
      phone: '+33611000001',
      homeStoreId: 'paris-11',
      tags: ['vip', 'newsletter'],
      attributes: { visits: 4, vip: true, size: 'M' },
      consent: {
        email: { status: 'granted', source: 'till', at: '2026-01-02T10:00:00.000Z' },
        sms: { status: 'denied', source: 'import' },
      },
    });
    expect((await s.call('GET', '/v1/contacts?email=dan%40import.fr')).body.firstName).toBe('Dan, the man');
  });

  it('updates on a second import, and the last line wins for a repeated address', async () => {
    const res = await importCsv(
      csv(['email,firstName', 'alice@import.fr,Alicia', 'eve@import.fr,Eve', 'eve@import.fr,Eva']),
    );
    expect(res.body).toEqual({ created: 1, updated: 2, rejected: [], warnings: [] });
    expect((await s.call('GET', '/v1/contacts?email=eve%40import.fr')).body.firstName).toBe('Eva');
    expect((await s.call('GET', '/v1/contacts?email=alice%40import.fr')).body.lastName).toBe('Martin');
  });

  it('refuses a wrong header with the column at fault', async () => {
    const res = await importCsv(csv(['email,first_name,favourite_colour', 'x@y.fr,X,blue']));
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'header.favourite_colour' })]);
    const noId = await importCsv(csv(['firstName', 'X']));
    expect(noId.status).toBe(400);
    expect(noId.body.issues[0].path).toBe('header');
    expect((await importCsv('')).status).toBe(400);
  });

  it('refuses a body that is not CSV', async () => {
    const res = await s.call('POST', '/v1/contacts/import', { json: { email: 'x@y.fr' } });
    expect(res.status).toBe(415);
  });

  it('imports 10,000 rows in one call', async () => {
    const rows = ['email,phone,firstName,homeStoreId,email_consent,sms_consent,tags'];
    for (let i = 0; i < 10_000; i++) {
      const phone = i % 3 === 0 ? `06${String(10_000_000 + i).slice(-8)}` : '';
      rows.push(`bulk${i}@example.com,${phone},Client ${i},paris-11,granted,${phone ? 'granted' : ''},bulk`);
    }
    const res = await importCsv(csv(rows));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 10_000, updated: 0, rejected: [], warnings: [] });
    const sample = await s.call('GET', '/v1/contacts?email=bulk9999%40example.com');
    expect(sample.body).toMatchObject({ firstName: 'Client 9999', homeStoreId: 'paris-11', tags: ['bulk'] });
  });
});
