import type { OutboundEmail, OutboundSms } from './messaging';

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** A new unique, roughly time-ordered id with a readable prefix (`c_…`, `k_…`). */
  next(prefix: string): string;
}

export interface EmailMessenger {
  send(message: OutboundEmail): Promise<{ messageId: string }>;
}

export interface SmsMessenger {
  send(message: OutboundSms): Promise<{ messageId: string }>;
}

/** A work queue (SQS in AWS, in-process locally). */
export interface WorkQueue<T> {
  enqueue(messages: T[], delaySeconds?: number): Promise<void>;
}
