import {
  type ConflictExceptionReason,
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  type ValidationExceptionReason,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { type OutboundSms, SendFailure, type SendFailureKind } from '../domain/shared/messaging';
import type { SmsMessenger } from '../domain/shared/ports';
import { classifySdkError } from './provider-errors';

/** End User Messaging errors whose kind does not depend on their `Reason`. */
const KINDS: Record<string, SendFailureKind> = {
  ThrottlingException: 'throttled',
  AccessDeniedException: 'fatal',
  ResourceNotFoundException: 'fatal',
  InternalServerException: 'transient',
};

/**
 * Conflicts that mean the sending identity cannot send at all, so every later
 * message would fail the same way; the other conflicts concern one destination.
 */
const FATAL_CONFLICTS = new Set<ConflictExceptionReason>([
  'MESSAGE_TYPE_MISMATCH',
  'NUMBER_CAPABILITIES_MISMATCH',
  'RESOURCE_NOT_ACTIVE',
]);

/**
 * Validation failures that point at our configuration (origination identity,
 * configuration set, protect configuration) rather than at the recipient.
 * Country-specific ones (sender ID not registered there, country blocked) stay
 * permanent: they fail one destination country, not the whole campaign.
 */
const FATAL_VALIDATIONS = new Set<ValidationExceptionReason>([
  'INVALID_ARN',
  'RESOURCE_NOT_ACCESSIBLE',
  'CHANNEL_NOT_ENABLED',
  'PARAMETERS_CANNOT_BE_USED_TOGETHER',
]);

/**
 * A quota error on send. Throughput limits arrive as `ThrottlingException`, and
 * none of the service's quota reasons is a rate, so a named reason is a cap that
 * waiting minutes will not lift: spend limits and account caps halt the campaign,
 * the per-destination daily cap fails that one message. Without a reason we back
 * off, as for a rate quota.
 */
function classifyQuota(reason: string | undefined): SendFailureKind {
  if (!reason) return 'throttled';
  if (reason === 'DAILY_DESTINATION_CALL_LIMIT') return 'permanent';
  return 'fatal';
}

/** Classifies an SDK error; unknown server-side faults are transient, client-side ones permanent. */
export function classifySmsVoiceError(err: unknown): SendFailureKind {
  const e = err as { name?: string; Reason?: string };
  switch (e.name) {
    case 'ServiceQuotaExceededException':
      return classifyQuota(e.Reason);
    case 'ConflictException':
      if (e.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') return 'opted_out';
      return FATAL_CONFLICTS.has(e.Reason as ConflictExceptionReason) ? 'fatal' : 'permanent';
    case 'ValidationException':
      return FATAL_VALIDATIONS.has(e.Reason as ValidationExceptionReason) ? 'fatal' : 'permanent';
  }
  return classifySdkError(err, KINDS);
}

export interface EndUserMessagingSmsOptions {
  /** Phone number, sender ID or pool (ID or ARN) the message leaves from. */
  originationIdentity: string;
  /** Whose event destinations receive the delivery receipts. */
  configurationSetName?: string;
  /** Per-message price ceiling (USD, as a decimal string), so an expensive route fails instead of billing. */
  maxPrice?: string;
  protectConfigurationId?: string;
}

/**
 * Sends one promotional SMS with AWS End User Messaging SMS (`SendTextMessage`).
 * The message tags travel as `Context`, so delivery receipts name the campaign
 * and contact they belong to.
 */
export class EndUserMessagingSms implements SmsMessenger {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: EndUserMessagingSmsOptions,
  ) {}

  async send(m: OutboundSms): Promise<{ messageId: string }> {
    const o = this.options;
    try {
      const res = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: m.to,
          OriginationIdentity: o.originationIdentity,
          MessageBody: m.body,
          MessageType: 'PROMOTIONAL',
          ...(o.configurationSetName ? { ConfigurationSetName: o.configurationSetName } : {}),
          ...(o.maxPrice ? { MaxPrice: o.maxPrice } : {}),
          ...(o.protectConfigurationId ? { ProtectConfigurationId: o.protectConfigurationId } : {}),
          Context: m.tags,
        }),
      );
      return { messageId: res.MessageId ?? '' };
    } catch (err) {
      throw new SendFailure(classifySmsVoiceError(err), `${(err as Error).name}: ${(err as Error).message}`);
    }
  }
}
