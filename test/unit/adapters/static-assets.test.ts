import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assetFiles, assetsInMemory } from '../../../functions/adapters/static-assets';
import { assetResponse } from '../../../functions/http/assets';
import { buildBrowserAssets, writeBrowserAssets } from '../../../infra/browser-assets';

const root = mkdtempSync(join(tmpdir(), 'relance-assets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const text = (content: Uint8Array | undefined) => (content ? Buffer.from(content).toString('utf8') : content);

/** An assets directory as the build writes it, with a file it did not write and a secret next to it. */
function assetsDir(): string {
  const dir = mkdtempSync(join(root, 'dir-'));
  const assets = join(dir, 'assets');
  mkdirSync(assets);
  writeFileSync(join(dir, 'secret.txt'), 'keyring');
  writeFileSync(join(assets, 'stray-12345678.js'), 'not built');
  writeFileSync(join(assets, 'app-ABCDEFGH.js'), 'app();');
  writeFileSync(
    join(assets, 'manifest.json'),
    JSON.stringify({ entries: { app: 'app-ABCDEFGH.js' }, files: ['app-ABCDEFGH.js'] }),
  );
  return assets;
}

describe('assetFiles', () => {
  it('gives the file of an entry point and its content', async () => {
    const files = assetFiles(assetsDir());
    expect(await files.entry('app')).toBe('app-ABCDEFGH.js');
    expect(await files.entry('till')).toBeUndefined();
    expect(text(await files.file('app-ABCDEFGH.js'))).toBe('app();');
  });

  it('reads only the files its manifest lists: nothing else in the directory, nothing outside it', async () => {
    const files = assetFiles(assetsDir());
    for (const name of [
      'stray-12345678.js',
      'manifest.json',
      '../secret.txt',
      '..',
      '/etc/passwd',
      'constructor',
    ]) {
      expect(await files.file(name), name).toBeUndefined();
    }
  });

  it('reads a file once per instance', async () => {
    const dir = assetsDir();
    const files = assetFiles(dir);
    expect(text(await files.file('app-ABCDEFGH.js'))).toBe('app();');
    writeFileSync(join(dir, 'app-ABCDEFGH.js'), 'changed();');
    expect(text(await files.file('app-ABCDEFGH.js'))).toBe('app();');
  });

  it('fails, and tries again next time, when the directory has no manifest', async () => {
    const dir = mkdtempSync(join(root, 'empty-'));
    const files = assetFiles(dir);
    await expect(files.entry('app')).rejects.toThrow(/manifest\.json/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ entries: { app: 'a-1.js' }, files: [] }));
    expect(await files.entry('app')).toBe('a-1.js');
  });

  it('serves what the front-end build wrote, as the in-memory build does', async () => {
    const built = await buildBrowserAssets();
    const dir = join(mkdtempSync(join(root, 'built-')), 'assets');
    writeBrowserAssets(built, dir);
    const file = built.manifest.entries.till ?? '';
    const fromDisk = await assetResponse(assetFiles(dir), file);
    expect(fromDisk.status).toBe(200);
    expect(fromDisk).toEqual(await assetResponse(assetsInMemory(built), file));
    expect(await assetFiles(dir).entry('till')).toBe(file);
  });
});
