import { describe, expect, it } from 'vitest';
import { code128Png, qrPng } from '../../../functions/adapters/barcodes';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('code128Png', () => {
  it('draws a coupon code as a PNG sized for about 60 mm of print', async () => {
    const png = await code128Png('K7M2Q9XH4TPRC');
    const { width, height } = pngSize(png);
    // 13 symbols in code set B: start + 13 + check (11 modules each) + stop (13) = 178 modules,
    // plus a 10-module quiet zone each side, at 4 px per module.
    expect(width).toBe((178 + 20) * 4);
    // Bars about 13 mm high at the natural 288 dpi, plus the human-readable line under them.
    expect(height).toBeGreaterThan(150);
    expect(height).toBeLessThan(260);
    expect(width / height).toBeGreaterThan(3);
  });

  it('answers the same buffer for the same code (cache hit), and a different one for another', async () => {
    const [a, b] = await Promise.all([code128Png('ABCD1234EFGHX'), code128Png('ABCD1234EFGHX')]);
    expect(b).toBe(a);
    expect(await code128Png('ABCD1234EFGHX')).toBe(a);
    const other = await code128Png('ABCD1234EFGHY');
    expect(other).not.toBe(a);
    expect(other.equals(a)).toBe(false);
  });

  it('keeps the 500 most recently used images', { timeout: 30_000 }, async () => {
    const kept = await code128Png('LRU-KEPT');
    const dropped = await code128Png('LRU-DROPPED');
    for (let i = 0; i < 250; i++) await code128Png(`LRU-${i}`);
    // Used again: it moves to the most recent end, so the next 250 images push out the other one.
    expect(await code128Png('LRU-KEPT')).toBe(kept);
    for (let i = 250; i < 500; i++) await code128Png(`LRU-${i}`);
    expect(await code128Png('LRU-KEPT')).toBe(kept);
    const redrawn = await code128Png('LRU-DROPPED');
    expect(redrawn).not.toBe(dropped);
    expect(redrawn.equals(dropped)).toBe(true);
  });

  it('refuses what it should not draw', async () => {
    await expect(code128Png('')).rejects.toThrow(RangeError);
    await expect(code128Png('x'.repeat(49))).rejects.toThrow(/at most 48/);
    await expect(code128Png('CAFÉ')).rejects.toThrow(/ASCII/);
  });
});

describe('qrPng', () => {
  it('draws a square QR code with its quiet zone', async () => {
    const png = await qrPng('https://relance.example/c/v1.k1.abcdef0123456789abcdef0123456789');
    const { width, height } = pngSize(png);
    expect(width).toBe(height);
    // 8 px per module; modules = version size (17 + 4v) + 2 × 4 quiet-zone modules.
    expect(width % 8).toBe(0);
    const modules = width / 8 - 8;
    expect((modules - 17) % 4).toBe(0);
    expect(modules).toBeGreaterThanOrEqual(21);
    expect(modules).toBeLessThanOrEqual(45);
  });

  it('answers the same buffer for the same text (cache hit), kept apart from Code 128 images', async () => {
    const a = await qrPng('K7M2Q9XH4TPRC');
    expect(await qrPng('K7M2Q9XH4TPRC')).toBe(a);
    expect(await code128Png('K7M2Q9XH4TPRC')).not.toBe(a);
  });

  it('refuses an empty or oversized text', async () => {
    await expect(qrPng('')).rejects.toThrow(RangeError);
    await expect(qrPng('x'.repeat(1001))).rejects.toThrow(/at most 1000/);
  });
});
