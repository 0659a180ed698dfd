import type { IncomingMessage } from 'node:http';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import type { AppDeps } from '../../functions/deps';
import { zodIssues } from '../../functions/domain/errors';

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

const simulateSchema = z.strictObject({
  type: z.enum(['delivery', 'bounce', 'soft-bounce', 'complaint']),
  campaignId: z.string().min(1),
  email: z.string().min(3).optional(),
  contactId: z.string().min(1).optional(),
});

const SES_EVENT: Record<z.infer<typeof simulateSchema>['type'], { detailType: string; detail: object }> = {
  delivery: { detailType: 'Email Delivered', detail: { eventType: 'Delivery' } },
  bounce: {
    detailType: 'Email Bounced',
    detail: { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General' } },
  },
  'soft-bounce': {
    detailType: 'Email Bounced',
    detail: { eventType: 'Bounce', bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } },
  },
  complaint: {
    detailType: 'Email Complaint Received',
    detail: { eventType: 'Complaint', complaint: { complaintFeedbackType: 'abuse' } },
  },
};

/**
 * `POST /_local/ses-events`: builds the EventBridge event SES would publish for
 * a message of a campaign and hands it to the same events handler as in AWS,
 * so bounces and complaints can be tried without an AWS account.
 */
export async function simulateSesEvent(
  deps: AppDeps,
  handler: (e: EventBridgeEvent<string, unknown>) => Promise<unknown>,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = simulateSchema.safeParse(body);
  if (!parsed.success) {
    return {
      status: 400,
      body: {
        error: 'validation_error',
        message: 'Not a valid simulated event',
        issues: zodIssues(parsed.error),
      },
    };
  }
  const { type, campaignId, email, contactId: givenId } = parsed.data;
  const contactId =
    givenId ?? (email ? await deps.contacts.ownerOf('email', email.toLowerCase()) : undefined);
  const send = contactId ? await deps.campaigns.getSend(campaignId, contactId) : undefined;
  if (!contactId || !send?.messageId) {
    return {
      status: 404,
      body: {
        error: 'not_found',
        message: 'No message of this campaign was sent to this contact',
        issues: [],
      },
    };
  }
  const shape = SES_EVENT[type];
  const event = {
    version: '0',
    id: `local-${Date.now()}`,
    'detail-type': shape.detailType,
    source: 'aws.ses',
    account: '000000000000',
    time: new Date().toISOString(),
    region: deps.config.AWS_REGION,
    resources: [],
    detail: {
      ...shape.detail,
      mail: {
        messageId: send.messageId,
        timestamp: send.settledAt,
        tags: { campaignId: [campaignId], contactId: [contactId] },
      },
    },
  };
  return { status: 202, body: await handler(event as EventBridgeEvent<string, unknown>) };
}

/** The DynamoDB stream event the events table would emit for newly inserted items (JSON bodies). */
export function streamEvent(bodies: string[]): DynamoDBStreamEvent {
  return {
    Records: bodies.map((body, i) => ({
      eventID: `local-${Date.now()}-${i}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      dynamodb: {
        NewImage: marshall(JSON.parse(body), { removeUndefinedValues: true }) as never,
        StreamViewType: 'NEW_IMAGE',
      },
    })),
  };
}

/** The main table's stream event for coupon changes ({ before, after } JSON bodies), as NEW_AND_OLD_IMAGES. */
export function couponStreamEvent(bodies: string[]): DynamoDBStreamEvent {
  return {
    Records: bodies.map((body, i) => {
      const { before, after } = JSON.parse(body) as { before?: object; after: object };
      return {
        eventID: `local-coupon-${Date.now()}-${i}`,
        eventName: 'MODIFY',
        eventSource: 'aws:dynamodb',
        awsRegion: 'local',
        dynamodb: {
          NewImage: marshall(after, {
            removeUndefinedValues: true,
            convertClassInstanceToMap: true,
          }) as never,
          ...(before
            ? {
                OldImage: marshall(before, {
                  removeUndefinedValues: true,
                  convertClassInstanceToMap: true,
                }) as never,
              }
            : {}),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      };
    }),
  };
}
