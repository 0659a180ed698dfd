import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../infra/cli/import';
import { sampleStore, startTestStack, type TestStack } from './helpers';

let s: TestStack;
let dir: string;
beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/paris-11', { json: sampleStore({ name: 'Paris Oberkampf' }) });
  dir = await mkdtemp(join(tmpdir(), 'relance-import-cli-'));
});
afterAll(() => s?.stop());

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    [...args, '--url', s.url, '--key', s.key],
    { out: (l) => out.push(l), err: (l) => err.push(l), env: {} },
    { pollSeconds: 0.2 },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run import', () => {
  it('imports a Windows-1252 French file as a job, shows progress and a summary, and saves the refused lines', async () => {
    const file = join(dir, 'clients.csv');
    const lines = ['Prénom;E-mail;Magasin;Consentement e-mail'];
    for (let i = 0; i < 300; i++) lines.push(`Hélène ${i};helene${i}@example.fr;paris-11;oui`);
    lines.push('Zoé;pas-une-adresse;paris-11;oui');
    await writeFile(file, iconv.encode(`${lines.join('\r\n')}\r\n`, 'win1252'));

    const res = await run(['contacts', file]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/Import imp_\w+: uploading/);
    expect(res.out).toContain('lines read');
    expect(res.out).toContain('301 lines read, 300 created, 0 updated, 1 refused');
    const rejected = await readFile(join(dir, 'clients.rejected.csv'));
    const text = rejected.toString('utf8');
    expect(text.startsWith('\uFEFFPrénom;E-mail;Magasin;Consentement e-mail;errors')).toBe(true);
    expect(text).toContain('Zoé;pas-une-adresse;paris-11;oui;line 302, ');
    const helene = (await s.call('GET', '/v1/contacts?email=helene7@example.fr')).body;
    expect(helene.firstName).toBe('Hélène 7');
  });

  it('passes the options to the job, and the API names the option at fault', async () => {
    const file = join(dir, 'tickets.csv');
    await writeFile(file, 'ticket|magasin|date|montant\nT1|paris-11|01/12/2026|12,50\n');
    const ok = await run(['receipts', file, '--separator', 'pipe', '--date-format', 'dmy']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('1 anonymous receipts');
    const bad = await run(['receipts', file, '--currency', 'euros']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('options.currency');
  });

  it('says how to use it when the kind or the file is missing, and when the file cannot be read', async () => {
    expect((await run(['orders', 'x.csv'])).code).toBe(2);
    const missing = await run(['contacts', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Cannot read');
  });
});
