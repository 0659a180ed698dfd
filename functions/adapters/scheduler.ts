import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { CampaignScheduler } from '../domain/campaigns/ports';

export interface EventBridgeSchedulerOptions {
  /** The schedule group the stack owns (its role may only touch schedules there). */
  groupName: string;
  /** The plan queue: the schedule puts `{ campaignId, start: true }` on it. */
  planQueueArn: string;
  /** The role EventBridge Scheduler assumes to send that message. */
  roleArn: string;
}

/** A schedule's name: one per campaign, so scheduling again replaces it and cancelling finds it. */
export const scheduleName = (campaignId: string) => `relance-${campaignId}`.slice(0, 64);

/**
 * One-time EventBridge Scheduler schedules (`at(…)`, UTC) that put the start
 * message of a scheduled campaign on the plan queue, and delete themselves
 * once they fired.
 */
export class EventBridgeCampaignScheduler implements CampaignScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: EventBridgeSchedulerOptions,
  ) {}

  async schedule(campaignId: string, at: Date): Promise<void> {
    const command = () =>
      new CreateScheduleCommand({
        Name: scheduleName(campaignId),
        GroupName: this.options.groupName,
        ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: this.options.planQueueArn,
          RoleArn: this.options.roleArn,
          Input: JSON.stringify({ campaignId, start: true }),
        },
      });
    try {
      await this.client.send(command());
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      // Scheduled before (a retried request): replace it.
      await this.cancel(campaignId);
      await this.client.send(command());
    }
  }

  async cancel(campaignId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(campaignId), GroupName: this.options.groupName }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}
