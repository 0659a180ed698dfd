import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkQueue } from '../../functions/domain/shared/ports';

/** An SQS-triggered Lambda handler, as the event source mapping calls it. */
// biome-ignore lint/suspicious/noConfusingVoidType: an SQS Lambda may return nothing when every record succeeded
export type SqsLambda = (event: SQSEvent) => Promise<SQSBatchResponse | undefined | void>;

export interface LocalQueueOptions {
  name: string;
  batchSize?: number;
  /** How many batches run at once (the event source's MaximumConcurrency). */
  concurrency?: number;
  /** Deliveries before a message goes to the dead-letter list. */
  maxReceiveCount?: number;
  /** Delay before a failed message is delivered again (SQS's visibility timeout). */
  retryDelayMs?: number;
  onDeadLetter?: (body: string, error: string) => void;
}

interface Message {
  id: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
}

/**
 * The local stand-in for SQS plus its Lambda event source mapping: it batches
 * messages, calls the same handler Lambda runs, honours partial batch
 * failures (`batchItemFailures`), redelivers failed messages after a delay and
 * moves a message that keeps failing to a dead-letter list.
 */
export class LocalQueue {
  private readonly messages: Message[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private idleWaiters: (() => void)[] = [];
  private consumer: SqsLambda | undefined;
  readonly deadLetters: { body: string; error: string }[] = [];

  constructor(private readonly opts: LocalQueueOptions) {}

  /** Attaches the consumer; messages sent before this wait for it. */
  consume(handler: SqsLambda): void {
    this.consumer = handler;
    this.pump();
  }

  /** Adds messages; with a delay they become visible later (SQS DelaySeconds). */
  send(bodies: unknown[], delayMs = 0): void {
    const visibleAt = delayMs > 0 ? Date.now() + delayMs : 0;
    for (const b of bodies) {
      this.messages.push({
        id: randomUUID(),
        body: typeof b === 'string' ? b : JSON.stringify(b),
        receiveCount: 0,
        visibleAt,
      });
    }
    this.pump();
  }

  /** This queue as the functions' WorkQueue port; delays are scaled so local runs do not wait minutes. */
  asWorkQueue<T>(delayScale = 1): WorkQueue<T> {
    return {
      enqueue: async (messages, delaySeconds = 0) => this.send(messages, delaySeconds * 1000 * delayScale),
    };
  }

  get depth(): number {
    return this.messages.length;
  }

  /** Resolves once no message is waiting or in flight. */
  idle(): Promise<void> {
    if (this.messages.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.consumer = undefined;
  }

  private pump(): void {
    const consumer = this.consumer;
    if (!consumer) return;
    const max = this.opts.concurrency ?? 2;
    while (this.running < max) {
      const now = Date.now();
      const batch = this.takeVisible(now, this.opts.batchSize ?? 10);
      if (batch.length === 0) break;
      this.running++;
      void this.deliver(consumer, batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
    this.scheduleNext();
    if (this.messages.length === 0 && this.running === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private takeVisible(now: number, n: number): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < this.messages.length && out.length < n; ) {
      const m = this.messages[i];
      if (m && m.visibleAt <= now) {
        out.push(m);
        this.messages.splice(i, 1);
      } else i++;
    }
    return out;
  }

  private scheduleNext(): void {
    if (this.messages.length === 0 || !this.consumer) return;
    let next = Number.POSITIVE_INFINITY;
    for (const m of this.messages) next = Math.min(next, m.visibleAt);
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, next - Date.now()),
    );
  }

  private async deliver(consumer: SqsLambda, batch: Message[]): Promise<void> {
    for (const m of batch) m.receiveCount++;
    const records = batch.map((m) => this.record(m));
    let failed: Set<string>;
    let error = 'batch item failure';
    try {
      const res = await consumer({ Records: records });
      failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      failed = new Set(batch.map((m) => m.id));
      error = (err as Error).message;
    }
    for (const m of batch) {
      if (!failed.has(m.id)) continue;
      if (m.receiveCount >= (this.opts.maxReceiveCount ?? 5)) {
        this.deadLetters.push({ body: m.body, error });
        this.opts.onDeadLetter?.(m.body, error);
      } else {
        m.visibleAt = Date.now() + (this.opts.retryDelayMs ?? 200);
        this.messages.push(m);
      }
    }
  }

  private record(m: Message): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: m.id,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.opts.name}`,
      awsRegion: 'local',
    };
  }
}
