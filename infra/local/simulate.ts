import type { IncomingMessage } from 'node:http';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent, EventBridgeEvent, SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import type { AppDeps } from '../../functions/deps';
import { normalisePhone } from '../../functions/domain/contacts/contact';
import { zodIssues } from '../../functions/domain/shared/errors';
import type { LocalSmsOutbox } from './sms-outbox';

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

const invalid = (error: z.ZodError) => ({
  status: 400,
  body: { error: 'validation_error', message: 'Not a valid simulated event', issues: zodIssues(error) },
});

/** An SNS notification carrying `message`, as SNS invokes a subscribed Lambda. */
export function snsEvent(topic: string, message: object): SNSEvent {
  const id = `local-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `arn:aws:sns:local:000000000000:${topic}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: id,
          TopicArn: `arn:aws:sns:local:000000000000:${topic}`,
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const smsEventSchema = z.strictObject({
  type: z.enum(['delivered', 'carrier-accepted', 'blocked', 'invalid', 'unreachable', 'expired']),
  campaignId: z.string().min(1),
  phone: z.string().min(3).optional(),
  contactId: z.string().min(1).optional(),
  /** What the provider billed for the message, in US dollars (on the final receipt). */
  price: z.number().nonnegative().optional(),
});

const SMS_EVENT_TYPE: Record<z.infer<typeof smsEventSchema>['type'], { eventType: string; status: string }> =
  {
    delivered: { eventType: 'TEXT_DELIVERED', status: 'DELIVERED' },
    'carrier-accepted': { eventType: 'TEXT_SUCCESSFUL', status: 'SUCCESSFUL' },
    blocked: { eventType: 'TEXT_BLOCKED', status: 'BLOCKED' },
    invalid: { eventType: 'TEXT_INVALID', status: 'INVALID' },
    unreachable: { eventType: 'TEXT_CARRIER_UNREACHABLE', status: 'CARRIER_UNREACHABLE' },
    expired: { eventType: 'TEXT_TTL_EXPIRED', status: 'TTL_EXPIRED' },
  };

/**
 * `POST /_local/sms-events`: the delivery receipt End User Messaging would
 * publish for a campaign's SMS to a contact, handed to the same handler as
 * in AWS (through an SNS-shaped event).
 */
export async function simulateSmsEvent(
  deps: AppDeps,
  outbox: LocalSmsOutbox,
  handler: (e: SNSEvent) => Promise<unknown>,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = smsEventSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const { type, campaignId, phone, contactId: givenId, price } = parsed.data;
  const e164 = phone ? normalisePhone(phone, deps.config.DEFAULT_COUNTRY) : undefined;
  // A phone may be shared (a household): the contact of that number this campaign texted.
  const holders = !givenId && e164 ? await deps.contacts.phoneHolders(e164) : undefined;
  const candidates = givenId
    ? [givenId]
    : [...new Set([...(holders?.ids ?? []), ...(holders?.identity ? [holders.identity] : [])])];
  let contactId: string | undefined;
  let send: Awaited<ReturnType<AppDeps['campaigns']['getSend']>>;
  for (const id of candidates) {
    send = await deps.campaigns.getSend(campaignId, id, 'sms');
    if (send?.messageId) {
      contactId = id;
      break;
    }
  }
  const sms = send?.messageId ? outbox.find(send.messageId) : undefined;
  if (!contactId || !send?.messageId) {
    return {
      status: 404,
      body: { error: 'not_found', message: 'No SMS of this campaign was sent to this contact', issues: [] },
    };
  }
  const { eventType, status } = SMS_EVENT_TYPE[type];
  const final = type !== 'carrier-accepted';
  const event = {
    eventType,
    eventVersion: '1.0',
    eventTimestamp: deps.clock.now().getTime(),
    isFinal: final,
    destinationPhoneNumber: sms?.to ?? e164,
    messageId: send.messageId,
    messageEncoding: sms?.encoding === 'UCS-2' ? 'UCS2' : 'GSM',
    messageType: 'PROMOTIONAL',
    messageStatus: status,
    messageStatusDescription: `Simulated ${type}`,
    context: { campaignId, contactId },
    totalMessageParts: sms?.segments ?? send.segments ?? 1,
    ...(final && price !== undefined ? { totalMessagePrice: price } : {}),
  };
  return { status: 202, body: await handler(snsEvent('relance-sms-events', event)) };
}

const inboundSchema = z.strictObject({
  from: z.string().min(3).max(32),
  body: z.string().max(1600),
});

/**
 * `POST /_local/sms/inbound`: a reply from a phone to our number, as the
 * two-way channel publishes it. STOP also puts the number on the local
 * outbox's opt-out list, as End User Messaging does with its own.
 */
export async function simulateInboundSms(
  deps: AppDeps,
  outbox: LocalSmsOutbox,
  handler: (e: SNSEvent) => Promise<unknown>,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = inboundSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const phone = normalisePhone(parsed.data.from, deps.config.DEFAULT_COUNTRY);
  if (!phone) {
    return {
      status: 400,
      body: {
        error: 'validation_error',
        message: 'Not a valid phone number',
        issues: [{ path: 'from', message: 'Invalid phone number' }],
      },
    };
  }
  const result = (await handler(
    snsEvent('relance-sms-inbound', {
      originationNumber: phone,
      destinationNumber: '+33700000000',
      messageKeyword: 'KEYWORD_LOCAL',
      messageBody: parsed.data.body,
      inboundMessageId: `local-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    }),
  )) as { statuses: string[] };
  if (result.statuses.includes('stopped')) outbox.optOut(phone);
  return { status: 202, body: result };
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
