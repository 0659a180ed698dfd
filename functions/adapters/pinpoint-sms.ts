import {
  type DeliveryStatus,
  type MessageResult,
  type PinpointClient,
  SendMessagesCommand,
} from '@aws-sdk/client-pinpoint';
import { type OutboundSms, SendFailure, type SendFailureKind } from '../domain/shared/messaging';
import type { SmsMessenger } from '../domain/shared/ports';
import { classifySdkError } from './provider-errors';

/** Pinpoint SDK errors, by what the sender should do about them. */
const KINDS: Record<string, SendFailureKind> = {
  TooManyRequestsException: 'throttled',
  ForbiddenException: 'fatal',
  NotFoundException: 'fatal',
  BadRequestException: 'permanent',
  InternalServerErrorException: 'transient',
};

/** Classifies an SDK error; unknown server-side faults are transient, client-side ones permanent. */
export function classifyPinpointError(err: unknown): SendFailureKind {
  return classifySdkError(err, KINDS);
}

/**
 * Pinpoint answers 200 and reports each address's fate in the body, so a failed
 * send is a status, not an exception. An unknown failure is not retried: the
 * message may have gone, and texting someone twice is worse than once less.
 * A duplicate means the first copy went (or will): it is answered as sent.
 */
const DELIVERY_KINDS: Record<Exclude<DeliveryStatus, 'SUCCESSFUL' | 'DUPLICATE'>, SendFailureKind> = {
  THROTTLED: 'throttled',
  TEMPORARY_FAILURE: 'transient',
  UNKNOWN_FAILURE: 'permanent',
  PERMANENT_FAILURE: 'permanent',
  OPT_OUT: 'opted_out',
};

export interface PinpointSmsOptions {
  applicationId: string;
  /** Long code, short code or toll-free number to send from; Pinpoint picks one when absent. */
  originationNumber?: string;
  /** Alphanumeric sender, where the destination country allows it. */
  senderId?: string;
}

/**
 * Sends one promotional SMS with Amazon Pinpoint `SendMessages`, for accounts
 * still on Pinpoint rather than End User Messaging. The message tags travel as
 * the request `Context`, so event-stream records name the campaign and contact.
 */
export class PinpointSms implements SmsMessenger {
  constructor(
    private readonly client: PinpointClient,
    private readonly options: PinpointSmsOptions,
  ) {}

  async send(m: OutboundSms): Promise<{ messageId: string }> {
    const o = this.options;
    let result: Partial<MessageResult>;
    try {
      const res = await this.client.send(
        new SendMessagesCommand({
          ApplicationId: o.applicationId,
          MessageRequest: {
            Addresses: { [m.to]: { ChannelType: 'SMS' } },
            MessageConfiguration: {
              SMSMessage: {
                Body: m.body,
                MessageType: 'PROMOTIONAL',
                ...(o.originationNumber ? { OriginationNumber: o.originationNumber } : {}),
                ...(o.senderId ? { SenderId: o.senderId } : {}),
              },
            },
            Context: m.tags,
          },
        }),
      );
      result = res.MessageResponse?.Result?.[m.to] ?? {};
    } catch (err) {
      throw new SendFailure(classifyPinpointError(err), `${(err as Error).name}: ${(err as Error).message}`);
    }
    // A missing result, or a status this SDK does not know, says no more than UNKNOWN_FAILURE does.
    const status = result.DeliveryStatus ?? 'UNKNOWN_FAILURE';
    if (status === 'SUCCESSFUL' || status === 'DUPLICATE') return { messageId: result.MessageId ?? '' };
    const kinds: Partial<Record<string, SendFailureKind>> = DELIVERY_KINDS;
    throw new SendFailure(
      kinds[status] ?? 'permanent',
      `${status}: ${result.StatusMessage ?? 'no status message'} (${result.StatusCode ?? 'no status code'})`,
    );
  }
}
