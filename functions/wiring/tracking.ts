import type { AppDeps } from '../deps';
import type { SmsEventDeps } from '../domain/sms/events';
import type { CouponStepDeps, TrackingDeps } from '../domain/tracking/engagement';
import type { ProviderEventDeps } from '../domain/tracking/ses-events';
import type { UnsubscribeDeps } from '../domain/tracking/unsubscribe';
import { pick } from './pick';

// Tracking: opens, clicks, short links, coupon views, unsubscribes, provider events

export const trackingDeps = (app: AppDeps): TrackingDeps & Pick<AppDeps, 'shortLinks'> => ({
  ...pick(app, 'engagement', 'clock', 'keyring', 'logger', 'shortLinks'),
  tooSoonSeconds: app.config.TRACK_TOO_SOON_SECONDS,
});

export const couponStepDeps = (app: AppDeps): CouponStepDeps => ({
  ...pick(app, 'engagement', 'clock', 'logger'),
  tooSoonSeconds: app.config.TRACK_TOO_SOON_SECONDS,
});

export const unsubscribeDeps = (app: AppDeps): UnsubscribeDeps =>
  pick(app, 'keyring', 'contacts', 'suppression', 'clock', 'engagement', 'publisher', 'logger');

export const providerEventDeps = (app: AppDeps): ProviderEventDeps => ({
  ...pick(app, 'engagement', 'contacts', 'suppression', 'events', 'clock', 'publisher'),
  ...(app.config.GUARD_BOUNCE_RATE > 0
    ? {
        guard: {
          campaigns: app.campaigns,
          limits: {
            bounceRate: app.config.GUARD_BOUNCE_RATE,
            minDeliveredForBounces: app.config.GUARD_MIN_DELIVERED,
            complaintRate: app.config.GUARD_COMPLAINT_RATE || 1,
            minDeliveredForComplaints: app.config.GUARD_MIN_DELIVERED_COMPLAINTS,
          },
          onPause: (campaignId: string, reason: string) => {
            app.logger.warn('Campaign paused by the deliverability guard', { campaignId, reason });
            app.metrics.count('CampaignsPausedByGuard', 1);
          },
        },
      }
    : {}),
});

export const smsEventDeps = (app: AppDeps): SmsEventDeps =>
  pick(app, 'engagement', 'contacts', 'suppression', 'events', 'clock', 'publisher');

export const inboundSmsDeps = (app: AppDeps): SmsEventDeps & { defaultCountry: string } => ({
  ...smsEventDeps(app),
  defaultCountry: app.config.DEFAULT_COUNTRY,
});

export const aggregatorDeps = (app: AppDeps) => pick(app, 'engagement', 'publisher');
