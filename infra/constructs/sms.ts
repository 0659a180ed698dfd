import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Grant, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkerName } from '../../functions/routes';
import type { FunctionEnvironment, RelanceFunction } from '../function';
import type { Data } from './data';
import { pascalCase, secureQueue, workerFunction } from './workers';

/** Which service sends SMS (SMS_PROVIDER in `functions/config.ts`). */
export const SMS_PROVIDERS = ['sms-voice-v2', 'pinpoint', 'none'] as const;
export type SmsProvider = (typeof SMS_PROVIDERS)[number];

/**
 * The number, pool or sender ID that SMS go out from, as End User Messaging names it, which is how
 * IAM scopes `SendTextMessage`: a pool id (`pool-…`), a phone number id (`phone-…`, not the number
 * itself), a sender ID with its country (`sender-id/<SenderId>/<country>`), or the full ARN of one
 * of them (a resource shared from another account must be given by ARN).
 */
export type OriginationIdentity =
  | { readonly kind: 'arn'; readonly arn: string }
  | { readonly kind: 'pool' | 'phone-number'; readonly id: string }
  | { readonly kind: 'sender-id'; readonly senderId: string; readonly country: string };

const IDENTITY_ARN =
  /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(pool|phone-number|sender-id)\/[A-Za-z0-9_/-]+$/;
const POOL_ID = /^pool-[A-Za-z0-9]+$/;
const PHONE_NUMBER_ID = /^phone-[A-Za-z0-9]+$/;
const SENDER_ID = /^sender-id\/([A-Za-z0-9_-]{1,11})\/([A-Z]{2})$/;

/** Reads an origination identity written in one of the forms `OriginationIdentity` lists; undefined otherwise. */
export function parseOriginationIdentity(value: string): OriginationIdentity | undefined {
  if (IDENTITY_ARN.test(value)) return { kind: 'arn', arn: value };
  if (POOL_ID.test(value)) return { kind: 'pool', id: value };
  if (PHONE_NUMBER_ID.test(value)) return { kind: 'phone-number', id: value };
  const sender = SENDER_ID.exec(value);
  if (sender?.[1] && sender[2]) return { kind: 'sender-id', senderId: sender[1], country: sender[2] };
  return undefined;
}

/** How the sender sends SMS, if at all: the provider and what it needs. */
export type SmsSending =
  | {
      readonly provider: 'sms-voice-v2';
      readonly originationIdentity: OriginationIdentity;
      /** Highest price per message part, in US dollars (SMS_MAX_PRICE). */
      readonly maxPrice?: string;
    }
  | {
      readonly provider: 'pinpoint';
      /** The Pinpoint project (application) id. */
      readonly applicationId: string;
      /** The number to send from; by default, Pinpoint picks one of the project's. */
      readonly originationNumber?: string;
    }
  | { readonly provider: 'none' };

export interface SmsProps {
  /** Where the workers read and write. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
  /** The sender (see `Sending`): it is told how to send SMS, and allowed to, here. */
  readonly sender: RelanceFunction;
  /** The provider, and its origination identity or project. */
  readonly sending: SmsSending;
  /** No promotional SMS in this window of the contact's local time, `HH:MM-HH:MM` (SMS_QUIET_HOURS). */
  readonly quietHours: string;
  /** IANA time zone of contacts who have none, nor their home shop (DEFAULT_TIME_ZONE). */
  readonly defaultTimeZone: string;
  /** Base URL of the short links in SMS (SHORT_LINK_BASE_URL); by default the public base URL. */
  readonly shortLinkBaseUrl?: string;
}

/**
 * The SMS events the configuration set publishes: the carriers' delivery receipts, final or not
 * (`TEXT_SUCCESSFUL` stands for `TEXT_DELIVERED` in some countries), the ones
 * `functions/domain/sms-events.ts` counts as undelivered, and the protect configuration's blocks.
 * Not `TEXT_QUEUED` nor `TEXT_PENDING`, which only say the message is on its way, nor `TEXT_SENT`,
 * which event destinations do not support.
 */
export const SMS_EVENT_TYPES = [
  'TEXT_DELIVERED',
  'TEXT_SUCCESSFUL',
  'TEXT_BLOCKED',
  'TEXT_TTL_EXPIRED',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_UNREACHABLE',
  'TEXT_SPAM',
  'TEXT_UNKNOWN',
  'TEXT_PROTECT_BLOCKED',
] as const;

/** The service principal of End User Messaging SMS: it publishes events and replies to our topics. */
const SMS_VOICE = 'sms-voice.amazonaws.com';

/**
 * How SMS go out, and how we hear back: End User Messaging SMS (`SendTextMessage`, or Pinpoint's
 * `SendMessages` for accounts that keep a Pinpoint project).
 *
 * The **sender** (built by `Sending`, which paces it) is told which provider to use and allowed to
 * send through it, and only through it: `SendTextMessage` from the origination identity, through
 * the **configuration set**, or `SendMessages` in the one Pinpoint project. The configuration
 * set's event destination publishes delivery receipts to the **events topic**, read by
 * **sms-events**; replies to our numbers (STOP) come through the **inbound topic**, the two-way
 * channel of the numbers or pool, read by **sms-inbound**.
 *
 * The stack owns no phone number, pool or sender ID: they cost money every month, need a
 * registration that takes weeks and must outlive any stack. The operator sets the inbound topic
 * (output `SmsInboundTopicArn`) as the two-way channel of their number or pool, and names the
 * identity in the `smsOriginationIdentity` context. Without it, the sender gets `SMS_PROVIDER=none`
 * and no SMS permission at all; the topics and workers exist anyway (they cost nothing idle), so
 * setting up SMS later changes the sender only.
 */
export class Sms extends Construct {
  /** The End User Messaging configuration set SMS are sent through. */
  public readonly configurationSet: smsvoice.CfnConfigurationSet;
  /** Its name: set by us, so that the events topic's policy can name it before it exists. */
  public readonly configurationSetName: string;
  /** Delivery receipts, from the configuration set's event destination. */
  public readonly eventsTopic: sns.Topic;
  /** Replies to our numbers: the two-way channel to set on the numbers or pool. */
  public readonly inboundTopic: sns.Topic;
  /** Encrypts both topics; End User Messaging, for this account's resources only, may encrypt with it. */
  public readonly topicKey: kms.Key;
  /** Delivery receipts that could not be recorded, whether SNS or the function failed. */
  public readonly smsEventsDeadLetterQueue: sqs.Queue;
  /** Replies (STOP included) that could not be recorded, whether SNS or the function failed. */
  public readonly smsInboundDeadLetterQueue: sqs.Queue;
  /** The workers, by handler file. */
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;
  /** The provider the sender was told to use: `none` until it is set up. */
  public readonly provider: SmsProvider;

  constructor(scope: Construct, id: string, props: SmsProps) {
    super(scope, id);
    const { data, sending, sender } = props;
    const stack = Stack.of(this);
    this.provider = sending.provider;
    const smsVoiceArn = (resource: string, resourceName: string) =>
      stack.formatArn({
        service: 'sms-voice',
        resource,
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    // Any End User Messaging resource of this account and region: the numbers and pools that publish
    // replies are not ours, so they cannot be named more precisely.
    const anySmsVoiceResource = stack.formatArn({
      service: 'sms-voice',
      resource: '*',
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    // Only End User Messaging of this account, on behalf of its own resources (no confused deputy).
    const fromOurSmsVoice = (sourceArn: string) => ({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': sourceArn },
    });

    // The key of both topics: a customer-managed key, because End User Messaging can publish to an
    // encrypted topic only if the key's policy lets it encrypt with it, which the AWS-managed SNS key
    // never does. It rotates yearly. It only protects messages on their way through SNS, so it goes
    // with the stack (after KMS's shortest waiting period).
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Relance: encrypts the SMS events and inbound SMS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesToEncryptedTopics',
        principals: [new ServicePrincipal(SMS_VOICE)],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromOurSmsVoice(anySmsVoiceResource),
      }),
    );
    const topic = (topicId: string, displayName: string) =>
      new sns.Topic(this, topicId, { displayName, masterKey: this.topicKey, enforceSSL: true });

    // Delivery receipts: End User Messaging publishes the configuration set's events here, and only
    // from that configuration set. Its name is ours to choose (one per stack), so the topic's policy
    // exists before the configuration set does.
    this.configurationSetName = `${stack.stackName}-sms`;
    this.eventsTopic = topic('EventsTopic', 'Relance SMS delivery receipts');
    this.eventsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesDeliveryReceipts',
        principals: [new ServicePrincipal(SMS_VOICE)],
        actions: ['sns:Publish'],
        resources: [this.eventsTopic.topicArn],
        conditions: fromOurSmsVoice(smsVoiceArn('configuration-set', this.configurationSetName)),
      }),
    );

    // The configuration set every SMS is sent through, and its one event destination: the events
    // topic, for the delivery receipts. Created once the topic, its policy and its key's policy
    // exist, so End User Messaging may publish from its first message.
    this.configurationSet = new smsvoice.CfnConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: this.configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: 'delivery-receipts',
          enabled: true,
          matchingEventTypes: [...SMS_EVENT_TYPES],
          snsDestination: { topicArn: this.eventsTopic.topicArn },
        },
      ],
    });
    this.configurationSet.node.addDependency(this.eventsTopic, this.topicKey);

    // Replies to our numbers. The stack owns no number or pool: the operator sets this topic as the
    // two-way channel of theirs (output SmsInboundTopicArn), without a two-way channel role, so that
    // End User Messaging publishes under this policy.
    this.inboundTopic = topic('InboundTopic', 'Relance inbound SMS (two-way channel)');
    this.inboundTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesReplies',
        principals: [new ServicePrincipal(SMS_VOICE)],
        actions: ['sns:Publish'],
        resources: [this.inboundTopic.topicArn],
        conditions: fromOurSmsVoice(anySmsVoiceResource),
      }),
    );

    // The two workers, each with its dead-letter queue, kept two weeks for an operator to replay: a
    // lost receipt of a number that does not exist, or a lost STOP, would let us text a number that
    // must never be texted again. SNS invokes a worker asynchronously: Lambda retries a failed
    // invocation twice, then parks the message in the queue; a message SNS could not deliver at all
    // (after its own retries, for days) is parked in the same queue.
    // Both record the event once in the events table (a conditional PutItem), apply it to the main
    // table (send records, counters, the contact's consent, the suppression list) and keep the keyed
    // hash of a suppressed number (keyring).
    const worker = (name: 'sms-events' | 'sms-inbound', source: sns.Topic) => {
      const deadLetterQueue = secureQueue(this, `${pascalCase(name)}DeadLetterQueue`, {
        retentionPeriod: Duration.days(14),
      });
      const fn = workerFunction(this, name, props.environment, {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        deadLetterQueue,
      });
      data.grantMainTable(fn, 'readWrite');
      data.eventsTable.grants.actions(fn, 'dynamodb:PutItem');
      data.keyring.grantRead(fn);
      source.addSubscription(new LambdaSubscription(fn, { deadLetterQueue }));
      return { fn, deadLetterQueue };
    };
    const smsEvents = worker('sms-events', this.eventsTopic);
    const smsInbound = worker('sms-inbound', this.inboundTopic);
    this.smsEventsDeadLetterQueue = smsEvents.deadLetterQueue;
    this.smsInboundDeadLetterQueue = smsInbound.deadLetterQueue;
    this.functions = new Map<WorkerName, RelanceFunction>([
      ['sms-events', smsEvents.fn],
      ['sms-inbound', smsInbound.fn],
    ]);

    // The sender: when not to text (quiet hours, in the contact's time zone), where short links
    // point, and the provider with exactly what it needs to send, and nothing more.
    // Typed by the variables functions/config.ts parses, so a misspelt one does not compile.
    const environment: FunctionEnvironment = {
      SMS_PROVIDER: sending.provider,
      SMS_QUIET_HOURS: props.quietHours,
      DEFAULT_TIME_ZONE: props.defaultTimeZone,
      ...(props.shortLinkBaseUrl ? { SHORT_LINK_BASE_URL: props.shortLinkBaseUrl } : {}),
    };
    if (sending.provider === 'sms-voice-v2') {
      const identity = sending.originationIdentity;
      // IAM authorises SendTextMessage against both the origination identity and the configuration
      // set. A sender ID is given to the API by ARN: its bare name is ambiguous across countries.
      const identityArn =
        identity.kind === 'arn'
          ? identity.arn
          : identity.kind === 'sender-id'
            ? smsVoiceArn('sender-id', `${identity.senderId}/${identity.country}`)
            : smsVoiceArn(identity.kind, identity.id);
      environment.SMS_ORIGINATION_IDENTITY =
        identity.kind === 'pool' || identity.kind === 'phone-number' ? identity.id : identityArn;
      environment.SMS_CONFIGURATION_SET = this.configurationSet.ref;
      if (sending.maxPrice) environment.SMS_MAX_PRICE = sending.maxPrice;
      Grant.addToPrincipal({
        grantee: sender,
        actions: ['sms-voice:SendTextMessage'],
        resourceArns: [identityArn, smsVoiceArn('configuration-set', this.configurationSet.ref)],
      });
    } else if (sending.provider === 'pinpoint') {
      // Pinpoint's SendMessages is authorised against the project's messages resource.
      environment.PINPOINT_APPLICATION_ID = sending.applicationId;
      if (sending.originationNumber) environment.PINPOINT_ORIGINATION_NUMBER = sending.originationNumber;
      Grant.addToPrincipal({
        grantee: sender,
        actions: ['mobiletargeting:SendMessages'],
        resourceArns: [
          stack.formatArn({
            service: 'mobiletargeting',
            resource: 'apps',
            resourceName: `${sending.applicationId}/messages`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      });
    }
    for (const [name, value] of Object.entries(environment)) {
      if (value !== undefined) sender.addEnvironment(name, value);
    }
  }
}
