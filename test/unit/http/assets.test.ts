import { describe, expect, it, vi } from 'vitest';
import { assetsInMemory } from '../../../functions/adapters/static-assets';
import { ASSET_CACHE, type AssetSource, assetResponse, assetUrl } from '../../../functions/http/assets';
import { BROWSER_ENTRIES, buildBrowserAssets } from '../../../infra/browser-assets';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A build of three files, plus one the build could never write (an HTML file). */
const source = () =>
  assetsInMemory({
    manifest: {
      entries: { till: 'till-5KQ3ZP2L.js' },
      files: ['till-5KQ3ZP2L.js', 'till-5KQ3ZP2L.css', 'till-5KQ3ZP2L.js.map', 'page-AAAAAAAA.html'],
    },
    files: new Map([
      ['till-5KQ3ZP2L.js', bytes('console.log("é");')],
      ['till-5KQ3ZP2L.css', bytes('body{margin:0}')],
      ['till-5KQ3ZP2L.js.map', bytes('{"version":3}')],
      ['page-AAAAAAAA.html', bytes('<script>alert(1)</script>')],
    ]),
  });

describe('assetResponse', () => {
  it.each([
    ['till-5KQ3ZP2L.js', 'text/javascript; charset=utf-8', 'console.log("é");'],
    ['till-5KQ3ZP2L.css', 'text/css; charset=utf-8', 'body{margin:0}'],
    ['till-5KQ3ZP2L.js.map', 'application/json; charset=utf-8', '{"version":3}'],
  ])('serves %s as %s, cached for a year, never sniffed', async (name, type, body) => {
    const res = await assetResponse(source(), name);
    expect(res).toEqual({
      status: 200,
      body,
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-origin',
      },
    });
    expect(ASSET_CACHE).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404, not cached, for a name the build did not write', async () => {
    for (const name of ['till-OLDHASH0.js', 'till.js', 'other-5KQ3ZP2L.js']) {
      const res = await assetResponse(source(), name);
      expect(res.status, name).toBe(404);
      expect(res.body, name).toEqual({ error: 'not_found', message: 'Asset was not found', issues: [] });
      expect(res.headers, name).toMatchObject({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
    }
  });

  it('never serves a type it does not know, even a file the manifest lists', async () => {
    expect((await assetResponse(source(), 'page-AAAAAAAA.html')).status).toBe(404);
  });

  it.each([
    '../manifest.json',
    'manifest.json',
    '..',
    '.',
    '',
    '../../functions/handlers/pages.ts',
    '/etc/passwd',
    'a/till-5KQ3ZP2L.js',
    '..\\till-5KQ3ZP2L.js',
    '..%2Ftill-5KQ3ZP2L.js',
    '.till-5KQ3ZP2L.js',
    'till-5KQ3ZP2L.js\u0000.png',
    'till-5KQ3ZP2L.js ',
  ])('refuses %j without looking it up', async (name) => {
    const spy: AssetSource = { entry: vi.fn(), file: vi.fn(async () => bytes('secret')) };
    const res = await assetResponse(spy, name);
    expect(res.status).toBe(404);
    expect(spy.file).not.toHaveBeenCalled();
  });

  it('gives the URL of a built file relative to a page at the root of the API', () => {
    expect(assetUrl('till-5KQ3ZP2L.js')).toBe('assets/till-5KQ3ZP2L.js');
    expect(new URL(assetUrl('till-5KQ3ZP2L.js'), 'https://x.example/prod/till').pathname).toBe(
      '/prod/assets/till-5KQ3ZP2L.js',
    );
  });
});

describe('the front-end build', () => {
  it('bundles every entry point into one minified script named after its content', async () => {
    const built = await buildBrowserAssets();
    expect(Object.keys(built.manifest.entries).sort()).toEqual(Object.keys(BROWSER_ENTRIES).sort());
    expect(built.manifest.files).toEqual([...built.files.keys()].sort());
    for (const [entry, file] of Object.entries(built.manifest.entries)) {
      expect(file).toMatch(new RegExp(`^${entry}-[A-Z0-9]{8}\\.js$`));
      const text = Buffer.from(built.files.get(file) ?? new Uint8Array()).toString('utf8');
      // Minified: a few long lines, no comment, no TypeScript left.
      expect(text.split('\n').length).toBeLessThan(5);
      expect(text).not.toMatch(/\/\*\*|^\s*\/\/ /m);
      const served = await assetResponse(assetsInMemory(built), file);
      expect(served.status).toBe(200);
      expect(served.body).toBe(text);
    }
  });

  it('is deterministic: the same sources give the same names and bytes', async () => {
    const [a, b] = await Promise.all([buildBrowserAssets(), buildBrowserAssets()]);
    expect(b.manifest).toEqual(a.manifest);
    for (const [name, content] of a.files) expect(b.files.get(name), name).toEqual(content);
  });
});
