import {
  BadRequestException,
  type DeliveryStatus,
  ForbiddenException,
  InternalServerErrorException,
  type MessageResult,
  NotFoundException,
  PayloadTooLargeException,
  PinpointClient,
  PinpointServiceException,
  SendMessagesCommand,
  type SendMessagesCommandOutput,
  TooManyRequestsException,
} from '@aws-sdk/client-pinpoint';
import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  PinpointSMSVoiceV2ServiceException,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyPinpointError, PinpointSms } from '../../../functions/adapters/pinpoint-sms';
import { classifySmsVoiceError, EndUserMessagingSms } from '../../../functions/adapters/sms-voice-v2';
import {
  type OutboundSms,
  SendFailure,
  type SendFailureKind,
} from '../../../functions/domain/shared/messaging';

const v2 = mockClient(PinpointSMSVoiceV2Client);
const v1 = mockClient(PinpointClient);
const v2Client = new PinpointSMSVoiceV2Client({ region: 'eu-west-3' });
const v1Client = new PinpointClient({ region: 'eu-west-3' });

const TO = '+33612345678';
const message: OutboundSms = {
  to: TO,
  body: 'Relance: -20% in store until Sunday. Coupon https://r.example/c/abc STOP 36111',
  tags: { campaignId: 'cmp_1', contactId: 'ct_9' },
};

const meta = { $metadata: { httpStatusCode: 400 } };

/** The SendFailure a promise rejects with; anything else fails the test. */
async function failureOf(p: Promise<unknown>): Promise<SendFailure> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof SendFailure)) throw new Error(`expected a SendFailure, got ${String(outcome)}`);
  return outcome;
}

/** Network-level failures that never reach the service, shared by both adapters. */
const networkErrors: [string, Error][] = [
  ['a socket timeout', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  [
    'a refused connection',
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
  ],
  ['an aborted request', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
];

beforeEach(() => {
  v2.reset();
  v1.reset();
});

describe('EndUserMessagingSms', () => {
  function inputOf() {
    const calls = v2.commandCalls(SendTextMessageCommand);
    expect(calls).toHaveLength(1);
    return calls[0]?.args[0].input;
  }

  it('sends one promotional SendTextMessage from the origination identity, tags as Context', async () => {
    v2.on(SendTextMessageCommand).resolves({ MessageId: 'msg-1' });
    const sms = new EndUserMessagingSms(v2Client, { originationIdentity: 'pool-abc' });

    await expect(sms.send(message)).resolves.toEqual({ messageId: 'msg-1' });
    expect(inputOf()).toEqual({
      DestinationPhoneNumber: TO,
      OriginationIdentity: 'pool-abc',
      MessageBody: message.body,
      MessageType: 'PROMOTIONAL',
      Context: { campaignId: 'cmp_1', contactId: 'ct_9' },
    });
  });

  it('adds the configuration set, price ceiling and protect configuration when configured', async () => {
    v2.on(SendTextMessageCommand).resolves({ MessageId: 'msg-2' });
    const sms = new EndUserMessagingSms(v2Client, {
      originationIdentity: 'arn:aws:sms-voice:eu-west-3:111122223333:pool/pool-abc',
      configurationSetName: 'relance-sms',
      maxPrice: '0.10',
      protectConfigurationId: 'protect-123',
    });

    await expect(sms.send(message)).resolves.toEqual({ messageId: 'msg-2' });
    expect(inputOf()).toEqual({
      DestinationPhoneNumber: TO,
      OriginationIdentity: 'arn:aws:sms-voice:eu-west-3:111122223333:pool/pool-abc',
      MessageBody: message.body,
      MessageType: 'PROMOTIONAL',
      ConfigurationSetName: 'relance-sms',
      MaxPrice: '0.10',
      ProtectConfigurationId: 'protect-123',
      Context: { campaignId: 'cmp_1', contactId: 'ct_9' },
    });
  });

  it('returns an empty message id when the service omits one', async () => {
    v2.on(SendTextMessageCommand).resolves({});
    const sms = new EndUserMessagingSms(v2Client, { originationIdentity: 'pool-abc' });
    await expect(sms.send(message)).resolves.toEqual({ messageId: '' });
  });

  const cases: [string, Error, SendFailureKind][] = [
    ['throttling', new ThrottlingException({ message: 'Rate exceeded', ...meta }), 'throttled'],
    ['a quota without reason', new ServiceQuotaExceededException({ message: 'Quota', ...meta }), 'throttled'],
    [
      'the monthly text spend limit',
      new ServiceQuotaExceededException({
        message: 'Spend',
        ...meta,
        Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      }),
      'fatal',
    ],
    [
      'the monthly media spend limit',
      new ServiceQuotaExceededException({
        message: 'Spend',
        ...meta,
        Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_MEDIA',
      }),
      'fatal',
    ],
    [
      'an account resource quota',
      new ServiceQuotaExceededException({
        message: 'Quota',
        ...meta,
        Reason: 'CONFIGURATION_SETS_PER_ACCOUNT',
      }),
      'fatal',
    ],
    [
      'the per-destination daily cap',
      new ServiceQuotaExceededException({ message: 'Cap', ...meta, Reason: 'DAILY_DESTINATION_CALL_LIMIT' }),
      'permanent',
    ],
    [
      'an opted-out destination',
      new ConflictException({ message: 'Opted out', ...meta, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }),
      'opted_out',
    ],
    [
      'an unverified destination (sandbox)',
      new ConflictException({
        message: 'Unverified',
        ...meta,
        Reason: 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED',
      }),
      'permanent',
    ],
    [
      'a destination blocked by the protect configuration',
      new ConflictException({
        message: 'Blocked',
        ...meta,
        Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
      }),
      'permanent',
    ],
    [
      'an identity that cannot send promotional messages',
      new ConflictException({ message: 'Mismatch', ...meta, Reason: 'MESSAGE_TYPE_MISMATCH' }),
      'fatal',
    ],
    [
      'an identity that cannot send SMS',
      new ConflictException({ message: 'Mismatch', ...meta, Reason: 'NUMBER_CAPABILITIES_MISMATCH' }),
      'fatal',
    ],
    [
      'an inactive identity',
      new ConflictException({ message: 'Inactive', ...meta, Reason: 'RESOURCE_NOT_ACTIVE' }),
      'fatal',
    ],
    ['a conflict without reason', new ConflictException({ message: 'Conflict', ...meta }), 'permanent'],
    [
      'an invalid destination number',
      new ValidationException({ message: 'Invalid', ...meta, Reason: 'INVALID_PARAMETER' }),
      'permanent',
    ],
    [
      'a route above the price ceiling',
      new ValidationException({ message: 'Too dear', ...meta, Reason: 'PRICE_OVER_THRESHOLD' }),
      'permanent',
    ],
    [
      'a blocked destination country',
      new ValidationException({ message: 'Blocked', ...meta, Reason: 'DESTINATION_COUNTRY_BLOCKED' }),
      'permanent',
    ],
    [
      'an identity unfit for the destination country',
      new ValidationException({
        message: 'Identity',
        ...meta,
        Reason: 'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY',
      }),
      'permanent',
    ],
    [
      'a malformed identity ARN',
      new ValidationException({ message: 'ARN', ...meta, Reason: 'INVALID_ARN' }),
      'fatal',
    ],
    [
      'an identity of another account',
      new ValidationException({ message: 'Access', ...meta, Reason: 'RESOURCE_NOT_ACCESSIBLE' }),
      'fatal',
    ],
    [
      'a channel not enabled on the identity',
      new ValidationException({ message: 'Channel', ...meta, Reason: 'CHANNEL_NOT_ENABLED' }),
      'fatal',
    ],
    [
      'incompatible configured parameters',
      new ValidationException({ message: 'Params', ...meta, Reason: 'PARAMETERS_CANNOT_BE_USED_TOGETHER' }),
      'fatal',
    ],
    ['a validation without reason', new ValidationException({ message: 'Invalid', ...meta }), 'permanent'],
    [
      'a missing configuration set',
      new ResourceNotFoundException({ message: 'Not found', ...meta, ResourceType: 'configuration-set' }),
      'fatal',
    ],
    [
      'a missing pool',
      new ResourceNotFoundException({
        message: 'Not found',
        ...meta,
        ResourceType: 'pool',
        ResourceId: 'pool-abc',
      }),
      'fatal',
    ],
    [
      'a disabled account',
      new AccessDeniedException({ message: 'Denied', ...meta, Reason: 'ACCOUNT_DISABLED' }),
      'fatal',
    ],
    ['missing permissions', new AccessDeniedException({ message: 'Denied', ...meta }), 'fatal'],
    [
      'an internal server error',
      new InternalServerException({ message: 'Oops', $metadata: { httpStatusCode: 500 } }),
      'transient',
    ],
    [
      'an unmodelled 503',
      new PinpointSMSVoiceV2ServiceException({
        name: 'ServiceUnavailableException',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'Unavailable',
      }),
      'transient',
    ],
    [
      'an unmodelled client error',
      new PinpointSMSVoiceV2ServiceException({
        name: 'UnknownClientException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Nope',
      }),
      'permanent',
    ],
    ...networkErrors.map(([what, err]): [string, Error, SendFailureKind] => [what, err, 'transient']),
    ['a programming error', new TypeError('x is not a function'), 'permanent'],
  ];

  it.each(cases.map(([what, err, kind]) => [what, kind, err] as const))(
    'classifies %s as %s',
    async (_what, kind, err) => {
      v2.on(SendTextMessageCommand).rejects(err);
      const sms = new EndUserMessagingSms(v2Client, { originationIdentity: 'pool-abc' });

      const failure = await failureOf(sms.send(message));
      expect(failure.kind).toBe(kind);
      expect(failure.message).toBe(`${err.name}: ${err.message}`);
      expect(classifySmsVoiceError(err)).toBe(kind);
    },
  );
});

describe('PinpointSms', () => {
  function inputOf() {
    const calls = v1.commandCalls(SendMessagesCommand);
    expect(calls).toHaveLength(1);
    return calls[0]?.args[0].input;
  }

  /** A 200 answer carrying one per-address result. */
  function answer(result: MessageResult | undefined): Partial<SendMessagesCommandOutput> {
    return {
      MessageResponse: {
        ApplicationId: 'app-1',
        RequestId: 'req-1',
        ...(result ? { Result: { [TO]: result } } : {}),
      },
    };
  }

  it('sends one promotional SMS to the address, tags as Context', async () => {
    v1.on(SendMessagesCommand).resolves(
      answer({
        DeliveryStatus: 'SUCCESSFUL',
        StatusCode: 200,
        StatusMessage: 'MessageId: pp-1',
        MessageId: 'pp-1',
      }),
    );
    const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });

    await expect(sms.send(message)).resolves.toEqual({ messageId: 'pp-1' });
    expect(inputOf()).toEqual({
      ApplicationId: 'app-1',
      MessageRequest: {
        Addresses: { [TO]: { ChannelType: 'SMS' } },
        MessageConfiguration: { SMSMessage: { Body: message.body, MessageType: 'PROMOTIONAL' } },
        Context: { campaignId: 'cmp_1', contactId: 'ct_9' },
      },
    });
  });

  it('adds the origination number and sender ID when configured', async () => {
    v1.on(SendMessagesCommand).resolves(
      answer({ DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'pp-2' }),
    );
    const sms = new PinpointSms(v1Client, {
      applicationId: 'app-1',
      originationNumber: '+33700000000',
      senderId: 'RELANCE',
    });

    await expect(sms.send(message)).resolves.toEqual({ messageId: 'pp-2' });
    expect(inputOf()).toEqual({
      ApplicationId: 'app-1',
      MessageRequest: {
        Addresses: { [TO]: { ChannelType: 'SMS' } },
        MessageConfiguration: {
          SMSMessage: {
            Body: message.body,
            MessageType: 'PROMOTIONAL',
            OriginationNumber: '+33700000000',
            SenderId: 'RELANCE',
          },
        },
        Context: { campaignId: 'cmp_1', contactId: 'ct_9' },
      },
    });
  });

  const statuses: [string, SendFailureKind][] = [
    ['THROTTLED', 'throttled'],
    ['TEMPORARY_FAILURE', 'transient'],
    // Not retried: the message may have gone, and a second text is worse than a missing one.
    ['UNKNOWN_FAILURE', 'permanent'],
    ['PERMANENT_FAILURE', 'permanent'],
    ['OPT_OUT', 'opted_out'],
    ['SOME_FUTURE_STATUS', 'permanent'],
  ];

  it.each(statuses)('turns a %s address result into a %s failure', async (status, kind) => {
    v1.on(SendMessagesCommand).resolves(
      answer({
        DeliveryStatus: status as DeliveryStatus,
        StatusCode: 400,
        StatusMessage: `because ${status}`,
      }),
    );
    const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });

    const failure = await failureOf(sms.send(message));
    expect(failure.kind).toBe(kind);
    expect(failure.message).toBe(`${status}: because ${status} (400)`);
  });

  it('answers a DUPLICATE as sent: the first copy went', async () => {
    v1.on(SendMessagesCommand).resolves(
      answer({ DeliveryStatus: 'DUPLICATE', StatusCode: 200, MessageId: 'm-dup' }),
    );
    const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });
    expect(await sms.send(message)).toEqual({ messageId: 'm-dup' });
  });

  it('treats an answer without a result for the address as an unknown failure, not retried', async () => {
    v1.on(SendMessagesCommand).resolves(answer(undefined));
    const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });

    const failure = await failureOf(sms.send(message));
    expect(failure.kind).toBe('permanent');
    expect(failure.message).toBe('UNKNOWN_FAILURE: no status message (no status code)');
  });

  it('ignores results for other addresses', async () => {
    v1.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: { '+33600000000': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'other' } },
      },
    });
    const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });

    expect((await failureOf(sms.send(message))).kind).toBe('permanent');
  });

  const cases: [string, Error, SendFailureKind][] = [
    ['too many requests', new TooManyRequestsException({ message: 'Slow down', ...meta }), 'throttled'],
    ['a forbidden request', new ForbiddenException({ message: 'Forbidden', ...meta }), 'fatal'],
    ['a missing application', new NotFoundException({ message: 'No app', ...meta }), 'fatal'],
    ['a bad request', new BadRequestException({ message: 'Bad', ...meta }), 'permanent'],
    ['an unmodelled client error', new PayloadTooLargeException({ message: 'Large', ...meta }), 'permanent'],
    [
      'an internal server error',
      new InternalServerErrorException({ message: 'Oops', $metadata: { httpStatusCode: 500 } }),
      'transient',
    ],
    [
      'an unmodelled 503',
      new PinpointServiceException({
        name: 'ServiceUnavailableException',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'Unavailable',
      }),
      'transient',
    ],
    ...networkErrors.map(([what, err]): [string, Error, SendFailureKind] => [what, err, 'transient']),
    ['a programming error', new TypeError('x is not a function'), 'permanent'],
  ];

  it.each(cases.map(([what, err, kind]) => [what, kind, err] as const))(
    'classifies %s as %s',
    async (_what, kind, err) => {
      v1.on(SendMessagesCommand).rejects(err);
      const sms = new PinpointSms(v1Client, { applicationId: 'app-1' });

      const failure = await failureOf(sms.send(message));
      expect(failure.kind).toBe(kind);
      expect(failure.message).toBe(`${err.name}: ${err.message}`);
      expect(classifyPinpointError(err)).toBe(kind);
    },
  );
});
