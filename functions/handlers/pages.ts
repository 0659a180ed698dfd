import { type AppDeps, defaultDeps } from '../deps';
import { viewMessage } from '../domain/campaigns/view';
import { unsubscribe, unsubscribeRequest } from '../domain/tracking/unsubscribe';
import { header, httpHandler, lazyHandler } from '../http/api';
import { htmlResponse } from '../http/html';
import { httpOptions } from '../http/options';
import { linkNotFoundPage, pageLocale, unsubscribeConfirmPage, unsubscribedPage } from '../ui/pages/public';
import { TILL_PAGE_CSP, tillPage } from '../ui/pages/till';
import { unsubscribeDeps, viewMessageDeps } from '../wiring';

/** Pages here may show the email's remote images (view in browser). */
const html = (status: number, body: string) => htmlResponse(status, body, { img: '* data:' });

/**
 * Public pages reached from a message. A GET on the unsubscribe link only asks
 * for confirmation (link scanners follow GETs); a POST — the RFC 8058 one-click
 * request from the mailbox provider, or the page's button — unsubscribes at
 * once. A tampered token is a 404.
 */
export function makeHandler(deps: AppDeps) {
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
      'GET /till': async () => ({
        status: 200,
        body: tillPage(),
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': TILL_PAGE_CSP,
          'cache-control': 'no-cache',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
        },
      }),
      'GET /v/{token}': async ({ params, event }) => {
        const page = await viewMessage(viewing, params.token);
        return page ? html(200, page) : html(404, linkNotFoundPage(lang(event)));
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
