import { randomUUID } from 'node:crypto';
import { type OutboundSms, SendFailure } from '../../functions/domain/shared/messaging';
import type { Clock, SmsMessenger } from '../../functions/domain/shared/ports';
import { smsSize } from '../../functions/domain/sms/encoding';

/** One SMS as the local outbox keeps it. */
export interface LocalSms {
  id: string;
  to: string;
  body: string;
  tags: Record<string, string>;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  at: string;
}

/**
 * The local stand-in for End User Messaging: SMS land here instead of on a
 * phone, and `GET /_local/messages` lists them. Like the real service, it keeps
 * an opt-out list — a number that replied STOP is refused (`opted_out`).
 */
export class LocalSmsOutbox implements SmsMessenger {
  readonly sent: LocalSms[] = [];
  private readonly optedOut = new Set<string>();

  constructor(private readonly clock: Clock) {}

  async send(m: OutboundSms): Promise<{ messageId: string }> {
    if (this.optedOut.has(m.to)) {
      throw new SendFailure('opted_out', 'ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT');
    }
    const size = smsSize(m.body);
    const sms: LocalSms = {
      id: randomUUID(),
      to: m.to,
      body: m.body,
      tags: m.tags,
      encoding: size.encoding,
      segments: size.segments,
      at: this.clock.now().toISOString(),
    };
    this.sent.push(sms);
    return { messageId: sms.id };
  }

  /** What the provider does on a STOP reply: the number joins its opt-out list. */
  optOut(phone: string): void {
    this.optedOut.add(phone);
  }

  find(messageId: string): LocalSms | undefined {
    return this.sent.find((s) => s.id === messageId);
  }
}
