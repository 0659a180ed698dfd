/**
 * Barcode images for printable coupons, drawn by bwip-js (a port of Barcode Writer in Pure
 * PostScript): never hand-write a symbology. PNGs are sized for print: the printable coupon shows
 * the Code 128 at 60 mm wide, which puts each module at about 0.3 mm (at ~335 dpi), well above what
 * till scanners need, and the QR code at about 24 mm.
 *
 * Import form: `bwip-js/node`, the package's explicit Node entry. Its bare `bwip-js` entry is
 * chosen by environment conditions (`node`, `browser`…) that TypeScript's `bundler` resolution
 * does not set, so the type checker would not find it; the `/node` subpath resolves everywhere —
 * tsc (`types`), tsx and vitest (`import`) and esbuild's ESM bundle — to `dist/bwip-js-node.mjs`,
 * whose default export holds `toBuffer`. That file is plain ESM (it imports `zlib`, `url` and
 * `stream` from Node), so the bundle needs no `require` shim for it.
 */
import bwipjs, { type RenderOptions } from 'bwip-js/node';
import type { BarcodeRenderer } from '../domain/coupons/ports';

/** Longest text drawn: a coupon code is 13 symbols and a printable-coupon URL about 200 characters. */
const MAX_CODE128 = 48;
const MAX_QR = 1_000;
/** The same coupon's images are fetched again and again (email opens, page views, prints). */
const CACHE_SIZE = 500;

/**
 * A small least-recently-used cache of rendered images, kept across invocations of a warm Lambda.
 * It holds promises, so concurrent requests for the same image render it once; a failed render is
 * dropped so the next request tries again.
 */
const cache = new Map<string, Promise<Buffer>>();

function cached(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
  const hit = cache.get(key);
  if (hit) {
    // Map keeps insertion order: moving the entry to the end makes the first entry the least recent.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const promise = render();
  cache.set(key, promise);
  promise.catch(() => {
    if (cache.get(key) === promise) cache.delete(key);
  });
  while (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return promise;
}

/** Bounds what a public image URL can make us draw; a refused text rejects the returned promise. */
function check(text: string, max: number, what: string): void {
  if (text.length === 0) throw new RangeError(`${what}: nothing to encode`);
  if (text.length > max) throw new RangeError(`${what}: at most ${max} characters, got ${text.length}`);
}

/**
 * A Code 128 barcode with its human-readable line, as PNG. Pass the coupon code as stored, without
 * the reading dashes (`coupon.code`, not `formatCode(...)`): fewer symbols give wider bars, and the
 * till's parser accepts it either way. The image includes the 10-module quiet zone on each side.
 * The returned buffer may be shared with other callers: do not modify it.
 */
export async function code128Png(text: string): Promise<Buffer> {
  check(text, MAX_CODE128, 'Code 128');
  if (!/^[\x20-\x7e]+$/.test(text)) throw new RangeError('Code 128: printable ASCII only');
  return cached(`c128\u0000${text}`, () =>
    bwipjs.toBuffer({
      bcid: 'code128',
      text,
      // 4 px per module: 60 mm of print gets ~335 dpi, sharp on any printer and screen.
      scale: 4,
      // Bar height in millimetres at the image's natural size (72 dpi × scale): ~11 mm at 60 mm wide.
      height: 13,
      includetext: true,
      textxalign: 'center',
      textsize: 11,
      // A clear gap between the bars and the digits, so neither a scanner nor a reader mixes them.
      textyoffset: -2,
      // Quiet zone: 10 modules each side (padding is in unscaled pixels, one per Code 128 module).
      paddingwidth: 10,
      paddingtop: 2,
      paddingbottom: 5,
      backgroundcolor: 'FFFFFF',
    }),
  );
}

/**
 * A QR code as PNG, with error correction level M (15 % of the symbol may be lost to a crease or a
 * smudge) and the 4-module quiet zone the standard requires, on a white background so it scans on
 * a dark-mode screen too. The returned buffer may be shared with other callers: do not modify it.
 */
export async function qrPng(text: string): Promise<Buffer> {
  check(text, MAX_QR, 'QR code');
  // bwip-js passes symbology options through; its typings only list the common ones.
  const options: RenderOptions & { eclevel: 'L' | 'M' | 'Q' | 'H' } = {
    bcid: 'qrcode',
    text,
    // bwip-js draws a QR module 2 px wide at scale 1: 8 px per module here.
    scale: 4,
    eclevel: 'M',
    // 4 modules of quiet zone, in unscaled pixels (2 per module).
    padding: 8,
    backgroundcolor: 'FFFFFF',
  };
  return cached(`qr\u0000${text}`, () => bwipjs.toBuffer(options));
}

/** The coupon barcodes port over bwip-js. */
export const bwipBarcodes: BarcodeRenderer = { code128: code128Png, qr: qrPng };
