import { type AppDeps, defaultDeps } from '../deps';
import { type TrackedRequest, trackClick, trackOpen, trackShortLink } from '../domain/tracking/engagement';
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
import { linkNotFoundPage, pageLocale } from '../ui/pages/public';
import { trackingDeps } from '../wiring/tracking';

const NO_STORE = { 'cache-control': 'no-store, max-age=0', 'referrer-policy': 'no-referrer' };

function tracked(req: ApiRequest): TrackedRequest {
  const http = req.event.requestContext.http;
  return {
    token: req.params.token ?? req.params.code ?? '',
    method: http.method,
    userAgent: http.userAgent ?? header(req.event, 'user-agent') ?? '',
    sourceIp: http.sourceIp ?? '',
    requestId: req.event.requestContext.requestId,
  };
}

const notFoundPage = (req: ApiRequest): ApiResponse =>
  htmlResponse(404, linkNotFoundPage(pageLocale(undefined, header(req.event, 'accept-language'))), {
    cache: NO_STORE['cache-control'],
  });

/**
 * The open pixel and tracked links. A click is redirected (302) only to the
 * URL its token was signed for, so nobody can use the endpoint to redirect
 * elsewhere; a tampered or unknown token is a 404. Recording never blocks the
 * answer: a failure is logged and the browser still gets where it was going.
 */
export function makeHandler(deps: AppDeps) {
  const tracking = trackingDeps(deps);
  const click = async (req: ApiRequest): Promise<ApiResponse> => {
    const url = await trackClick(tracking, tracked(req));
    return url ? { status: 302, headers: { location: url, ...NO_STORE } } : notFoundPage(req);
  };
  const short = async (req: ApiRequest): Promise<ApiResponse> => {
    const url = await trackShortLink(tracking, tracked(req));
    return url ? { status: 302, headers: { location: url, ...NO_STORE } } : notFoundPage(req);
  };
  const open = async (req: ApiRequest): Promise<ApiResponse> =>
    (await trackOpen(tracking, tracked(req)))
      ? {
          status: 200,
          body: TRANSPARENT_GIF,
          base64: true,
          headers: { 'content-type': 'image/gif', ...NO_STORE },
        }
      : notFoundPage(req);
  return httpHandler(
    'tracking',
    {
      'GET /t/c/{token}': click,
      'HEAD /t/c/{token}': click,
      'GET /t/o/{token}': open,
      'HEAD /t/o/{token}': open,
      'GET /s/{code}': short,
      'HEAD /s/{code}': short,
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
