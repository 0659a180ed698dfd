import { bwipBarcodes } from '../adapters/barcodes';
import { type AppDeps, defaultDeps } from '../deps';
import type { Coupon } from '../domain/coupons/coupon';
import type { BarcodeRenderer } from '../domain/coupons/ports';
import { couponFromToken, couponShops } from '../domain/coupons/printable';
import { trackCouponStep } from '../domain/tracking/engagement';
import {
  type ApiRequest,
  type ApiResponse,
  header,
  httpHandler,
  lazyHandler,
  TRANSPARENT_GIF,
} from '../http/api';
import { htmlResponse } from '../http/html';
import { httpOptions } from '../http/options';
import { couponPage } from '../ui/pages/coupon';
import { linkNotFoundPage, pageLocale } from '../ui/pages/public';
import { couponPdf } from '../ui/pdf/coupon';
import { printableDeps } from '../wiring/coupons';
import { couponStepDeps } from '../wiring/tracking';

const PRIVATE = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' };

/**
 * The printable coupon a recipient opens from the email: an HTML page (A4 and
 * A6 print friendly), a PDF, the Code 128 and QR images. Viewing and printing
 * are recorded, once per recipient, as steps of the campaign's funnel.
 */
export function makeHandler(deps: AppDeps, barcodes: BarcodeRenderer = bwipBarcodes) {
  const printable = printableDeps(deps);
  const steps = couponStepDeps(deps);
  const load = (req: ApiRequest) => couponFromToken(printable, req.params.token);
  const step = (coupon: Coupon, which: 'viewed' | 'printed', req: ApiRequest) => {
    const http = req.event.requestContext.http;
    return trackCouponStep(steps, coupon, which, {
      method: http.method,
      userAgent: http.userAgent ?? '',
      sourceIp: http.sourceIp ?? '',
    });
  };
  const notFoundPage = (req: ApiRequest): ApiResponse =>
    htmlResponse(404, linkNotFoundPage(pageLocale(undefined, header(req.event, 'accept-language'))), {
      cache: PRIVATE['cache-control'],
    });
  const png = (body: Buffer): ApiResponse => ({
    status: 200,
    body: body.toString('base64'),
    base64: true,
    headers: { 'content-type': 'image/png', 'cache-control': 'private, max-age=86400' },
  });

  return httpHandler(
    'coupon-pages',
    {
      'GET /c/{token}': async (req) => {
        const coupon = await load(req);
        if (!coupon) return notFoundPage(req);
        const locale = pageLocale(coupon.locale, header(req.event, 'accept-language'));
        const input = {
          coupon,
          stores: await couponShops(printable, coupon),
          locale,
          company: deps.company,
          now: deps.clock.now(),
        };
        const base = req.event.rawPath;
        if (req.query.format === 'pdf') {
          const [barcode, qr] = await Promise.all([barcodes.code128(coupon.code), barcodes.qr(coupon.code)]);
          const pdf = await couponPdf({ ...input, barcodePng: barcode, qrPng: qr });
          await step(coupon, 'printed', req);
          return {
            status: 200,
            body: Buffer.from(pdf).toString('base64'),
            base64: true,
            headers: {
              'content-type': 'application/pdf',
              'content-disposition': `inline; filename="coupon-${coupon.code}.pdf"`,
              ...PRIVATE,
            },
          };
        }
        await step(coupon, 'viewed', req);
        return htmlResponse(
          200,
          couponPage({
            ...input,
            barcodeUrl: `${base}/barcode.png`,
            qrUrl: `${base}/qr.png`,
            pdfUrl: `${base}?format=pdf`,
            printBeaconUrl: `${base}/printed.gif`,
          }),
          { img: "'self'", cache: PRIVATE['cache-control'] },
        );
      },
      'GET /c/{token}/barcode.png': async (req) => {
        const coupon = await load(req);
        return coupon ? png(await barcodes.code128(coupon.code)) : notFoundPage(req);
      },
      'GET /c/{token}/qr.png': async (req) => {
        const coupon = await load(req);
        return coupon ? png(await barcodes.qr(coupon.code)) : notFoundPage(req);
      },
      'GET /c/{token}/printed.gif': async (req) => {
        const coupon = await load(req);
        if (!coupon) return notFoundPage(req);
        await step(coupon, 'printed', req);
        return {
          status: 200,
          body: TRANSPARENT_GIF,
          base64: true,
          headers: { 'content-type': 'image/gif', ...PRIVATE },
        };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
