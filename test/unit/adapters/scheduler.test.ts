import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeCampaignScheduler, scheduleName } from '../../../functions/adapters/scheduler';

const client = new SchedulerClient({ region: 'eu-west-3' });
const mock = mockClient(client);
const options = {
  groupName: 'Relance-campaigns',
  planQueueArn: 'arn:aws:sqs:eu-west-3:123456789012:Relance-plan',
  roleArn: 'arn:aws:iam::123456789012:role/Relance-scheduler',
};
const meta = { $metadata: {} };

beforeEach(() => mock.reset());

describe('EventBridgeCampaignScheduler', () => {
  it('creates a one-time schedule that puts the start message on the plan queue and deletes itself', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:s' });
    await new EventBridgeCampaignScheduler(client, options).schedule(
      'cmp_1',
      new Date('2026-12-01T08:30:00.000Z'),
    );
    expect(mock.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'relance-cmp_1',
      GroupName: 'Relance-campaigns',
      ScheduleExpression: 'at(2026-12-01T08:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: options.planQueueArn,
        RoleArn: options.roleArn,
        Input: '{"campaignId":"cmp_1","start":true}',
      },
    });
  });

  it('replaces a schedule that exists already (a retried request)', async () => {
    mock
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', ...meta }))
      .resolves({ ScheduleArn: 'arn:s' });
    mock.on(DeleteScheduleCommand).resolves({});
    await new EventBridgeCampaignScheduler(client, options).schedule(
      'cmp_1',
      new Date('2026-12-01T08:30:00Z'),
    );
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(2);
    expect(mock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'relance-cmp_1',
      GroupName: 'Relance-campaigns',
    });
  });

  it('cancels by deleting the schedule, and a schedule already gone is fine', async () => {
    mock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', ...meta }));
    await expect(new EventBridgeCampaignScheduler(client, options).cancel('cmp_2')).resolves.toBeUndefined();
    expect(mock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'relance-cmp_2',
      GroupName: 'Relance-campaigns',
    });
  });

  it('passes other errors on', async () => {
    mock.on(DeleteScheduleCommand).rejects(new Error('AccessDenied'));
    await expect(new EventBridgeCampaignScheduler(client, options).cancel('cmp_3')).rejects.toThrow(
      'AccessDenied',
    );
  });

  it('names schedules within the 64 characters Scheduler allows', () => {
    expect(scheduleName('cmp_0mwt1axpz969c310acba8911013b2')).toBe(
      'relance-cmp_0mwt1axpz969c310acba8911013b2',
    );
    expect(scheduleName('x'.repeat(80))).toHaveLength(64);
  });
});
