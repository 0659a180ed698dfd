import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkQueue } from '../../functions/domain/shared/ports';
import { QueueJournal, type StoredMessage } from './queue-journal';

/** An SQS-triggered Lambda handler, as the event source mapping calls it. */
// biome-ignore lint/suspicious/noConfusingVoidType: an SQS Lambda may return nothing when every record succeeded
export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined | void>;

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
  /**
   * A file where the queue journals its messages, so that they survive a restart as SQS's do
   * (see QueueJournal); in memory only when unset. What the file holds is delivered again once
   * `recover` is called.
   */
  journal?: string;
  /**
   * How long after its delivery a message the previous run never finished with (the process was
   * killed while handling it) comes back: SQS's visibility timeout running out. `retryDelayMs` by
   * default.
   */
  visibilityTimeoutMs?: number;
}

type Message = StoredMessage;

/** Room to run before Lambda's timeout, as a handler sees it: none once the queue is draining. */
const NO_DEADLINE = Number.POSITIVE_INFINITY;
/** Journal lines beyond which, when most are spent, the journal is rewritten with what is live. */
const COMPACT_AFTER_LINES = 10_000;

/**
 * The local stand-in for SQS plus its Lambda event source mapping: it batches
 * messages, calls the same handler Lambda runs, honours partial batch
 * failures (`batchItemFailures`), redelivers failed messages after a delay and
 * moves a message that keeps failing to a dead-letter list. With a journal, its
 * messages outlive the process.
 */
export class LocalQueue {
  private readonly messages: Message[] = [];
  private readonly inFlight = new Map<string, Message>();
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private idleWaiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private consumer: SqsLambda | undefined;
  private draining = false;
  private readonly journal: QueueJournal | undefined;
  /** What the journal held at construction, delivered from `recover` on. */
  private recovered: Message[] = [];
  /** Of those, the messages killed in the middle of their last allowed delivery. */
  private recoveredDead: Message[] = [];
  readonly deadLetters: { body: string; error: string }[] = [];

  constructor(private readonly opts: LocalQueueOptions) {
    if (!opts.journal) return;
    this.journal = new QueueJournal(opts.journal);
    const visibility = opts.visibilityTimeoutMs ?? opts.retryDelayMs ?? 200;
    for (const m of this.journal.read()) {
      if (m.receivedAt === undefined) this.recovered.push(m);
      else if (m.receiveCount >= this.maxReceiveCount) this.recoveredDead.push(m);
      else {
        // Received and never acknowledged: visible again once its visibility timeout has run out.
        const { receivedAt, ...rest } = m;
        this.recovered.push({ ...rest, visibleAt: Math.max(m.visibleAt, receivedAt + visibility) });
      }
    }
    // From here the file holds exactly what is owed (and is open for appending); the messages that
    // used their last delivery go to the dead-letter list when they are recovered.
    this.journal.rewrite(this.recovered);
  }

  /** Attaches the consumer; messages sent before this wait for it. */
  consume(handler: SqsLambda): void {
    this.consumer = handler;
    this.draining = false;
    this.pump();
  }

  /**
   * Queues what the journal kept from the previous run (held back until the stack is ready to
   * handle it); returns how many messages that is.
   */
  recover(): number {
    for (const m of this.recoveredDead.splice(0))
      this.deadLetter(m, 'The stack stopped while this message was delivered for the last allowed time');
    const n = this.recovered.length;
    this.messages.push(...this.recovered.splice(0));
    this.pump();
    return n;
  }

  /** Adds messages; with a delay they become visible later (SQS DelaySeconds). */
  send(bodies: unknown[], delayMs = 0): void {
    const now = Date.now();
    const visibleAt = delayMs > 0 ? now + delayMs : 0;
    const batch = bodies.map((b) => ({
      id: randomUUID(),
      body: typeof b === 'string' ? b : JSON.stringify(b),
      receiveCount: 0,
      visibleAt,
      sentAt: now,
    }));
    // On disk before `send` returns, as SQS has a message before SendMessage answers.
    this.journal?.put(batch);
    this.messages.push(...batch);
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

  /**
   * Stops delivering, and tells the handlers still running that their time is up (the Lambda
   * context's remaining time drops to 0: the sender and the import worker then put what they have
   * not started back on the queue). Resolves true once they have all returned, false if some were
   * still running after `timeoutMs` (their messages stay owed, and come back after a restart).
   */
  drain(timeoutMs: number): Promise<boolean> {
    this.consumer = undefined;
    this.draining = true;
    this.clearTimer();
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Stops delivering and closes the journal, writing nothing: messages not acknowledged by then
   * are still owed to the next run, as after a kill.
   */
  close(): void {
    this.clearTimer();
    this.consumer = undefined;
    this.journal?.close();
  }

  private get maxReceiveCount(): number {
    return this.opts.maxReceiveCount ?? 5;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
        if (this.running === 0) for (const w of this.drainWaiters.splice(0)) w();
        this.pump();
      });
    }
    this.scheduleNext();
    if (this.messages.length === 0 && this.running === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      // Nothing owed (what the last run left is owed until it is recovered): the journal starts over.
      if (this.recovered.length === 0) this.journal?.clear();
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
    const receivedAt = Date.now();
    for (const m of batch) {
      m.receiveCount++;
      m.receivedAt = receivedAt;
      this.inFlight.set(m.id, m);
    }
    this.journal?.received(batch, receivedAt);
    const records = batch.map((m) => this.record(m, receivedAt));
    let failed: Set<string>;
    let error = 'batch item failure';
    try {
      const res = await consumer({ Records: records }, this.context());
      failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      failed = new Set(batch.map((m) => m.id));
      error = (err as Error).message;
    }
    const done: string[] = [];
    const again: Message[] = [];
    for (const m of batch) {
      this.inFlight.delete(m.id);
      delete m.receivedAt;
      if (!failed.has(m.id)) done.push(m.id);
      else if (m.receiveCount >= this.maxReceiveCount) {
        this.deadLetter(m, error);
        done.push(m.id);
      } else {
        m.visibleAt = Date.now() + (this.opts.retryDelayMs ?? 200);
        again.push(m);
      }
    }
    this.journal?.done(done);
    this.journal?.put(again);
    this.messages.push(...again);
    this.compactIfSpent();
  }

  private deadLetter(m: Message, error: string): void {
    this.deadLetters.push({ body: m.body, error });
    this.opts.onDeadLetter?.(m.body, error);
  }

  /** Rewrites the journal with what is owed when most of its lines no longer count. */
  private compactIfSpent(): void {
    const journal = this.journal;
    if (!journal || journal.lines < COMPACT_AFTER_LINES) return;
    const owed = [...this.recovered, ...this.messages, ...this.inFlight.values()];
    if (journal.lines > 4 * owed.length) journal.rewrite(owed);
  }

  /** The Lambda context the handler gets: only its remaining time means anything here. */
  private context(): Context {
    const name = `relance-local-${this.opts.name}`;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => (this.draining ? 0 : NO_DEADLINE),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }

  private record(m: Message, receivedAt: number): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: m.id,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(receivedAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.opts.name}`,
      awsRegion: 'local',
    };
  }
}
