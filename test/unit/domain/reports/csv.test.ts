import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { reportCsvPage } from '../../../../functions/domain/reports/csv';
import { fakeDeps } from '../../../support/fakes';
import { campaign, contact, content } from '../campaigns/support';

async function world() {
  const d = fakeDeps(['paris']);
  const c = campaign({ status: 'sent' });
  await d.campaigns.create(c, content(c.id));
  const add = (id: string, over: Parameters<typeof contact>[1]) => {
    d.contacts.items.set(id, contact(id, over));
    d.sends.put({
      campaignId: c.id,
      contactId: id,
      status: 'sent',
      claimedAt: '2026-03-02T09:00:00.000Z',
      settledAt: '2026-03-02T09:00:00.000Z',
    });
  };
  return { d, c, add };
}

describe('reportCsvPage', () => {
  it('never lets a typed name run as a spreadsheet formula, in either dialect', async () => {
    const { d, c, add } = await world();
    add('c_1', { firstName: '=HYPERLINK("https://evil.example","Cliquez")', phone: '+33612345678' });
    add('c_2', { firstName: 'Zoé; la "grande"' });
    const standard = parse((await reportCsvPage(d, c.id, undefined)).csv, { columns: true }) as Record<
      string,
      string
    >[];
    expect(standard[0]?.first_name).toBe('\'=HYPERLINK("https://evil.example","Cliquez")');
    expect(standard[0]?.phone).toBe('+33612345678');
    expect(standard[1]?.first_name).toBe('Zoé; la "grande"');
    const excel = (await reportCsvPage(d, c.id, undefined, undefined, 'excel-fr')).csv;
    expect(excel.startsWith('\uFEFF')).toBe(true);
    const rows = parse(excel.slice(1), { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(rows[0]?.first_name).toMatch(/^'=HYPERLINK/);
    // Excel would turn +33… into a number or a formula: escaped for it.
    expect(rows[0]?.phone).toBe("'+33612345678");
    expect(rows[1]?.first_name).toBe('Zoé; la "grande"');
    expect(rows[0]?.group).toBe('treated');
  });
});
