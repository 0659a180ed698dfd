import { code128Png, qrPng } from '../adapters/barcodes';
import { type AppDeps, defaultDeps } from '../deps';
import type { Coupon } from '../domain/coupons/coupon';
import { verifyToken } from '../domain/shared/tokens';
import type { Store } from '../domain/stores/store';
import { machineReason } from '../domain/tracking/links';
import {
  type ApiRequest,
  type ApiResponse,
  header,
  httpHandler,
  lazyHandler,
  TRANSPARENT_GIF,
} from '../http/api';
import { httpOptions } from '../http/options';
import { couponPage } from '../ui/pages/coupon';
import { linkNotFoundPage, pageLocale } from '../ui/pages/public';
import { couponPdf } from '../ui/pdf/coupon';

const PRIVATE = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' };

/**
 * The printable coupon a recipient opens from the email: an HTML page (A4 and
 * A6 print friendly), a PDF, the Code 128 and QR images. Viewing and printing
 * are recorded, once per recipient, as steps of the campaign's funnel.
 */
export function makeHandler(deps: AppDeps) {
  const company = { name: deps.config.COMPANY_NAME, address: deps.config.COMPANY_ADDRESS };

  const load = async (req: ApiRequest): Promise<Coupon | undefined> => {
    const ref = verifyToken<{ d: string }>(await deps.keyring(), 'coupon', req.params.token ?? '');
    return typeof ref?.d === 'string' ? deps.coupons.get(ref.d) : undefined;
  };
  const shops = async (coupon: Coupon): Promise<Store[]> =>
    coupon.stores === 'all'
      ? deps.stores.list()
      : (await Promise.all(coupon.stores.map((id) => deps.stores.get(id)))).filter((s): s is Store =>
          Boolean(s),
        );
  /** Records a view or a print once per recipient; security gateways fetching links are not the customer. */
  const funnel = async (coupon: Coupon, step: 'couponViewedAt' | 'couponPrintedAt', req: ApiRequest) => {
    const http = req.event.requestContext.http;
    const machine = machineReason({
      method: http.method,
      userAgent: http.userAgent ?? '',
      sourceIp: http.sourceIp ?? '',
      secondsSinceSend: (deps.clock.now().getTime() - Date.parse(coupon.issuedAt)) / 1000,
      kind: 'click',
      tooSoonSeconds: deps.config.TRACK_TOO_SOON_SECONDS,
    });
    if (machine) return;
    try {
      if (
        await deps.engagement.markFirst(
          coupon.campaignId,
          coupon.contactId,
          step,
          deps.clock.now().toISOString(),
          coupon.channel,
        )
      ) {
        await deps.engagement.count(coupon.campaignId, {
          [step === 'couponViewedAt' ? 'coupon_viewed' : 'coupon_printed']: 1,
        });
      }
    } catch (err) {
      deps.logger.error('Could not record a coupon view', { error: err as Error });
    }
  };
  const notFound = (req: ApiRequest): ApiResponse => ({
    status: 404,
    body: linkNotFoundPage(pageLocale(undefined, header(req.event, 'accept-language'))),
    headers: { 'content-type': 'text/html; charset=utf-8', ...PRIVATE },
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
        if (!coupon) return notFound(req);
        const locale = pageLocale(coupon.locale, header(req.event, 'accept-language'));
        const input = { coupon, stores: await shops(coupon), locale, company, now: deps.clock.now() };
        const base = req.event.rawPath;
        if (req.query.format === 'pdf') {
          const [barcode, qr] = await Promise.all([code128Png(coupon.code), qrPng(coupon.code)]);
          const pdf = await couponPdf({ ...input, barcodePng: barcode, qrPng: qr });
          await funnel(coupon, 'couponPrintedAt', req);
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
        await funnel(coupon, 'couponViewedAt', req);
        return {
          status: 200,
          body: couponPage({
            ...input,
            barcodeUrl: `${base}/barcode.png`,
            qrUrl: `${base}/qr.png`,
            pdfUrl: `${base}?format=pdf`,
            printBeaconUrl: `${base}/printed.gif`,
          }),
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
            ...PRIVATE,
          },
        };
      },
      'GET /c/{token}/barcode.png': async (req) => {
        const coupon = await load(req);
        return coupon ? png(await code128Png(coupon.code)) : notFound(req);
      },
      'GET /c/{token}/qr.png': async (req) => {
        const coupon = await load(req);
        return coupon ? png(await qrPng(coupon.code)) : notFound(req);
      },
      'GET /c/{token}/printed.gif': async (req) => {
        const coupon = await load(req);
        if (!coupon) return notFound(req);
        await funnel(coupon, 'couponPrintedAt', req);
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
