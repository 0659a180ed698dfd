import { type AppDeps, defaultDeps } from '../deps';
import { buildEmail, prepareContent } from '../domain/campaigns/message';
import { suppressContactChannel } from '../domain/contacts/customer-file';
import { verifyToken } from '../domain/shared/tokens';
import { emit } from '../domain/webhooks/webhook';
import { header, htmlPage, httpHandler, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { linkNotFoundPage, pageLocale, unsubscribeConfirmPage, unsubscribedPage } from '../ui/pages/public';
import { TILL_PAGE_CSP, tillPage } from '../ui/pages/till';

type MessageRef = { c: string; k: string };

/** Pages here may show the email's remote images (view in browser). */
const html = (status: number, body: string) => htmlPage(status, body, '* data:');

/**
 * Public pages reached from a message. A GET on the unsubscribe link only asks
 * for confirmation (link scanners follow GETs); a POST — the RFC 8058 one-click
 * request from the mailbox provider, or the page's button — unsubscribes at
 * once. A tampered token is a 404.
 */
export function makeHandler(deps: AppDeps) {
  const company = deps.config.COMPANY_NAME;
  const read = async (token: string | undefined, purpose: 'unsubscribe' | 'view') =>
    token ? verifyToken<MessageRef>(await deps.keyring(), purpose, token) : undefined;
  const lang = (event: Parameters<typeof header>[0], contactLocale?: string) =>
    pageLocale(contactLocale, header(event, 'accept-language'));

  return httpHandler(
    'pages',
    {
      'GET /u/{token}': async ({ params, event }) => {
        const ref = await read(params.token, 'unsubscribe');
        if (!ref) return html(404, linkNotFoundPage(lang(event)));
        const contact = await deps.contacts.get(ref.k);
        return html(
          200,
          unsubscribeConfirmPage(lang(event, contact?.locale), company, contact?.email, event.rawPath),
        );
      },
      'POST /u/{token}': async ({ params, event }) => {
        const ref = await read(params.token, 'unsubscribe');
        if (!ref) return html(404, linkNotFoundPage(lang(event)));
        const contact = await deps.contacts.get(ref.k);
        // An erased contact is already suppressed by its keyed hash: the answer is the same.
        if (contact) await suppressContactChannel(deps, contact.id, 'email', `unsubscribe:${ref.c}`);
        const at = deps.clock.now().toISOString();
        if (await deps.engagement.markFirst(ref.c, ref.k, 'unsubscribedAt', at)) {
          await deps.engagement.count(ref.c, { unsubscribed: 1 });
          await emit(deps.publisher, [
            { type: 'unsubscribed', at, campaignId: ref.c, contactId: ref.k, channel: 'email' },
          ]);
        }
        deps.logger.info('Unsubscribed', { campaignId: ref.c, contactId: ref.k });
        return html(200, unsubscribedPage(lang(event, contact?.locale), company));
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
        const ref = await read(params.token, 'view');
        const [campaign, content, contact] = ref
          ? await Promise.all([
              deps.campaigns.get(ref.c),
              deps.campaigns.getContent(ref.c),
              deps.contacts.get(ref.k),
            ])
          : [];
        if (!campaign || !content || !contact?.email) return html(404, linkNotFoundPage(lang(event)));
        const ring = await deps.keyring();
        // The message as it was sent: its coupon and its send time (so the tracking tokens date from then).
        const sent = await deps.campaigns.getSend(campaign.id, contact.id);
        const coupon = sent?.couponCode ? await deps.coupons.get(sent.couponCode) : undefined;
        const sentAt = Date.parse(sent?.settledAt ?? sent?.claimedAt ?? '') || deps.clock.now().getTime();
        const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
        const { email } = await buildEmail(
          {
            company: { name: company, address: deps.config.COMPANY_ADDRESS },
            clock: deps.clock,
            timeZone: deps.config.DEFAULT_TIME_ZONE,
          },
          ring,
          campaign,
          prepareContent(content),
          { ...contact, email: contact.email },
          store,
          coupon,
          sentAt,
        );
        return html(200, email.html);
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
