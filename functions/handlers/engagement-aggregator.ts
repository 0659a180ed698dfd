import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { CHANNELS } from '../domain/contacts/contact';
import { aggregateEngagement } from '../domain/tracking/engagement';
import type { EngagementEvent } from '../domain/tracking/events';
import { lazyHandler } from '../memo';
import { aggregatorDeps } from '../wiring/tracking';

const engagementEvent = z.object({
  campaignId: z.string(),
  contactId: z.string(),
  kind: z.enum(['open', 'click']),
  at: z.string(),
  requestId: z.string(),
  machine: z.string().optional(),
  link: z.number().int().nonnegative().optional(),
  url: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
});

/**
 * The events table's stream (new opens and clicks) → unique marks and
 * counters, one counter update per campaign per batch. A batch that fails is
 * retried by the event source; events are claimed, so none counts twice.
 */
export function makeHandler(deps: AppDeps) {
  const aggregator = aggregatorDeps(deps);
  return async (event: DynamoDBStreamEvent) => {
    const events: EngagementEvent[] = [];
    for (const r of event.Records) {
      if (r.eventName !== 'INSERT' || !r.dynamodb?.NewImage) continue;
      const parsed = engagementEvent.safeParse(
        unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>),
      );
      if (parsed.success) events.push(parsed.data as EngagementEvent);
      else deps.logger.error('Stream record is not an engagement event: not counted', { eventID: r.eventID });
    }
    // All or nothing: a failed batch gives its claims back and throws, and the event source retries
    // it (bisecting down to a bad record).
    if (events.length) await aggregateEngagement(aggregator, events);
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
