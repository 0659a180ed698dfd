import type { Role } from './domain/keys/api-keys';

/**
 * Every HTTP route, in one table. The CDK stack creates API Gateway routes
 * from it, the local server matches requests with it, and each handler
 * checks the caller's role against it: one source of truth for who may call what.
 */
export interface RouteDef {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The Lambda (file in functions/handlers/) that serves the route. */
  fn: FunctionName;
  /** Roles allowed to call it; `public` routes have no authorizer. */
  auth: readonly Role[] | 'public';
  /** What the body must be; routes without a body ignore it. */
  body?: 'json' | 'csv';
}

export const FUNCTIONS = [
  'health',
  'keys',
  'contacts',
  'contacts-import',
  'purchases',
  'stores',
  'templates',
  'campaigns',
  'pages',
  'tracking',
  'reports',
  'coupons',
  'coupon-pages',
  'automations',
  'signups',
  'webhooks',
  'imports',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const marketer = ['marketer'] as const;
/** The till: a store key, for its own store only (the store comes from the key). */
const till = ['store'] as const;

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/health', fn: 'health', auth: 'public' },
  { method: 'POST', path: '/v1/keys', fn: 'keys', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/keys', fn: 'keys', auth: marketer },
  { method: 'DELETE', path: '/v1/keys/{id}', fn: 'keys', auth: marketer },
  { method: 'PUT', path: '/v1/contacts', fn: 'contacts', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/contacts', fn: 'contacts', auth: marketer },
  { method: 'GET', path: '/v1/contacts/{id}', fn: 'contacts', auth: marketer },
  { method: 'DELETE', path: '/v1/contacts/{id}', fn: 'contacts', auth: marketer },
  { method: 'POST', path: '/v1/contacts/import', fn: 'contacts-import', auth: marketer, body: 'csv' },
  { method: 'POST', path: '/v1/purchases', fn: 'purchases', auth: marketer, body: 'json' },
  // Files of any size (customer files, till receipts) as jobs: uploaded to a presigned URL, read in chunks.
  { method: 'POST', path: '/v1/imports', fn: 'imports', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/imports', fn: 'imports', auth: marketer },
  { method: 'GET', path: '/v1/imports/{id}', fn: 'imports', auth: marketer },
  { method: 'GET', path: '/v1/imports/{id}/rejected.csv', fn: 'imports', auth: marketer },
  { method: 'PUT', path: '/v1/stores/{id}', fn: 'stores', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/stores', fn: 'stores', auth: marketer },
  { method: 'GET', path: '/v1/templates', fn: 'templates', auth: marketer },
  { method: 'POST', path: '/v1/templates/{name}/preview', fn: 'templates', auth: marketer, body: 'json' },
  { method: 'POST', path: '/v1/segments/preview', fn: 'campaigns', auth: marketer, body: 'json' },
  { method: 'POST', path: '/v1/campaigns', fn: 'campaigns', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/campaigns', fn: 'campaigns', auth: marketer },
  { method: 'GET', path: '/v1/campaigns/{id}', fn: 'campaigns', auth: marketer },
  { method: 'POST', path: '/v1/campaigns/{id}/send', fn: 'campaigns', auth: marketer },
  { method: 'POST', path: '/v1/campaigns/{id}/pause', fn: 'campaigns', auth: marketer },
  { method: 'POST', path: '/v1/campaigns/{id}/resume', fn: 'campaigns', auth: marketer },
  { method: 'POST', path: '/v1/campaigns/{id}/cancel', fn: 'campaigns', auth: marketer },
  // Public pages reached from messages; their tokens are HMAC-signed.
  { method: 'GET', path: '/u/{token}', fn: 'pages', auth: 'public' },
  { method: 'POST', path: '/u/{token}', fn: 'pages', auth: 'public' },
  { method: 'GET', path: '/v/{token}', fn: 'pages', auth: 'public' },
  // Open pixel and tracked links: HEAD requests are answered too, and counted as machines.
  { method: 'GET', path: '/t/o/{token}', fn: 'tracking', auth: 'public' },
  { method: 'HEAD', path: '/t/o/{token}', fn: 'tracking', auth: 'public' },
  { method: 'GET', path: '/t/c/{token}', fn: 'tracking', auth: 'public' },
  { method: 'HEAD', path: '/t/c/{token}', fn: 'tracking', auth: 'public' },
  // Short tracked links of SMS: the code is the key of the stored link.
  { method: 'GET', path: '/s/{code}', fn: 'tracking', auth: 'public' },
  { method: 'HEAD', path: '/s/{code}', fn: 'tracking', auth: 'public' },
  { method: 'GET', path: '/v1/campaigns/{id}/report', fn: 'reports', auth: marketer },
  { method: 'GET', path: '/v1/campaigns/{id}/report.csv', fn: 'reports', auth: marketer },
  { method: 'GET', path: '/v1/campaigns/{id}/report.html', fn: 'reports', auth: marketer },
  // The management view: every campaign and automation of a period.
  { method: 'GET', path: '/v1/reports/summary', fn: 'reports', auth: marketer },
  { method: 'GET', path: '/v1/reports/summary.csv', fn: 'reports', auth: marketer },
  { method: 'GET', path: '/v1/reports/summary.html', fn: 'reports', auth: marketer },
  // The till: validate, redeem, undo.
  { method: 'GET', path: '/v1/coupons/{code}', fn: 'coupons', auth: till },
  { method: 'POST', path: '/v1/coupons/{code}/redeem', fn: 'coupons', auth: till, body: 'json' },
  { method: 'POST', path: '/v1/coupons/{code}/void', fn: 'coupons', auth: till, body: 'json' },
  // The printable coupon (HTML, or PDF with ?format=pdf), its barcode and QR code, and the print beacon.
  { method: 'GET', path: '/c/{token}', fn: 'coupon-pages', auth: 'public' },
  { method: 'GET', path: '/c/{token}/barcode.png', fn: 'coupon-pages', auth: 'public' },
  { method: 'GET', path: '/c/{token}/qr.png', fn: 'coupon-pages', auth: 'public' },
  { method: 'GET', path: '/c/{token}/printed.gif', fn: 'coupon-pages', auth: 'public' },
  // The till page for shop staff (static; it calls the till API with the store key it keeps), and the
  // scripts pages load (built from functions/ui/browser, named after their content's hash).
  { method: 'GET', path: '/till', fn: 'pages', auth: 'public' },
  { method: 'GET', path: '/assets/{name}', fn: 'pages', auth: 'public' },
  // Automations: a campaign that runs every day by itself (the win-back journey), paused and resumed.
  { method: 'POST', path: '/v1/automations', fn: 'automations', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/automations', fn: 'automations', auth: marketer },
  { method: 'GET', path: '/v1/automations/{id}', fn: 'automations', auth: marketer },
  { method: 'POST', path: '/v1/automations/{id}/pause', fn: 'automations', auth: marketer },
  { method: 'POST', path: '/v1/automations/{id}/resume', fn: 'automations', auth: marketer },
  // Sign-ups in the shop (a store key), confirmed by the customer through a double opt-in email.
  { method: 'POST', path: '/v1/signups', fn: 'signups', auth: till, body: 'json' },
  { method: 'GET', path: '/optin/{token}', fn: 'signups', auth: 'public' },
  { method: 'POST', path: '/optin/{token}', fn: 'signups', auth: 'public' },
  // Outgoing webhooks: endpoints a marketer registers for events, and what was delivered to them.
  { method: 'POST', path: '/v1/webhooks', fn: 'webhooks', auth: marketer, body: 'json' },
  { method: 'GET', path: '/v1/webhooks', fn: 'webhooks', auth: marketer },
  { method: 'DELETE', path: '/v1/webhooks/{id}', fn: 'webhooks', auth: marketer },
  { method: 'GET', path: '/v1/webhooks/{id}/deliveries', fn: 'webhooks', auth: marketer },
];

/** Functions fed by queues and events rather than HTTP. */
export const WORKERS = [
  'planner',
  'sender',
  'ses-events',
  'engagement-aggregator',
  'redemptions',
  'sms-events',
  'sms-inbound',
  'automation-runner',
  'webhook-deliverer',
  'import-worker',
] as const;
export type WorkerName = (typeof WORKERS)[number];

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

export function routesOf(fn: FunctionName): RouteDef[] {
  return ROUTES.filter((r) => r.fn === fn);
}
