/** A channel-neutral outbound email, as the sender hands it to a provider. */
export interface OutboundEmail {
  to: string;
  from: string;
  replyTo?: string[];
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** Provider tags that come back on delivery, bounce and complaint events. */
  tags: Record<string, string>;
}

/**
 * Why a provider call failed, which decides what happens next: `throttled`
 * and `transient` are retried later, `permanent` fails this recipient only,
 * `fatal` (the account cannot send) pauses the campaign; `opted_out` (the
 * provider's opt-out list holds the number) skips the recipient and revokes
 * its SMS consent.
 */
export type SendFailureKind = 'throttled' | 'transient' | 'permanent' | 'fatal' | 'opted_out';

export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

/** One promotional text message, as the sender hands it to an SMS provider. */
export interface OutboundSms {
  /** E.164 phone number. */
  to: string;
  body: string;
  /** Passed through to the provider's delivery receipts (End User Messaging `Context`). */
  tags: Record<string, string>;
}
