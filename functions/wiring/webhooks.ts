import type { AppDeps } from '../deps';
import type { DeliveryDeps } from '../domain/webhooks/delivery';
import { pick } from './pick';

// Webhooks

export const webhookDeps = (app: AppDeps) => pick(app, 'webhooks', 'clock', 'ids');

export const deliveryDeps = (app: AppDeps): DeliveryDeps => ({
  ...pick(app, 'webhooks', 'webhookQueue', 'clock', 'logger', 'metrics'),
  post: app.webhookPoster,
  backoffSeconds: app.config.WEBHOOK_BACKOFF_SECONDS,
});
