import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { scheduleName } from '../../functions/adapters/scheduler';
import type { WorkerName } from '../../functions/routes';
import type { FunctionEnvironment, RelanceFunction } from '../function';
import type { Data } from './data';
import { workerFunction } from './workers';

export interface AutomationProps {
  /** Where the runner reads and writes. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
  /** The plan queue (see `Sending`): a scheduled campaign starts with a message on it, as any other. */
  readonly planQueue: sqs.IQueue;
  /** The campaigns function (see `Api`): it schedules the campaigns sent with a `scheduleAt`. */
  readonly campaigns: RelanceFunction;
  /**
   * What the runner needs to create and send campaigns as the campaigns function does: the template
   * directories, the footer, the sending identity, SMS_ENABLED, the time zone of the automations'
   * clock (DEFAULT_TIME_ZONE), the short links' base URL.
   */
  readonly runnerEnvironment: FunctionEnvironment;
  /** Directories of the repository the runner reads at run time (the email and SMS templates). */
  readonly runnerAssets: readonly string[];
  /**
   * The base URL of the links in the messages the runner starts (PUBLIC_BASE_URL): it has no
   * request to take it from, as the API functions do. The `publicBaseUrl` context, or the API's URL.
   */
  readonly publicBaseUrl: string;
}

/** How often the runner looks for automations and journey steps that are due. */
export const RUNNER_RATE = Duration.minutes(5);
/**
 * Longest run of the runner: each due automation is a campaign created (its templates compiled) and
 * sent (a message on the plan queue), a few seconds each. Well under `RUNNER_RATE`, so that runs do
 * not overlap (they would be safe if they did: every run and step is claimed with a conditional write).
 */
const RUNNER_TIMEOUT = Duration.minutes(2);
/**
 * How long a tick may wait to be delivered or run (EventBridge's retries, Lambda's throttling
 * retries) before it is dropped: a tick older than this is worth nothing, the next one is coming.
 */
const TICK_MAX_AGE = Duration.minutes(4);

/**
 * Campaigns that run by themselves: scheduled campaigns and automations.
 *
 * **Scheduled campaigns.** `POST /v1/campaigns/{id}/send` on a campaign with a `scheduleAt` in the
 * future creates a one-time EventBridge Scheduler schedule (`relance-<campaign id>`) in the stack's
 * **schedule group**, which puts the campaign's start message on the plan queue when its time comes
 * and deletes itself; cancelling the campaign deletes it. Scheduler sends the message as the
 * **scheduler role**, which may do that and nothing else. The campaigns function may create and
 * delete `relance-*` schedules in that group only, and pass that role only, to Scheduler only.
 *
 * **Automations.** The **automation-runner** is invoked every five minutes by an EventBridge rule:
 * it starts each active automation's daily run once its hour has come, and each journey step whose
 * wait is over, as campaigns it creates and sends itself (it never schedules one). A rule rather
 * than a Scheduler schedule: a fixed rate needs neither a time zone nor a one-time expression, and a
 * rule invokes the function through a resource-based permission scoped to that rule, where a
 * schedule needs an IAM role of its own; and the schedule group stays the campaigns' alone.
 *
 * The runner has no reserved concurrency: reserving even one unit fails the deployment in the new
 * accounts whose concurrency quota is 10 (Lambda keeps 10 unreserved), and it needs none, since two
 * runners claim each run and step with conditional writes and never send one twice.
 */
export class Automation extends Construct {
  /** Where the schedules of scheduled campaigns live; the stack owns it, and deletes it with them. */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler assumes to start a scheduled campaign: SendMessage on the plan queue. */
  public readonly schedulerRole: Role;
  /** The rule invoking the runner every five minutes. */
  public readonly runnerRule: events.Rule;
  /** The workers, by handler file. */
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;

  constructor(scope: Construct, id: string, props: AutomationProps) {
    super(scope, id);
    const { data, planQueue, campaigns } = props;
    const stack = Stack.of(this);

    // The schedule group of scheduled campaigns, named after the stack (one per stack, readable in
    // the console), so that IAM can name it before it exists.
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      scheduleGroupName: `${stack.stackName}-campaigns`,
    });
    const groupName = this.scheduleGroup.scheduleGroupName;

    // The role Scheduler assumes to put a campaign's start message on the plan queue: only Scheduler
    // may assume it, for schedules of this account's group (no confused deputy), and it may send to
    // the plan queue and nothing else. The queue is encrypted with an SQS-managed key: no KMS grant.
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to start scheduled Relance campaigns (plan queue only)',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': this.scheduleGroup.scheduleGroupArn,
          },
        },
      }),
    });
    Grant.addToPrincipal({
      grantee: this.schedulerRole,
      actions: ['sqs:SendMessage'],
      resourceArns: [planQueue.queueArn],
    });

    // The campaigns function schedules and unschedules campaigns: CreateSchedule and DeleteSchedule
    // on the schedules it names (`relance-<campaign id>`) in this group, and PassRole on the
    // scheduler role, to Scheduler only. It is told where and how (PLAN_QUEUE_ARN, SCHEDULER_GROUP,
    // SCHEDULER_ROLE_ARN): with all three, functions/deps.ts gives it a scheduler.
    const campaignSchedules = `${groupName}/${scheduleName('')}*`;
    Grant.addToPrincipal({
      grantee: campaigns,
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      resourceArns: [
        stack.formatArn({
          service: 'scheduler',
          resource: 'schedule',
          resourceName: campaignSchedules,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    });
    Validations.of(campaigns.serviceRole).acknowledge({
      id:
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:' +
        `schedule/${campaignSchedules}]`,
      reason:
        "A campaign's schedule is named after it (relance-<campaign id>) when it is sent, so IAM cannot list the " +
        "schedules in advance; the wildcard covers only the campaigns' schedules in this stack's schedule group, " +
        'and only CreateSchedule and DeleteSchedule (a schedule can only target what the scheduler role allows).',
    });
    Grant.addToPrincipal({
      grantee: campaigns,
      actions: ['iam:PassRole'],
      resourceArns: [this.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    const scheduling: FunctionEnvironment = {
      PLAN_QUEUE_ARN: planQueue.queueArn,
      SCHEDULER_GROUP: groupName,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
    };
    for (const [name, value] of Object.entries(scheduling)) {
      if (value !== undefined) campaigns.addEnvironment(name, value);
    }
    // A campaign scheduled right after the first deployment finds its group.
    campaigns.node.addDependency(this.scheduleGroup);

    // The runner creates campaigns (compiling their templates, hence the templates in its package)
    // and sends them (the plan queue), and reads and writes automations, their runs and campaigns.
    // It signs nothing (no keyring) and schedules nothing (no scheduler). Each tick is tried once:
    // the next one is five minutes away.
    const runner = workerFunction(this, 'automation-runner', props.environment, {
      timeout: RUNNER_TIMEOUT,
      retryAttempts: 0,
      maxEventAge: TICK_MAX_AGE,
      assets: props.runnerAssets,
      environment: {
        ...props.runnerEnvironment,
        PLAN_QUEUE_URL: planQueue.queueUrl,
        PUBLIC_BASE_URL: props.publicBaseUrl,
      } satisfies FunctionEnvironment,
    });
    data.grantMainTable(runner, 'readWrite');
    planQueue.grantSendMessages(runner);

    this.runnerRule = new events.Rule(this, 'RunnerRule', {
      description: 'Runs the Relance automations: daily runs and journey steps that are due',
      schedule: events.Schedule.rate(RUNNER_RATE),
      targets: [new targets.LambdaFunction(runner, { retryAttempts: 2, maxEventAge: TICK_MAX_AGE })],
    });

    this.functions = new Map<WorkerName, RelanceFunction>([['automation-runner', runner]]);
  }
}
