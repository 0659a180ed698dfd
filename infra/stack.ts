import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FREQUENCY_CAP_PATTERN } from '../functions/domain/campaigns/frequency';
import { DEFAULT_TIME_ZONE } from '../functions/domain/shared/time';
import type { WorkerName } from '../functions/routes';
import { Api, DEFAULT_PUBLIC_THROTTLE, DEFAULT_THROTTLE } from './constructs/api';
import { Automation } from './constructs/automation';
import { Coupons } from './constructs/coupons';
import { Data } from './constructs/data';
import { Imports } from './constructs/imports';
import { Observability } from './constructs/observability';
import { Sending } from './constructs/sending';
import {
  parseOriginationIdentity,
  SMS_PROVIDERS,
  Sms,
  type SmsProvider,
  type SmsSending,
} from './constructs/sms';
import { Webhooks } from './constructs/webhooks';
import { BROWSER_ASSETS, type FunctionEnvironment, LAMBDA_TASK_ROOT, RelanceFunction } from './function';

/** The context key (`cdk synth -c defaultCountry=BE`, or cdk.json) that sets DEFAULT_COUNTRY. */
export const DEFAULT_COUNTRY_CONTEXT = 'defaultCountry';

/**
 * The context keys the stack reads (`cdk deploy -c senderIdentity=shop.example`, or cdk.json).
 *
 * - `senderIdentity`: the SES identity campaigns are sent as, a verified domain or address. Needed
 *   to deploy: without it the stack uses `PLACEHOLDER_SENDER_IDENTITY`, which synthesises (tests,
 *   `cdk synth`) but can send nothing.
 * - `companyName`, `companyAddress`: the sender's name and postal address, printed in every
 *   email's footer, as the law on commercial email requires. Their placeholders say so.
 * - `sendConcurrency` (default 2), `sendRatePerSecond` (default 0.5): together, the sending rate
 *   (see `Sending`).
 * - `publicBaseUrl` (optional): the base URL of the links in messages, when the API sits behind a
 *   custom domain; by default, the API's own URL.
 * - `frequencyCap` (optional): the global frequency cap, `messages/days` (`2/7`: at most 2 marketing
 *   messages per contact in any 7 days, email and SMS, every campaign and automation), each number
 *   from 1 to 999; the sender skips a capped recipient (FREQUENCY_CAP). By default, no cap.
 *
 * SMS (see `Sms`):
 *
 * - `smsProvider` (default `sms-voice-v2`): End User Messaging SMS, `pinpoint` (Pinpoint's
 *   `SendMessages`, for accounts that keep a Pinpoint project) or `none`.
 * - `smsOriginationIdentity` (no default): what End User Messaging SMS sends from, as IAM names it:
 *   a pool id (`pool-…`), a phone number id (`phone-…`), a sender ID with its country
 *   (`sender-id/SHOP/FR`), or the full ARN of one of them. Needed to send SMS: without it the
 *   sender gets SMS_PROVIDER=none and no SMS permission, which synthesises and deploys, and sends
 *   no SMS.
 * - `smsMaxPrice` (optional): the highest price per message part, in US dollars (`0.10`).
 * - `pinpointApplicationId` (needed with `smsProvider=pinpoint`), `pinpointOriginationNumber`
 *   (optional): the Pinpoint project, and the number it sends from.
 * - `smsQuietHours` (default `21:00-08:00`): no promotional SMS in this window of the contact's
 *   local time, `HH:MM-HH:MM`, which may cross midnight.
 * - `defaultTimeZone` (default `Europe/Paris`): the IANA time zone of contacts who have none, nor
 *   their home shop.
 * - `smsRatePerSecond` (default 0.5): SMS per second of one sender; times `sendConcurrency`, the
 *   SMS rate (1 a second by default, one phone number's default throughput).
 * - `shortLinkBaseUrl` (optional): the base URL of the short links in SMS (a short domain); by
 *   default, `publicBaseUrl` or the API's own URL.
 *
 * Operations (see `Observability`, and `Api` for the limits):
 *
 * - `alarmEmail` (optional): an address subscribed by email to the alarm topic (it must confirm the
 *   subscription); without it, the topic has no subscription.
 * - `publicRateLimit` (default 1000), `publicBurstLimit` (default 2000): the requests per second,
 *   and the burst, that each public route (tracking, short links, coupons, unsubscribe, opt-in, view
 *   in browser, the till page, health) takes before answering 429.
 * - `apiRateLimit` (default 50), `apiBurstLimit` (default 100): the same for the stage, hence for
 *   the marketers' and the tills' `/v1` routes together.
 */
export const CONTEXT = {
  defaultCountry: DEFAULT_COUNTRY_CONTEXT,
  senderIdentity: 'senderIdentity',
  companyName: 'companyName',
  companyAddress: 'companyAddress',
  sendConcurrency: 'sendConcurrency',
  sendRatePerSecond: 'sendRatePerSecond',
  publicBaseUrl: 'publicBaseUrl',
  smsProvider: 'smsProvider',
  smsOriginationIdentity: 'smsOriginationIdentity',
  smsMaxPrice: 'smsMaxPrice',
  pinpointApplicationId: 'pinpointApplicationId',
  pinpointOriginationNumber: 'pinpointOriginationNumber',
  smsQuietHours: 'smsQuietHours',
  defaultTimeZone: 'defaultTimeZone',
  smsRatePerSecond: 'smsRatePerSecond',
  shortLinkBaseUrl: 'shortLinkBaseUrl',
  frequencyCap: 'frequencyCap',
  alarmEmail: 'alarmEmail',
  publicRateLimit: 'publicRateLimit',
  publicBurstLimit: 'publicBurstLimit',
  apiRateLimit: 'apiRateLimit',
  apiBurstLimit: 'apiBurstLimit',
} as const;

/**
 * The sending identity when `senderIdentity` is not set: a domain reserved for examples
 * (RFC 2606) that no one can verify in SES, so a stack deployed without the context sends nothing
 * rather than sending as someone else.
 */
export const PLACEHOLDER_SENDER_IDENTITY = 'example.com';
const PLACEHOLDER_COMPANY_NAME = 'Set the companyName context to your company name';
const PLACEHOLDER_COMPANY_ADDRESS = 'Set the companyAddress context to your postal address';

/** Where the email templates are, in the packages of the functions that compile them. */
const TEMPLATES = 'templates/email';
/** Where the SMS templates are (`<name>.<locale>.liquid`), in the same packages. */
const SMS_TEMPLATES = 'templates/sms';

/** A domain (`shop.example`) or an address in it (`news@shop.example`). */
const SES_IDENTITY = /^([^@\s]+@)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** An https:// base URL, without query or fragment. */
const HTTPS_BASE_URL = /^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/;
/** A price in US dollars, as End User Messaging's MaxPrice takes it (the same rule as functions/config.ts). */
const PRICE = /^\d+(\.\d{1,5})?$/;
/** An email address, loosely: SNS checks it, the operator confirms it. */
const EMAIL_ADDRESS = /^[^@\s]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** `HH:MM-HH:MM` (the same rule as functions/config.ts). */
const QUIET_HOURS = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** Whether the Node.js running the synthesis (with full ICU, as Lambda's) knows this IANA time zone. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Relance in one stack. It is environment-agnostic (no account, region or lookups), so it
 * synthesises anywhere, without credentials, and deploys into whichever account the CLI targets.
 */
export class RelanceStack extends Stack {
  public readonly data: Data;
  public readonly sending: Sending;
  public readonly api: Api;
  public readonly coupons: Coupons;
  public readonly imports: Imports;
  public readonly sms: Sms;
  public readonly automation: Automation;
  public readonly webhooks: Webhooks;
  public readonly observability: Observability;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = (key: string): string | undefined => {
      const value = this.node.tryGetContext(key);
      return value === undefined || value === null || value === '' ? undefined : String(value);
    };

    // Country used to read phone numbers written without an international prefix.
    const defaultCountry = context(CONTEXT.defaultCountry) ?? 'FR';
    if (!/^[A-Z]{2}$/.test(defaultCountry)) {
      throw new Error(
        `Context "${DEFAULT_COUNTRY_CONTEXT}" must be an ISO 3166-1 alpha-2 code such as FR, got "${defaultCountry}"`,
      );
    }
    // Who the emails come from, and the footer every one of them carries.
    const senderIdentity = context(CONTEXT.senderIdentity) ?? PLACEHOLDER_SENDER_IDENTITY;
    if (!SES_IDENTITY.test(senderIdentity)) {
      throw new Error(
        `Context "${CONTEXT.senderIdentity}" must be a domain or an email address verified in SES, got "${senderIdentity}"`,
      );
    }
    if (senderIdentity === PLACEHOLDER_SENDER_IDENTITY) {
      Annotations.of(this).addInfo(
        `Context "${CONTEXT.senderIdentity}" is not set: nothing can be sent until it names your SES identity ` +
          `(cdk deploy -c ${CONTEXT.senderIdentity}=shop.example)`,
      );
    }
    const company = {
      name: context(CONTEXT.companyName) ?? PLACEHOLDER_COMPANY_NAME,
      address: context(CONTEXT.companyAddress) ?? PLACEHOLDER_COMPANY_ADDRESS,
    };
    const publicBaseUrl = context(CONTEXT.publicBaseUrl);
    if (publicBaseUrl !== undefined && !HTTPS_BASE_URL.test(publicBaseUrl)) {
      throw new Error(`Context "${CONTEXT.publicBaseUrl}" must be an https:// URL, got "${publicBaseUrl}"`);
    }
    // How many marketing messages a contact may get, at most, in how many days (no cap by default).
    const frequencyCap = context(CONTEXT.frequencyCap);
    if (frequencyCap !== undefined && !FREQUENCY_CAP_PATTERN.test(frequencyCap)) {
      throw new Error(
        `Context "${CONTEXT.frequencyCap}" must be messages/days, such as 2/7 (at most 2 messages in 7 days, ` +
          `each number from 1 to 999), got "${frequencyCap}"`,
      );
    }
    // How SMS are sent, if at all, and when not to send them.
    const smsSending = this.smsSending(context);
    const shortLinkBaseUrl = context(CONTEXT.shortLinkBaseUrl);
    if (shortLinkBaseUrl !== undefined && !HTTPS_BASE_URL.test(shortLinkBaseUrl)) {
      throw new Error(
        `Context "${CONTEXT.shortLinkBaseUrl}" must be an https:// URL, got "${shortLinkBaseUrl}"`,
      );
    }
    const smsQuietHours = context(CONTEXT.smsQuietHours) ?? '21:00-08:00';
    if (!QUIET_HOURS.test(smsQuietHours)) {
      throw new Error(
        `Context "${CONTEXT.smsQuietHours}" must be HH:MM-HH:MM, such as 21:00-08:00, got "${smsQuietHours}"`,
      );
    }
    // Who hears the alarms, and how much the API takes.
    const alarmEmail = context(CONTEXT.alarmEmail);
    if (alarmEmail !== undefined && !EMAIL_ADDRESS.test(alarmEmail)) {
      throw new Error(`Context "${CONTEXT.alarmEmail}" must be an email address, got "${alarmEmail}"`);
    }
    const limit = (key: string, fallback: number, integer: boolean): number => {
      const raw = context(key);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
        throw new Error(
          `Context "${key}" must be a positive ${integer ? 'integer' : 'number'} of requests, got "${raw}"`,
        );
      }
      return value;
    };
    const throttle = {
      rateLimit: limit(CONTEXT.apiRateLimit, DEFAULT_THROTTLE.rateLimit, false),
      burstLimit: limit(CONTEXT.apiBurstLimit, DEFAULT_THROTTLE.burstLimit, true),
    };
    const publicThrottle = {
      rateLimit: limit(CONTEXT.publicRateLimit, DEFAULT_PUBLIC_THROTTLE.rateLimit, false),
      burstLimit: limit(CONTEXT.publicBurstLimit, DEFAULT_PUBLIC_THROTTLE.burstLimit, true),
    };
    const defaultTimeZone = context(CONTEXT.defaultTimeZone) ?? DEFAULT_TIME_ZONE;
    if (!isTimeZone(defaultTimeZone)) {
      throw new Error(
        `Context "${CONTEXT.defaultTimeZone}" must be an IANA time zone such as Europe/Paris, got "${defaultTimeZone}"`,
      );
    }

    // First, what we keep: the customer database, the tracking events and the HMAC keyring.
    this.data = new Data(this, 'Data');

    // Every function is told where that data lives, and how to log.
    const environment = {
      TABLE_NAME: this.data.table.tableName,
      EVENTS_TABLE_NAME: this.data.eventsTable.tableName,
      KEYRING_SECRET_ARN: this.data.keyring.secretArn,
      DEFAULT_COUNTRY: defaultCountry,
      POWERTOOLS_SERVICE_NAME: 'relance',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    } satisfies FunctionEnvironment;

    // Then how campaigns go out: the SES configuration set and its event feed, the plan and send
    // queues with their dead-letter queues, the planner, sender and ses-events workers, and the
    // engagement aggregator counting opens and clicks from the events table's stream.
    this.sending = new Sending(this, 'Sending', {
      data: this.data,
      environment,
      senderIdentity,
      company,
      sendConcurrency: Number(context(CONTEXT.sendConcurrency) ?? 2),
      sendRatePerSecond: Number(context(CONTEXT.sendRatePerSecond) ?? 0.5),
      smsRatePerSecond: Number(context(CONTEXT.smsRatePerSecond) ?? 0.5),
      ...(frequencyCap ? { frequencyCap } : {}),
    });

    // Then how SMS go out and how we hear back: the End User Messaging configuration set, the topics
    // of its delivery receipts and of the replies to our numbers, the sms-events and sms-inbound
    // workers, and what the sender may send SMS through (nothing until an identity is named).
    const sender = this.sending.functions.get('sender');
    if (!sender) throw new Error('Sending has no sender');
    this.sms = new Sms(this, 'Sms', {
      data: this.data,
      environment,
      sender,
      sending: smsSending,
      quietHours: smsQuietHours,
      defaultTimeZone,
      ...(shortLinkBaseUrl ? { shortLinkBaseUrl } : {}),
    });

    // Then how marketers and tills reach it: the HTTP API, its authorizer and one function per
    // handler, each allowed to touch only what it serves. The functions that compile templates
    // (templates, campaigns, automations) carry templates/email and templates/sms in their package;
    // those that show the company's footer (emails, the unsubscribe page, the printable coupon, the
    // opt-in email) are told it. Those that create campaigns or automations are told whether SMS can
    // be sent at all, so that an SMS campaign is refused at once rather than paused at its first send.
    const footer = {
      COMPANY_NAME: company.name,
      COMPANY_ADDRESS: company.address,
    } satisfies FunctionEnvironment;
    const shortLinks: FunctionEnvironment = shortLinkBaseUrl ? { SHORT_LINK_BASE_URL: shortLinkBaseUrl } : {};
    const publicLinks: FunctionEnvironment = publicBaseUrl ? { PUBLIC_BASE_URL: publicBaseUrl } : {};
    const links: FunctionEnvironment = { ...publicLinks, ...shortLinks };
    const templatesDir = {
      TEMPLATES_DIR: `${LAMBDA_TASK_ROOT}/${TEMPLATES}`,
      SMS_TEMPLATES_DIR: `${LAMBDA_TASK_ROOT}/${SMS_TEMPLATES}`,
    } satisfies FunctionEnvironment;
    const campaignMaking = {
      ...templatesDir,
      ...footer,
      SENDER_IDENTITY: senderIdentity,
      SMS_ENABLED: String(this.sms.provider !== 'none'),
    } satisfies FunctionEnvironment;
    this.api = new Api(this, 'Api', {
      data: this.data,
      environment,
      throttle,
      publicThrottle,
      functionOptions: {
        templates: {
          environment: { ...templatesDir, ...footer, ...links },
          assets: [TEMPLATES, SMS_TEMPLATES],
        },
        campaigns: {
          environment: {
            ...campaignMaking,
            ...links,
            PLAN_QUEUE_URL: this.sending.plan.queue.queueUrl,
          } satisfies FunctionEnvironment,
          assets: [TEMPLATES, SMS_TEMPLATES],
        },
        // It checks an automation's templates as the campaigns it will make need them, and reads
        // the automations' clock (their `runAt`, their days) in the default time zone.
        automations: {
          environment: { ...campaignMaking, ...links, DEFAULT_TIME_ZONE: defaultTimeZone },
          assets: [TEMPLATES, SMS_TEMPLATES],
        },
        // The opt-in email comes from the sending identity (or an address of its domain), through
        // the configuration set, with the footer; its link points at the public base URL, if any.
        signups: {
          environment: {
            ...footer,
            ...publicLinks,
            SENDER_IDENTITY: senderIdentity,
            SES_CONFIGURATION_SET: this.sending.configurationSet.configurationSetName,
          } satisfies FunctionEnvironment,
        },
        // The unsubscribe page's footer, and the till page's script: the front-end build, in its package.
        pages: {
          environment: { ...footer, ASSETS_DIR: `${LAMBDA_TASK_ROOT}/${BROWSER_ASSETS}` },
          browserAssets: true,
        },
        'coupon-pages': { environment: footer },
      },
    });
    const apiFunction = (name: Parameters<Api['functions']['get']>[0]): RelanceFunction => {
      const fn = this.api.functions.get(name);
      if (!fn) throw new Error(`The route table has no ${name} function`);
      return fn;
    };

    // Then what a coupon redeemed at the till becomes: the redemptions worker reads the main
    // table's stream and records the purchase and the campaign's counts.
    this.coupons = new Coupons(this, 'Coupons', { data: this.data, environment });

    // Then files of any size: the bucket import files are uploaded to, and the worker reading them in
    // chunks from their checkpoint.
    this.imports = new Imports(this, 'Imports', {
      data: this.data,
      environment,
      api: apiFunction('imports'),
    });

    // Sending a campaign puts its first plan message on the plan queue: the campaigns function's
    // only way into the sending pipeline.
    const campaigns = apiFunction('campaigns');
    this.sending.plan.queue.grantSendMessages(campaigns);

    // A customer signed up in a shop gets the double opt-in email: the sign-up function may send
    // email as the sender does (the identity, through the configuration set), and nothing else.
    this.sending.grantSendEmail(apiFunction('signups'));

    // Then the campaigns that run by themselves: the schedule group in which the campaigns function
    // schedules campaigns (and the role Scheduler starts them as), and the automation runner, every
    // five minutes. The runner is not an API function, so the API's URL can be its links' base URL
    // without a dependency cycle.
    this.automation = new Automation(this, 'Automation', {
      data: this.data,
      environment,
      planQueue: this.sending.plan.queue,
      campaigns,
      runnerEnvironment: { ...campaignMaking, ...shortLinks, DEFAULT_TIME_ZONE: defaultTimeZone },
      runnerAssets: [TEMPLATES, SMS_TEMPLATES],
      publicBaseUrl: publicBaseUrl ?? this.api.url,
    });

    // Then the marketers' webhooks: the queue of deliveries and its deliverer, and the functions
    // that see events, each allowed to queue deliveries.
    this.webhooks = new Webhooks(this, 'Webhooks', { data: this.data, environment });
    const worker = (name: WorkerName): RelanceFunction => {
      const fn =
        this.sending.functions.get(name) ?? this.sms.functions.get(name) ?? this.coupons.functions.get(name);
      if (!fn) throw new Error(`No ${name} worker`);
      return fn;
    };
    for (const publisher of [
      worker('sender'),
      worker('ses-events'),
      worker('sms-events'),
      worker('engagement-aggregator'),
      worker('redemptions'),
      apiFunction('pages'),
    ]) {
      this.webhooks.addPublisher(publisher);
    }

    // Every function builds links on one configured base URL, never on a request's headers: the
    // publicBaseUrl context, or the API's own URL. (A function depends on the API this way, and the
    // API's routes on the functions: the API resource itself depends on none, so there is no cycle.)
    const linkBase = publicBaseUrl ?? this.api.url;
    for (const fn of this.node.findAll()) {
      if (fn instanceof RelanceFunction) fn.addEnvironment('PUBLIC_BASE_URL', linkBase);
    }

    // What a deployment tells its operator: where to call, and which resources hold the data.
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'Main table' });
    new CfnOutput(this, 'EventsTableName', {
      value: this.data.eventsTable.tableName,
      description: 'Tracking events table (TTL)',
    });
    new CfnOutput(this, 'KeyringSecretArn', {
      value: this.data.keyring.secretArn,
      description: 'HMAC keyring secret',
    });
    // And where to look when sending goes wrong: the configuration set, and the dead-letter queues.
    new CfnOutput(this, 'ConfigurationSetName', {
      value: this.sending.configurationSet.configurationSetName,
      description: 'SES configuration set every campaign email is sent through',
    });
    new CfnOutput(this, 'PlanDeadLetterQueueUrl', {
      value: this.sending.plan.deadLetterQueue.queueUrl,
      description: 'Plan messages that failed five times',
    });
    new CfnOutput(this, 'ImportBucketName', {
      value: this.imports.bucket.bucketName,
      description: 'Where import files are uploaded (through the URLs POST /v1/imports answers)',
    });
    new CfnOutput(this, 'ImportDeadLetterQueueUrl', {
      value: this.imports.jobs.deadLetterQueue.queueUrl,
      description: 'Import chunks that failed five times',
    });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', {
      value: this.sending.send.deadLetterQueue.queueUrl,
      description: 'Send jobs that failed five times',
    });
    new CfnOutput(this, 'SesEventsDeadLetterQueueUrl', {
      value: this.sending.sesEventsDeadLetterQueue.queueUrl,
      description: 'SES events (bounces, complaints...) that could not be recorded',
    });
    new CfnOutput(this, 'EngagementDeadLetterQueueUrl', {
      value: this.sending.engagementDeadLetterQueue.queueUrl,
      description: 'Opens and clicks that could not be counted: where they are in the events table stream',
    });
    new CfnOutput(this, 'RedemptionsDeadLetterQueueUrl', {
      value: this.coupons.redemptionsDeadLetterQueue.queueUrl,
      description: 'Coupon redemptions that could not be recorded: where they are in the main table stream',
    });
    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', {
      value: this.webhooks.deliveries.deadLetterQueue.queueUrl,
      description: 'Webhook deliveries that failed five times (their log could not be written)',
    });
    new CfnOutput(this, 'ScheduleGroupName', {
      value: this.automation.scheduleGroup.scheduleGroupName,
      description: 'EventBridge Scheduler group holding the schedules of scheduled campaigns',
    });
    // And what SMS need from their operator: the topic to set as the two-way channel of the numbers
    // or pool, the configuration set, and the dead-letter queues of the SMS workers.
    new CfnOutput(this, 'SmsInboundTopicArn', {
      value: this.sms.inboundTopic.topicArn,
      description:
        'Set this SNS topic as the two-way channel of your End User Messaging phone number or pool ' +
        '(no two-way channel role): replies, STOP included, reach the sms-inbound function through it',
    });
    new CfnOutput(this, 'SmsConfigurationSetName', {
      value: this.sms.configurationSet.ref,
      description: 'End User Messaging configuration set every SMS is sent through (delivery receipts)',
    });
    new CfnOutput(this, 'SmsEventsDeadLetterQueueUrl', {
      value: this.sms.smsEventsDeadLetterQueue.queueUrl,
      description: 'SMS delivery receipts that could not be recorded',
    });
    new CfnOutput(this, 'SmsInboundDeadLetterQueueUrl', {
      value: this.sms.smsInboundDeadLetterQueue.queueUrl,
      description: 'Inbound SMS (STOP included) that could not be recorded: replay them',
    });

    // Last, so that it sees everything above: the alarms on every dead-letter queue and every
    // function, on the API, SES's reputation, the send queue and the sending guard, the topic they
    // notify, and the dashboard.
    this.observability = new Observability(this, 'Observability', {
      httpApi: this.api.httpApi,
      sendQueue: this.sending.send.queue,
      planQueue: this.sending.plan.queue,
      ...(alarmEmail ? { alarmEmail } : {}),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.observability.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies (subscribe to it, or deploy with -c alarmEmail=…)',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.observability.dashboard.dashboardName,
      description: 'CloudWatch dashboard: sends, failures, queues, SES reputation, redemptions, errors',
    });
  }

  /**
   * The SMS provider and what it needs, from the context: `none` when End User Messaging SMS has no
   * origination identity yet (the default), with a reminder; a clear error for anything malformed,
   * or for a key that the chosen provider does not read.
   */
  private smsSending(context: (key: string) => string | undefined): SmsSending {
    const provider = (context(CONTEXT.smsProvider) ?? 'sms-voice-v2') as SmsProvider;
    if (!SMS_PROVIDERS.includes(provider)) {
      throw new Error(
        `Context "${CONTEXT.smsProvider}" must be one of ${SMS_PROVIDERS.join(', ')}, got "${provider}"`,
      );
    }
    const identity = context(CONTEXT.smsOriginationIdentity);
    const maxPrice = context(CONTEXT.smsMaxPrice);
    const applicationId = context(CONTEXT.pinpointApplicationId);
    const originationNumber = context(CONTEXT.pinpointOriginationNumber);
    if (maxPrice !== undefined && !PRICE.test(maxPrice)) {
      throw new Error(
        `Context "${CONTEXT.smsMaxPrice}" must be a price in US dollars such as 0.10, got "${maxPrice}"`,
      );
    }
    const notRead = (key: string, by: string) => {
      throw new Error(
        `Context "${key}" is not read with ${CONTEXT.smsProvider}=${provider}: it is for ${by}`,
      );
    };
    if (provider !== 'sms-voice-v2') {
      if (identity !== undefined) notRead(CONTEXT.smsOriginationIdentity, 'sms-voice-v2');
      if (maxPrice !== undefined) notRead(CONTEXT.smsMaxPrice, 'sms-voice-v2');
    }
    if (provider !== 'pinpoint') {
      if (applicationId !== undefined) notRead(CONTEXT.pinpointApplicationId, 'pinpoint');
      if (originationNumber !== undefined) notRead(CONTEXT.pinpointOriginationNumber, 'pinpoint');
    }

    if (provider === 'pinpoint') {
      if (applicationId === undefined || !/^[A-Za-z0-9]{1,64}$/.test(applicationId)) {
        throw new Error(
          `Context "${CONTEXT.pinpointApplicationId}" must be the id of your Pinpoint project with ` +
            `${CONTEXT.smsProvider}=pinpoint, got ${applicationId === undefined ? 'nothing' : `"${applicationId}"`}`,
        );
      }
      if (originationNumber !== undefined && !/^\+?[0-9]{3,15}$/.test(originationNumber)) {
        throw new Error(
          `Context "${CONTEXT.pinpointOriginationNumber}" must be a phone number (+33612345678) or a short code, ` +
            `got "${originationNumber}"`,
        );
      }
      return { provider, applicationId, ...(originationNumber ? { originationNumber } : {}) };
    }
    if (provider === 'none') return { provider };

    if (identity === undefined) {
      Annotations.of(this).addInfo(
        `Context "${CONTEXT.smsOriginationIdentity}" is not set: no SMS can be sent until it names your End User ` +
          `Messaging pool, phone number id or sender ID (cdk deploy -c ${CONTEXT.smsOriginationIdentity}=pool-…)`,
      );
      return { provider: 'none' };
    }
    const originationIdentity = parseOriginationIdentity(identity);
    if (!originationIdentity) {
      throw new Error(
        `Context "${CONTEXT.smsOriginationIdentity}" must be a pool id (pool-…), a phone number id (phone-…, not ` +
          `the number), a sender ID with its country (sender-id/SHOP/FR) or the ARN of one of them, got "${identity}"`,
      );
    }
    return { provider, originationIdentity, ...(maxPrice ? { maxPrice } : {}) };
  }
}
