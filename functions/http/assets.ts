import { type ApiResponse, json } from './api';

/**
 * Static assets: the browser scripts that infra/browser-assets.ts bundles from
 * functions/ui/browser, served at `GET /assets/{name}`. Every file name carries a hash of its
 * content (`till-5KQ3ZP2L.js`), so a file never changes once served: browsers keep it for a
 * year, and a new build is a new name that the page (never cached) points at.
 */

/** Written next to the files by the build: which file each entry point became, and every file it wrote. */
export interface AssetManifest {
  /** Entry point -> file name: `{ "till": "till-5KQ3ZP2L.js" }`. */
  entries: Record<string, string>;
  files: string[];
}

/** The manifest's name in the assets directory (never served: it is not one of its files). */
export const ASSET_MANIFEST = 'manifest.json';

/** Where the built assets are read from: files next to the Lambda bundle, or memory in the local stack. */
export interface AssetSource {
  /** The file an entry point was built to (`till` -> `till-5KQ3ZP2L.js`); undefined if it was not built. */
  entry(name: string): Promise<string | undefined>;
  /** A built file's content; undefined for any name that the build did not write. */
  file(name: string): Promise<Uint8Array | undefined>;
}

/** What the build may write, by extension: anything else is never served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

/** `till-5KQ3ZP2L.js`: one path segment, no dot first, no `..`, no slash or backslash. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)+$/;

/** A year: the longest lifetime caches honour; the content behind a name never changes. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** The URL of a built file, relative to a page at the API's root (`/till`, `/prod/till`). */
export const assetUrl = (file: string): string => `assets/${file}`;

const notFound = (): ApiResponse =>
  json(
    404,
    { error: 'not_found', message: 'Asset was not found', issues: [] },
    // Not cached: the name may exist in a moment (a deployment rolling out).
    { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  );

/**
 * The response to `GET /assets/{name}`: the file with its type, cached for good, or a 404 for a
 * name the build did not write (a traversal attempt, a stale name, a typo) without reading anything.
 */
export async function assetResponse(source: AssetSource, name: string): Promise<ApiResponse> {
  const type = ASSET_NAME.test(name) ? ASSET_TYPES[name.slice(name.lastIndexOf('.') + 1)] : undefined;
  if (!type) return notFound();
  const content = await source.file(name);
  if (!content) return notFound();
  return {
    status: 200,
    body: Buffer.from(content).toString('utf8'),
    headers: {
      'content-type': type,
      'cache-control': ASSET_CACHE,
      'x-content-type-options': 'nosniff',
      // Only our own pages load them.
      'cross-origin-resource-policy': 'same-origin',
    },
  };
}
