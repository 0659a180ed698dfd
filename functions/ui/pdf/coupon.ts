/**
 * The coupon as a one-page A6 PDF (105 × 148 mm), drawn with pdf-lib: the same texts as the
 * printable page (couponView), the code, its Code 128 and QR images, the validity, where it can be
 * used and the sender. For customers who would rather save or forward a file than print a page.
 *
 * It uses the PDF standard fonts (Helvetica, Courier), which every reader has, so nothing is
 * embedded but the two images and a coupon weighs a few kilobytes. Their encoding (WinAnsi) has no
 * narrow no-break space — which Intl puts in French dates and amounts — no minus sign and no
 * letters beyond Western Europe's: every text goes through `pdfText` first, so a name like "Łucja"
 * prints as "Lucja" instead of making the encoder throw.
 */
import { degrees, PDFDocument, type PDFFont, type PDFImage, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import { type CouponView, type CouponViewInput, couponPageView } from '../pages/coupon';

export interface CouponPdfInput extends CouponViewInput {
  /** The Code 128 PNG (adapters/barcodes.ts `code128Png`). */
  barcodePng: Uint8Array;
  /** The QR code PNG (adapters/barcodes.ts `qrPng`). */
  qrPng: Uint8Array;
}

const MM = 72 / 25.4;
/** A6 portrait, in points. */
export const A6: readonly [number, number] = [105 * MM, 148 * MM];

const MARGIN = 7 * MM;
const INK = rgb(0.11, 0.137, 0.16);
const MUTED = rgb(0.357, 0.4, 0.44);
const ACCENT = rgb(0.71, 0.196, 0.184);
const ALERT = rgb(0.776, 0.157, 0.157);
const ALERT_BG = rgb(0.992, 0.925, 0.918);
const INFO = rgb(0.184, 0.4, 0.702);
const INFO_BG = rgb(0.91, 0.941, 0.984);
const LINE = rgb(0.72, 0.75, 0.78);

const INCLUDING = { fr: 'dont', en: 'including' } as const;

/** Characters WinAnsi lacks, mapped to the nearest one it has. */
const SUBSTITUTES: Record<string, string> = {
  '\u202f': '\u00a0', // narrow no-break space (French "50 €", "20 %") → no-break space
  '\u2009': ' ', // thin space
  '\u2007': '\u00a0', // figure space
  '\u2212': '-', // minus sign
  '\u2010': '-', // hyphen
  '\u2011': '-', // non-breaking hyphen
  '\u2015': '\u2014', // horizontal bar → em dash
  '\u2032': "'", // prime
  '\u2033': '"', // double prime
  '\u00ad': '', // soft hyphen
  '\u200b': '', // zero-width space
  '\u2060': '', // word joiner
  '\ufeff': '', // byte-order mark
  '\u0141': 'L', // Ł (no decomposition)
  '\u0142': 'l', // ł
  '\u0110': 'D', // Đ
  '\u0111': 'd', // đ
  '\u0131': 'i', // dotless i
};

/**
 * Text the font can encode: each character kept if the font has it, else substituted, else
 * stripped of its accents (NFKD: "ő" → "o"), else replaced by "?" if it is a letter or a digit and
 * dropped if it is a symbol (emoji). Line breaks and tabs become spaces (the layout wraps lines
 * itself).
 */
export function pdfText(text: string, font: PDFFont): string {
  const supported = charsets.get(font) ?? new Set(font.getCharacterSet());
  charsets.set(font, supported);
  let out = '';
  for (const ch of text.replace(/[\t\n\r\v\f\u2028\u2029]+/g, ' ')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (supported.has(cp)) {
      out += ch;
      continue;
    }
    const substitute = SUBSTITUTES[ch];
    if (substitute !== undefined) {
      out += substitute;
      continue;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    if (base.length > 0 && [...base].every((c) => supported.has(c.codePointAt(0) ?? 0))) out += base;
    // A letter or digit the font lacks shows as "?" (something was there); a symbol or emoji goes.
    else if (/[\p{L}\p{N}]/u.test(ch)) out += '?';
  }
  return out.replace(/ {2,}/g, ' ').trim();
}
const charsets = new WeakMap<PDFFont, Set<number>>();

/** Lines of at most `width` points, breaking at spaces (never inside "50 €"); at most `max` lines. */
function wrap(
  text: string,
  font: PDFFont,
  size: number,
  width: number,
  max = Number.POSITIVE_INFINITY,
): string[] {
  const lines: string[] = [];
  let line = '';
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  for (const word of text.split(' ').filter((w) => w.length > 0)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    // A word longer than the line (a URL, a long name) is cut where it must be.
    let rest = word;
    while (!fits(rest)) {
      let cut = rest.length - 1;
      while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  if (lines.length > max) {
    const kept = lines.slice(0, max);
    let last = kept[max - 1] ?? '';
    while (last.length > 0 && !fits(`${last}…`)) last = last.slice(0, -1);
    kept[max - 1] = `${last.trimEnd()}…`;
    return kept;
  }
  return lines;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

/** Draws top-down: `y` is the top of the next line. */
class Writer {
  y: number;
  readonly width: number;

  constructor(
    private readonly page: PDFPage,
    top: number,
  ) {
    this.y = top;
    this.width = page.getWidth() - 2 * MARGIN;
  }

  /** Wrapped text, left-aligned or centred, with the line height as a multiple of the size. */
  text(
    value: string,
    font: PDFFont,
    size: number,
    opts: {
      color?: ReturnType<typeof rgb>;
      center?: boolean;
      maxLines?: number;
      leading?: number;
      x?: number;
      width?: number;
    } = {},
  ): void {
    const x = opts.x ?? MARGIN;
    const width = opts.width ?? this.width;
    const leading = (opts.leading ?? 1.22) * size;
    for (const line of wrap(pdfText(value, font), font, size, width, opts.maxLines)) {
      const w = font.widthOfTextAtSize(line, size);
      this.y -= leading;
      this.page.drawText(line, {
        x: opts.center ? x + (width - w) / 2 : x,
        y: this.y + (leading - size) / 2 + size * 0.22,
        size,
        font,
        color: opts.color ?? INK,
      });
    }
  }

  gap(points: number): void {
    this.y -= points;
  }
}

/** How tall wrapped text will be, to place blocks from the bottom up. */
function textHeight(value: string, font: PDFFont, size: number, width: number, leading = 1.22): number {
  return wrap(pdfText(value, font), font, size, width).length * leading * size;
}

function drawBanner(page: PDFPage, w: Writer, banner: NonNullable<CouponView['banner']>, fonts: Fonts): void {
  const pad = 2.2 * MM;
  const inner = w.width - 2 * pad - 1.5 * MM;
  const height =
    textHeight(banner.title, fonts.bold, 8.5, inner) +
    textHeight(banner.detail, fonts.regular, 7.5, inner) +
    2 * pad;
  const top = w.y;
  const alert = banner.kind === 'alert';
  page.drawRectangle({
    x: MARGIN,
    y: top - height,
    width: w.width,
    height,
    color: alert ? ALERT_BG : INFO_BG,
  });
  page.drawRectangle({ x: MARGIN, y: top - height, width: 1.5 * MM, height, color: alert ? ALERT : INFO });
  w.gap(pad);
  const x = MARGIN + 1.5 * MM + pad;
  w.text(banner.title, fonts.bold, 8.5, { x, width: inner });
  w.text(banner.detail, fonts.regular, 7.5, { x, width: inner });
  w.y = top - height - 3 * MM;
}

function drawImageCentred(page: PDFPage, image: PDFImage, width: number, top: number): void {
  const height = (image.height / image.width) * width;
  page.drawImage(image, { x: (page.getWidth() - width) / 2, y: top - height, width, height });
}

/**
 * The coupon as an A6 PDF. Deterministic: the document's dates are the coupon's issue date, so
 * the same coupon in the same state always gives the same bytes (cacheable, comparable).
 */
export async function couponPdf(input: CouponPdfInput): Promise<Uint8Array> {
  const view = couponPageView(input);
  const doc = await PDFDocument.create({ updateMetadata: false });
  const issued = new Date(input.coupon.issuedAt);
  // Metadata is Unicode (UTF-16 strings): no font encoding limits it.
  doc.setTitle(view.title, { showInWindowTitleBar: true });
  doc.setAuthor(view.company.name);
  doc.setSubject(view.offer);
  doc.setLanguage(view.lang === 'fr' ? 'fr-FR' : 'en-GB');
  doc.setCreator('Relance');
  doc.setProducer('Relance (pdf-lib)');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);

  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.CourierBold),
  };
  const barcode = await doc.embedPng(input.barcodePng);
  const qr = await doc.embedPng(input.qrPng);

  const page = doc.addPage([...A6]);
  const [pageWidth, pageHeight] = A6;
  const w = new Writer(page, pageHeight - MARGIN);

  if (view.banner) drawBanner(page, w, view.banner, fonts);

  // Header: the sender, and what this is.
  const eyebrow = pdfText(view.eyebrow.toUpperCase(), fonts.bold);
  const eyebrowWidth = fonts.bold.widthOfTextAtSize(eyebrow, 6);
  w.text(view.company.name, fonts.bold, 9.5, { maxLines: 1, width: w.width - eyebrowWidth - 4 * MM });
  page.drawText(eyebrow, {
    x: pageWidth - MARGIN - eyebrowWidth,
    y: w.y + 3,
    size: 6,
    font: fonts.bold,
    color: MUTED,
  });
  w.gap(1.5 * MM);
  page.drawLine({
    start: { x: MARGIN, y: w.y },
    end: { x: pageWidth - MARGIN, y: w.y },
    thickness: 0.5,
    color: LINE,
  });
  w.gap(2.5 * MM);

  // The offer.
  w.text(view.greeting, fonts.regular, 8.5, { color: MUTED, maxLines: 2 });
  w.gap(1 * MM);
  w.text(view.headline, fonts.bold, 26, { color: ACCENT, maxLines: 1, leading: 1.1 });
  w.gap(0.5 * MM);
  const offerSize = view.offer.length > 120 ? 9.5 : view.offer.length > 60 ? 11 : 12.5;
  w.text(view.offer, fonts.bold, offerSize, { maxLines: 6 });
  if (view.condition) {
    w.gap(1 * MM);
    w.text(view.condition, fonts.regular, 8, { color: MUTED });
  }
  const offerBottom = w.y;

  // The bottom block, laid out from the bottom margin up: footer, then the QR code and its texts.
  const footerLines = [
    ...wrap(pdfText(view.company.name, fonts.bold), fonts.bold, 6.5, w.width, 1).map((line) => ({
      line,
      font: fonts.bold,
      size: 6.5,
    })),
    ...wrap(pdfText(view.company.address, fonts.regular), fonts.regular, 6, w.width, 2).map((line) => ({
      line,
      font: fonts.regular,
      size: 6,
    })),
  ];
  let y = MARGIN;
  for (const { line, font, size } of footerLines.reverse()) {
    page.drawText(line, {
      x: (pageWidth - font.widthOfTextAtSize(line, size)) / 2,
      y,
      size,
      font,
      color: MUTED,
    });
    y += 8;
  }
  y += 1 * MM;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: pageWidth - MARGIN, y }, thickness: 0.5, color: LINE });
  y += 3 * MM;

  const qrSize = 24 * MM;
  const infoX = MARGIN + qrSize + 4 * MM;
  const infoWidth = pageWidth - MARGIN - infoX;
  // Where it can be used: "all our shops", or the shop's address (the page lists every shop; the
  // card has room for one).
  const shops = input.coupon.stores;
  const shop = shops === 'all' ? undefined : input.stores[0];
  let shopLine: string | undefined;
  if (shop && shops.length === 1) shopLine = `${shop.address}, ${shop.postcode} ${shop.city}`;
  else if (shop)
    shopLine = `${INCLUDING[view.lang]} ${shop.name}, ${shop.address}, ${shop.postcode} ${shop.city}`;
  const infoHeight =
    textHeight(view.validity, fonts.bold, 8, infoWidth) +
    textHeight(view.where, fonts.bold, 8, infoWidth) +
    (shopLine ? textHeight(shopLine, fonts.regular, 7, infoWidth) : 0) +
    textHeight(view.instruction, fonts.regular, 7, infoWidth) +
    2 * MM;
  const footTop = y + Math.max(qrSize, infoHeight);
  page.drawImage(qr, { x: MARGIN, y: footTop - (footTop - y + qrSize) / 2, width: qrSize, height: qrSize });
  const info = new Writer(page, footTop - (footTop - y - infoHeight) / 2);
  info.text(view.validity, fonts.bold, 8, { x: infoX, width: infoWidth });
  info.gap(1 * MM);
  info.text(view.where, fonts.bold, 8, { x: infoX, width: infoWidth });
  if (shopLine) info.text(shopLine, fonts.regular, 7, { x: infoX, width: infoWidth });
  info.gap(1 * MM);
  info.text(view.instruction, fonts.regular, 7, { x: infoX, width: infoWidth, color: MUTED });

  // The code and its barcode, centred in the space left between the offer and the bottom block.
  // When a long offer leaves too little room, the barcode shrinks rather than overlaps — down to
  // 40 mm, where a module is still 0.2 mm, which till scanners read.
  const codeText = 2 * MM + 6 * 1.3 + 17 * 1.2 + 2 * MM;
  const free = offerBottom - footTop - 2 * MM;
  const ratio = barcode.height / barcode.width;
  const barcodeWidth = Math.max(40 * MM, Math.min(60 * MM, w.width, (free - codeText) / ratio));
  const barcodeHeight = ratio * barcodeWidth;
  const codeTop = offerBottom - Math.max(1 * MM, (free - codeText - barcodeHeight) / 2);
  page.drawLine({
    start: { x: MARGIN, y: codeTop },
    end: { x: pageWidth - MARGIN, y: codeTop },
    thickness: 0.6,
    color: LINE,
    dashArray: [2, 2],
  });
  const code = new Writer(page, codeTop - 2 * MM);
  code.text(view.codeLabel.toUpperCase(), fonts.bold, 6, { color: MUTED, center: true, leading: 1.3 });
  code.text(view.code, fonts.mono, 17, { center: true, leading: 1.2 });
  code.gap(2 * MM);
  const barcodeTop = code.y;
  drawImageCentred(page, barcode, barcodeWidth, barcodeTop);

  if (view.stamp) {
    const stamp = pdfText(view.stamp.toUpperCase(), fonts.bold);
    const size = 24;
    const tw = fonts.bold.widthOfTextAtSize(stamp, size);
    const angle = (14 * Math.PI) / 180;
    const cx = pageWidth / 2;
    const cy = barcodeTop - barcodeHeight / 2;
    const boxW = tw + 12;
    const boxH = size + 8;
    // Rotate the stamp's box and text about the centre of the barcode.
    const rotatePoint = (dx: number, dy: number) => ({
      x: cx + dx * Math.cos(angle) - dy * Math.sin(angle),
      y: cy + dx * Math.sin(angle) + dy * Math.cos(angle),
    });
    const corner = rotatePoint(-boxW / 2, -boxH / 2);
    page.drawRectangle({
      ...corner,
      width: boxW,
      height: boxH,
      rotate: degrees(14),
      borderColor: ALERT,
      borderWidth: 2,
      color: rgb(1, 1, 1),
      opacity: 0.85,
    });
    const origin = rotatePoint(-tw / 2, -size * 0.36);
    page.drawText(stamp, {
      ...origin,
      size,
      font: fonts.bold,
      color: ALERT,
      rotate: degrees(14),
    });
  }

  return doc.save();
}
