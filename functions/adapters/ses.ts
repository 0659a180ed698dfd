import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { type OutboundEmail, SendFailure, type SendFailureKind } from '../domain/shared/messaging';
import type { EmailMessenger } from '../domain/shared/ports';
import { classifySdkError } from './provider-errors';

/** SES v2 errors, by what the sender should do about them. */
const KINDS: Record<string, SendFailureKind> = {
  TooManyRequestsException: 'throttled',
  LimitExceededException: 'throttled',
  ThrottlingException: 'throttled',
  SendingPausedException: 'fatal',
  AccountSuspendedException: 'fatal',
  MailFromDomainNotVerifiedException: 'fatal',
  NotFoundException: 'fatal',
  MessageRejected: 'permanent',
  BadRequestException: 'permanent',
};

/** Classifies an SDK error; unknown server-side faults are transient, client-side ones permanent. */
export function classifySesError(err: unknown): SendFailureKind {
  return classifySdkError(err, KINDS);
}

/**
 * Sends one personalised email with SES v2 `SendEmail` (simple content, so the
 * per-recipient headers — List-Unsubscribe — go with it), through the
 * configuration set whose events feed delivery, bounce and complaint tracking.
 */
export class SesMessenger implements EmailMessenger {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet: string | undefined,
  ) {}

  async send(m: OutboundEmail): Promise<{ messageId: string }> {
    try {
      const res = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: m.from,
          Destination: { ToAddresses: [m.to] },
          ...(m.replyTo?.length ? { ReplyToAddresses: m.replyTo } : {}),
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          EmailTags: Object.entries(m.tags).map(([Name, Value]) => ({ Name, Value })),
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: m.html, Charset: 'UTF-8' }, Text: { Data: m.text, Charset: 'UTF-8' } },
              Headers: Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
        }),
      );
      return { messageId: res.MessageId ?? '' };
    } catch (err) {
      throw new SendFailure(classifySesError(err), `${(err as Error).name}: ${(err as Error).message}`);
    }
  }
}
