import { type AppDeps, defaultDeps } from '../deps';
import { forbidden } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import {
  confirmOptin,
  inspectOptin,
  type OptinState,
  signUp,
  signupInputSchema,
} from '../domain/signups/signup';
import {
  type ApiRequest,
  type ApiResponse,
  header,
  httpHandler,
  json,
  lazyHandler,
  publicBaseUrl,
} from '../http/api';
import { htmlResponse } from '../http/html';
import { httpOptions } from '../http/options';
import { optinAlreadyPage, optinConfirmedPage, optinConfirmPage, optinExpiredPage } from '../ui/pages/optin';
import { linkNotFoundPage, pageLocale } from '../ui/pages/public';
import { signupDeps } from '../wiring/signups';

/**
 * Sign-ups in the shop: `POST /v1/signups` with a store key (the shop comes
 * from the key, never from the body) records the customer and their consent
 * and sends the double opt-in email; `GET /optin/{token}` asks the customer to
 * confirm (a GET never confirms: link scanners follow GETs) and
 * `POST /optin/{token}` confirms. A tampered or expired link is a 404 page.
 */
export function makeHandler(deps: AppDeps) {
  const company = deps.company;
  const signups = signupDeps(deps);
  const inputSchema = signupInputSchema(deps.config.DEFAULT_COUNTRY);
  const store = (req: ApiRequest) => {
    const id = req.principal?.storeId;
    if (!id) throw forbidden('Only a store key can sign customers up');
    return id;
  };
  const page = (state: OptinState, req: ApiRequest): ApiResponse => {
    const locale = pageLocale(
      'contact' in state ? state.contact.locale : undefined,
      header(req.event, 'accept-language'),
    );
    switch (state.kind) {
      case 'invalid':
        return htmlResponse(404, linkNotFoundPage(locale));
      case 'expired':
        return htmlResponse(404, optinExpiredPage(locale));
      case 'already':
        return htmlResponse(200, optinAlreadyPage(locale, company.name));
      case 'confirmed':
        return htmlResponse(200, optinConfirmedPage(locale, company.name));
      case 'pending':
        return htmlResponse(
          200,
          optinConfirmPage(locale, company.name, state.contact.email, req.event.rawPath),
        );
    }
  };

  return httpHandler(
    'signups',
    {
      'POST /v1/signups': async (req) => {
        const storeId = store(req);
        const result = await signUp(
          signups,
          storeId,
          parseInput(inputSchema, req.body),
          publicBaseUrl(req.event, deps.config.PUBLIC_BASE_URL),
        );
        deps.logger.info('Signed up in a shop', { storeId, email: result.email, sms: result.sms });
        // Accepted: what became of the file is not the shop's to know (the answer is the same either way).
        return json(202, result);
      },
      'GET /optin/{token}': async (req) => page(await inspectOptin(signups, req.params.token), req),
      'POST /optin/{token}': async (req) => {
        const state = await confirmOptin(signups, req.params.token);
        if (state.kind === 'confirmed')
          deps.logger.info('Sign-up confirmed', { contactId: state.contact.id });
        return page(state, req);
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
