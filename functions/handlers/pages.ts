import { assetFiles } from '../adapters/static-assets';
import { type AppDeps, defaultDeps } from '../deps';
import { viewMessage } from '../domain/campaigns/view';
import { unsubscribe, unsubscribeRequest } from '../domain/tracking/unsubscribe';
import { header, httpHandler, lazyHandler } from '../http/api';
import { type AssetSource, assetResponse, assetUrl } from '../http/assets';
import { htmlResponse } from '../http/html';
import { httpOptions } from '../http/options';
import { linkNotFoundPage, pageLocale, unsubscribeConfirmPage, unsubscribedPage } from '../ui/pages/public';
import { TILL_PAGE_POLICY, tillPage } from '../ui/pages/till';
import { viewMessageDeps } from '../wiring/sending';
import { unsubscribeDeps } from '../wiring/tracking';

/** Pages here may show the email's remote images (view in browser). */
const html = (status: number, body: string) => htmlResponse(status, body, { img: '* data:' });

/**
 * Public pages reached from a message. A GET on the unsubscribe link only asks
 * for confirmation (link scanners follow GETs); a POST — the RFC 8058 one-click
 * request from the mailbox provider, or the page's button — unsubscribes at
 * once. A tampered token is a 404.
 *
 * It also serves the till page and the built browser scripts (`assets`: the files in ASSETS_DIR,
 * or the local stack's in-memory build), which the page loads from the same origin.
 */
export function makeHandler(deps: AppDeps, assets: AssetSource = assetFiles(deps.config.ASSETS_DIR)) {
  const company = deps.company.name;
  const unsubscribing = unsubscribeDeps(deps);
  const viewing = viewMessageDeps(deps);
  const lang = (event: Parameters<typeof header>[0], contactLocale?: string) =>
    pageLocale(contactLocale, header(event, 'accept-language'));

  return httpHandler(
    'pages',
    {
      'GET /u/{token}': async ({ params, event }) => {
        const found = await unsubscribeRequest(unsubscribing, params.token);
        if (!found) return html(404, linkNotFoundPage(lang(event)));
        const { contact } = found;
        return html(
          200,
          unsubscribeConfirmPage(lang(event, contact?.locale), company, contact?.email, event.rawPath),
        );
      },
      'POST /u/{token}': async ({ params, event }) => {
        const done = await unsubscribe(unsubscribing, params.token);
        if (!done) return html(404, linkNotFoundPage(lang(event)));
        return html(200, unsubscribedPage(lang(event, done.contact?.locale), company));
      },
      'GET /till': async () => {
        const script = await assets.entry('till');
        if (!script) throw new Error('The till script was not built: the assets have no "till" entry');
        return htmlResponse(200, tillPage(assetUrl(script)), TILL_PAGE_POLICY);
      },
      'GET /assets/{name}': async ({ params }) => assetResponse(assets, params.name ?? ''),
      'GET /v/{token}': async ({ params, event }) => {
        const page = await viewMessage(viewing, params.token);
        return page ? html(200, page) : html(404, linkNotFoundPage(lang(event)));
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
