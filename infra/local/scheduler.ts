import type { PlanJob } from '../../functions/domain/campaigns/campaign';
import type { CampaignScheduler } from '../../functions/domain/campaigns/ports';
import type { Clock, WorkQueue } from '../../functions/domain/shared/ports';

/**
 * The local stand-in for EventBridge Scheduler: it keeps the schedules in
 * memory and, every second (and on `fire()`), puts the start message of each
 * one that is due on the plan queue — against the stack's clock, so a test or
 * the demo that moves the clock moves the schedules too.
 */
export class LocalCampaignScheduler implements CampaignScheduler {
  private readonly due = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    private readonly planQueue: WorkQueue<PlanJob>,
  ) {
    this.timer = setInterval(() => void this.fire(), 1000);
    this.timer.unref();
  }

  async schedule(campaignId: string, at: Date): Promise<void> {
    this.due.set(campaignId, at.getTime());
  }

  async cancel(campaignId: string): Promise<void> {
    this.due.delete(campaignId);
  }

  /** Starts every campaign whose time has come; returns their ids. */
  async fire(): Promise<string[]> {
    const now = this.clock.now().getTime();
    const started = [...this.due].filter(([, at]) => at <= now).map(([id]) => id);
    for (const id of started) this.due.delete(id);
    if (started.length > 0)
      await this.planQueue.enqueue(started.map((campaignId) => ({ campaignId, start: true })));
    return started;
  }

  get pending(): string[] {
    return [...this.due.keys()];
  }

  close(): void {
    clearInterval(this.timer);
  }
}
