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

/**
 * The operational figures an engineer watches (CloudWatch metrics in AWS, namespace `Relance`):
 * one name per thing counted, with at most one dimension.
 */
export const METRIC_NAMES = [
  'MessagesSent',
  'MessagesFailed',
  'MessagesSkipped',
  'ProviderThrottles',
  'Redemptions',
  'ImportRows',
  'ImportRowsRejected',
  'WebhookFailures',
  'CampaignsPausedByGuard',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricSink {
  count(name: MetricName, value: number, dimension?: { name: 'Channel' | 'Kind'; value: string }): void;
}

/** Counts nothing (tests, the local stack). */
export const noMetrics: MetricSink = { count: () => undefined };

/** A work queue (SQS in AWS, in-process locally). */
export interface WorkQueue<T> {
  enqueue(messages: T[], delaySeconds?: number): Promise<void>;
}
