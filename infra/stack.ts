import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { Api } from './constructs/api';
import { Coupons } from './constructs/coupons';
import { Data } from './constructs/data';
import { Sending } from './constructs/sending';
import { LAMBDA_TASK_ROOT } from './function';

/**
 * What every function finds in its environment. Keys are those `functions/config.ts` parses, so a
 * misspelt variable is a compile error here rather than a failed cold start in AWS.
 */
export type FunctionEnvironment = Partial<Record<keyof Config | 'POWERTOOLS_SERVICE_NAME', string>>;

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
 */
export const CONTEXT = {
  defaultCountry: DEFAULT_COUNTRY_CONTEXT,
  senderIdentity: 'senderIdentity',
  companyName: 'companyName',
  companyAddress: 'companyAddress',
  sendConcurrency: 'sendConcurrency',
  sendRatePerSecond: 'sendRatePerSecond',
  publicBaseUrl: 'publicBaseUrl',
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

/** A domain (`shop.example`) or an address in it (`news@shop.example`). */
const SES_IDENTITY = /^([^@\s]+@)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * Relance in one stack. It is environment-agnostic (no account, region or lookups), so it
 * synthesises anywhere, without credentials, and deploys into whichever account the CLI targets.
 */
export class RelanceStack extends Stack {
  public readonly data: Data;
  public readonly sending: Sending;
  public readonly api: Api;
  public readonly coupons: Coupons;

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
    if (publicBaseUrl !== undefined && !/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicBaseUrl)) {
      throw new Error(`Context "${CONTEXT.publicBaseUrl}" must be an https:// URL, got "${publicBaseUrl}"`);
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
    });

    // Then how marketers and tills reach it: the HTTP API, its authorizer and one function per
    // handler, each allowed to touch only what it serves. The functions that compile templates
    // carry templates/email in their package; those that show the company's footer (emails, the
    // unsubscribe page, the printable coupon) are told it.
    const footer = {
      COMPANY_NAME: company.name,
      COMPANY_ADDRESS: company.address,
    } satisfies FunctionEnvironment;
    const links: FunctionEnvironment = publicBaseUrl ? { PUBLIC_BASE_URL: publicBaseUrl } : {};
    const templatesDir = { TEMPLATES_DIR: `${LAMBDA_TASK_ROOT}/${TEMPLATES}` } satisfies FunctionEnvironment;
    this.api = new Api(this, 'Api', {
      data: this.data,
      environment,
      functionOptions: {
        templates: { environment: { ...templatesDir, ...footer, ...links }, assets: [TEMPLATES] },
        campaigns: {
          environment: {
            ...templatesDir,
            ...footer,
            ...links,
            SENDER_IDENTITY: senderIdentity,
            PLAN_QUEUE_URL: this.sending.plan.queue.queueUrl,
          } satisfies FunctionEnvironment,
          assets: [TEMPLATES],
        },
        pages: { environment: footer },
        'coupon-pages': { environment: footer },
      },
    });

    // Then what a coupon redeemed at the till becomes: the redemptions worker reads the main
    // table's stream and records the purchase and the campaign's counts.
    this.coupons = new Coupons(this, 'Coupons', { data: this.data, environment });

    // Sending a campaign puts its first plan message on the plan queue: the campaigns function's
    // only way into the sending pipeline.
    const campaigns = this.api.functions.get('campaigns');
    if (!campaigns) throw new Error('The route table has no campaigns function');
    this.sending.plan.queue.grantSendMessages(campaigns);

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
  }
}
