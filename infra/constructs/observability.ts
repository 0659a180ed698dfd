import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/adapters/metrics';
import { CHANNELS } from '../../functions/domain/contacts/contact';
import { RelanceFunction } from '../function';

/** The namespace and `service` dimension of the app's metrics: functions/adapters/metrics.ts writes them. */
export { METRICS_NAMESPACE, METRICS_SERVICE };

/**
 * The metrics of `METRICS_NAMESPACE` that the alarms and the dashboard read, and their dimensions:
 * a metric is matched by its name and its exact set of dimensions, so functions/ must publish each
 * with these dimensions (beside Powertools' `service`, METRICS_SERVICE) and no other.
 *
 * - `MessagesSent`, `MessagesFailed` (dimension `Channel`: `email` or `sms`): messages handed to
 *   SES or End User Messaging, and those that failed for good, one count each.
 * - `CampaignsPausedByGuard` (no dimension): campaigns the sending guard paused.
 * - `Redemptions` (no dimension): coupons redeemed at the till.
 */
export const APP_METRICS = {
  messagesSent: 'MessagesSent',
  messagesFailed: 'MessagesFailed',
  campaignsPausedByGuard: 'CampaignsPausedByGuard',
  redemptions: 'Redemptions',
} as const;

/** The dimension of `MessagesSent` and `MessagesFailed`. */
export const CHANNEL_DIMENSION = 'Channel';

/**
 * SES puts an account under review at a 5 % bounce rate and a 0.1 % complaint rate (and may pause
 * its sending at 10 % and 0.5 %): the alarms ring before that, at 4 % and 0.08 %.
 */
export const SES_BOUNCE_RATE_THRESHOLD = 0.04;
export const SES_COMPLAINT_RATE_THRESHOLD = 0.0008;
/** A send job older than this (seconds) means the senders no longer keep up, or no longer run. */
export const SEND_QUEUE_AGE_THRESHOLD_SECONDS = 900;

export interface ObservabilityProps {
  /** The HTTP API whose 5xx answers are watched. */
  readonly httpApi: HttpApi;
  /** The send queue: its depth and age on the dashboard, its age alarmed. */
  readonly sendQueue: sqs.IQueue;
  /** The plan queue: its depth and age on the dashboard. */
  readonly planQueue: sqs.IQueue;
  /** Subscribed to the alarm topic by email, if given (the operator confirms it from the email). */
  readonly alarmEmail?: string;
}

/** The resolved form of a token (`{ 'Fn::GetAtt': [...] }`), comparable as a string. */
function resolvedKey(stack: Stack, value: unknown): string {
  return JSON.stringify(stack.resolve(value));
}

/**
 * Every queue of `scope` that catches failures, found from what points at it rather than from a
 * list to keep up to date: the dead-letter queue of another queue (redrive policy), of a function
 * (its asynchronous invocations), the on-failure destination of an event source mapping or of a
 * function's asynchronous invocations, the dead-letter queue of an EventBridge target or of an SNS
 * subscription; and, whatever points at it, a queue whose id ends in `DeadLetterQueue`.
 */
export function deadLetterQueuesOf(scope: IConstruct): sqs.Queue[] {
  const stack = Stack.of(scope);
  const targets = new Set<string>();
  const target = (arn: unknown) => {
    if (arn !== undefined && arn !== null) targets.add(resolvedKey(stack, arn));
  };
  // The L1 properties, resolved: their shapes are CloudFormation's, in the L1's (camel) case.
  interface Resolved {
    readonly deadLetterTargetArn?: unknown;
    readonly targetArn?: unknown;
    readonly onFailure?: { readonly destination?: unknown };
    readonly deadLetterConfig?: { readonly arn?: unknown };
  }
  const resolved = (value: unknown): Resolved => (stack.resolve(value) ?? {}) as Resolved;
  const constructs = scope.node.findAll();
  for (const c of constructs) {
    if (c instanceof sqs.CfnQueue) target(resolved(c.redrivePolicy).deadLetterTargetArn);
    else if (c instanceof lambda.CfnFunction) target(resolved(c.deadLetterConfig).targetArn);
    else if (c instanceof lambda.CfnEventSourceMapping || c instanceof lambda.CfnEventInvokeConfig) {
      target(resolved(c.destinationConfig).onFailure?.destination);
    } else if (c instanceof events.CfnRule) {
      for (const t of (stack.resolve(c.targets) as Resolved[] | undefined) ?? [])
        target(t?.deadLetterConfig?.arn);
    } else if (c instanceof sns.CfnSubscription) target(resolved(c.redrivePolicy).deadLetterTargetArn);
  }
  return constructs.filter(
    (c): c is sqs.Queue =>
      c instanceof sqs.Queue &&
      (targets.has(resolvedKey(stack, c.queueArn)) || c.node.id.endsWith('DeadLetterQueue')),
  );
}

/** Every function of `scope` built by `RelanceFunction`: all of Relance's code, none of CDK's own helpers. */
export function functionsOf(scope: IConstruct): RelanceFunction[] {
  return scope.node.findAll().filter((c): c is RelanceFunction => c instanceof RelanceFunction);
}

/**
 * What an operator needs to run Relance: one encrypted SNS topic that every alarm notifies (when it
 * rings and when it is back to OK), optionally an email subscription, the alarms, and a dashboard.
 *
 * Created last in the stack, it finds for itself what it watches: every dead-letter queue
 * (`deadLetterQueuesOf`) and every function (`functionsOf`), so that a new one is watched without
 * being listed here. Every alarm treats missing data as not breaching: a queue or a function that
 * has nothing to report is fine.
 *
 * - **Dead-letter queues**: one message visible or more (whatever failed for good waits there).
 * - **Functions**: Errors ≥ 1 and Throttles ≥ 1 over 5 minutes, each.
 * - **HTTP API**: one 5xx answer or more over 5 minutes.
 * - **SES reputation** (the account's): bounce rate ≥ 4 %, complaint rate ≥ 0.08 %, at their
 *   maximum over 15 minutes.
 * - **Send queue**: its oldest message at least 15 minutes old.
 * - **Sending guard**: one campaign paused by it or more (`CampaignsPausedByGuard`).
 */
export class Observability extends Construct {
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.Topic;
  /** Its key: customer-managed, as CloudWatch may use no other (see the constructor). */
  public readonly topicKey: kms.Key;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, in the order they were made. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The dead-letter queues found, each with its alarm. */
  public readonly deadLetterQueues: readonly sqs.Queue[];
  /** The functions found, each with its Errors and Throttles alarms. */
  public readonly functions: readonly RelanceFunction[];
  private readonly action: SnsAction;
  /** The functions' alarms, apart from the others, which the dashboard lists. */
  private readonly functionAlarms = new Set<cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // The topic's key. CloudWatch can publish to an encrypted topic only if the key's policy lets it
    // use the key, which the AWS-managed SNS key (alias/aws/sns) never does: its alarms would ring
    // and notify nobody. A customer-managed key, then, rotated yearly, for this topic alone. It only
    // protects notifications on their way through SNS, so it goes with the stack.
    this.topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Relance: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchPublishesToEncryptedAlarmTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // The topic's policy replaces SNS's default one: CloudWatch may publish, for this account's
    // alarms only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.alarmTopic);

    // Dead-letter queues: anything in one failed for good and waits for an operator.
    const outputs = stack.node.children.filter((c): c is CfnOutput => c instanceof CfnOutput);
    const outputOf = (queue: sqs.Queue) =>
      outputs.find((o) => resolvedKey(stack, o.value) === resolvedKey(stack, queue.queueUrl));
    this.deadLetterQueues = deadLetterQueuesOf(stack);
    for (const queue of this.deadLetterQueues) {
      const name = pathName(queue, stack);
      const output = outputOf(queue);
      this.alarm(`${idOf(name)}Alarm`, {
        name: `${name}-NotEmpty`,
        description:
          `Messages wait in the dead-letter queue ${name}` +
          (output ? ` (output ${output.node.id}: ${output.description ?? ''})` : '') +
          ': they failed for good. Read them, fix the cause, then replay or delete them.',
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(5),
        }),
        threshold: 1,
      });
    }

    // Functions: an error (an exception, a timeout, a crash) or a throttled invocation.
    this.functions = functionsOf(stack);
    for (const fn of this.functions) {
      const name = pathName(fn, stack).replace(/Function$/, '');
      const what = (fn.node.defaultChild as lambda.CfnFunction).description ?? name;
      const errors = this.alarm(`${idOf(name)}ErrorsAlarm`, {
        name: `${name}-Errors`,
        description: `${what}: invocations that failed (an exception, a timeout, out of memory). See its logs.`,
        metric: fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
      });
      const throttles = this.alarm(`${idOf(name)}ThrottlesAlarm`, {
        name: `${name}-Throttles`,
        description: `${what}: invocations refused for lack of concurrency (the account's Lambda limit).`,
        metric: fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
      });
      this.functionAlarms.add(errors).add(throttles);
    }

    // The HTTP API's server errors: a function that failed or timed out behind a route.
    const api5xx = props.httpApi.metricServerError({
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
    this.alarm('Api5xxAlarm', {
      name: 'Api-5xx',
      description:
        'The HTTP API answered 5xx (a function failed, timed out or was throttled behind a route). ' +
        'See the API access logs (integrationError) and the function alarms.',
      metric: api5xx,
      threshold: 1,
    });

    // SES reputation, the account's own metrics: above SES's thresholds it reviews, then pauses, the
    // account's sending, every application's.
    const sesMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(15),
      });
    const bounceRate = sesMetric('Reputation.BounceRate');
    const complaintRate = sesMetric('Reputation.ComplaintRate');
    this.alarm('SesBounceRateAlarm', {
      name: 'SES-BounceRate',
      description:
        `The SES account's bounce rate is at least ${SES_BOUNCE_RATE_THRESHOLD * 100} % (SES reviews the ` +
        'account at 5 %): clean the contact lists (imports of old or bought addresses), check the bounces.',
      metric: bounceRate,
      threshold: SES_BOUNCE_RATE_THRESHOLD,
    });
    this.alarm('SesComplaintRateAlarm', {
      name: 'SES-ComplaintRate',
      description:
        `The SES account's complaint rate is at least ${SES_COMPLAINT_RATE_THRESHOLD * 100} % (SES reviews ` +
        'the account at 0.1 %): check consent, frequency and the unsubscribe link of recent campaigns.',
      metric: complaintRate,
      threshold: SES_COMPLAINT_RATE_THRESHOLD,
    });

    // The send queue's oldest job: campaigns that no longer go out (senders failing, or not running).
    this.alarm('SendQueueAgeAlarm', {
      name: 'SendQueue-OldestMessageAge',
      description:
        `A send job has waited at least ${SEND_QUEUE_AGE_THRESHOLD_SECONDS / 60} minutes: the senders ` +
        'no longer keep up (raise sendConcurrency and sendRatePerSecond with the SES quota) or fail.',
      metric: props.sendQueue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: SEND_QUEUE_AGE_THRESHOLD_SECONDS,
    });

    // The sending guard: it paused a campaign that went wrong.
    const appMetric = (metricName: string, props: cloudwatch.MetricOptions = {}) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        statistic: cloudwatch.Stats.SUM,
        ...props,
        dimensionsMap: { service: METRICS_SERVICE, ...props.dimensionsMap },
      });
    this.alarm('CampaignsPausedByGuardAlarm', {
      name: 'CampaignsPausedByGuard',
      description:
        'The sending guard paused a campaign (too many failures, bounces or complaints while it was sent): ' +
        'read the campaign, fix the cause, then resume or cancel it.',
      metric: appMetric(APP_METRICS.campaignsPausedByGuard, { period: Duration.minutes(5) }),
      threshold: 1,
    });

    // The dashboard: what is sent, what waits, how the account's reputation goes, what it brings.
    const perMinute = Duration.minutes(1);
    const byChannel = (metricName: string) =>
      CHANNELS.map((channel) =>
        appMetric(metricName, {
          period: perMinute,
          dimensionsMap: { [CHANNEL_DIMENSION]: channel },
          label: channel,
        }),
      );
    const queues = [
      ['send', props.sendQueue],
      ['plan', props.planQueue],
    ] as const;
    const width = 12;
    const height = 6;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region tells two deployments of the stack apart.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms (queues, API, SES, guard)',
        alarms: this.alarms.filter((a) => !this.functionAlarms.has(a)),
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Messages sent per minute',
        left: byChannel(APP_METRICS.messagesSent),
        width,
        height,
      }),
      new cloudwatch.GraphWidget({
        title: 'Messages failed per minute, and campaigns paused by the guard',
        left: byChannel(APP_METRICS.messagesFailed),
        right: [
          appMetric(APP_METRICS.campaignsPausedByGuard, { period: perMinute, label: 'paused by the guard' }),
        ],
        width,
        height,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Send and plan queues: messages waiting',
        left: queues.map(([label, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: perMinute, label }),
        ),
        width,
        height,
      }),
      new cloudwatch.GraphWidget({
        title: 'Send and plan queues: age of the oldest message (s)',
        left: queues.map(([label, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period: perMinute, label }),
        ),
        leftAnnotations: [{ value: SEND_QUEUE_AGE_THRESHOLD_SECONDS, label: 'send queue alarm' }],
        width,
        height,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SES reputation: bounce rate (left), complaint rate (right)',
        left: [bounceRate.with({ label: 'bounce rate' })],
        right: [complaintRate.with({ label: 'complaint rate' })],
        leftAnnotations: [{ value: SES_BOUNCE_RATE_THRESHOLD, label: 'bounce alarm' }],
        rightAnnotations: [{ value: SES_COMPLAINT_RATE_THRESHOLD, label: 'complaint alarm' }],
        width,
        height,
      }),
      new cloudwatch.GraphWidget({
        title: 'Coupon redemptions per day',
        left: [appMetric(APP_METRICS.redemptions, { period: Duration.days(1), label: 'redemptions' })],
        width,
        height,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: this.functions.map((fn) =>
          fn.metricErrors({
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
            label: pathName(fn, stack).replace(/Function$/, ''),
          }),
        ),
        legendPosition: cloudwatch.LegendPosition.RIGHT,
        width: 18,
        height: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'HTTP API: 5xx answers',
        left: [api5xx.with({ label: '5xx' })],
        width: 6,
        height: 8,
      }),
    );
  }

  /** An alarm of the stack (`<stack>-<name>`) that notifies the topic when it rings and when it is back to OK. */
  private alarm(
    id: string,
    options: { name: string; description: string; metric: cloudwatch.IMetric; threshold: number },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${options.name}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** A construct's path below its stack, dashed: `Sending/PlanDeadLetterQueue` → `Sending-PlanDeadLetterQueue`. */
function pathName(c: IConstruct, stack: Stack): string {
  return c.node.path.slice(stack.node.path.length + 1).replace(/\//g, '-');
}

/** `Sending-PlanDeadLetterQueue` → `SendingPlanDeadLetterQueue`: a construct id. */
function idOf(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
