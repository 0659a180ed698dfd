import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import { Api } from './constructs/api';
import { Data } from './constructs/data';

/**
 * What every function finds in its environment. Keys are those `functions/config.ts` parses, so a
 * misspelt variable is a compile error here rather than a failed cold start in AWS.
 */
export type FunctionEnvironment = Partial<Record<keyof Config | 'POWERTOOLS_SERVICE_NAME', string>>;

/** The context key (`cdk synth -c defaultCountry=BE`, or cdk.json) that sets DEFAULT_COUNTRY. */
export const DEFAULT_COUNTRY_CONTEXT = 'defaultCountry';

/**
 * Relance in one stack. It is environment-agnostic (no account, region or lookups), so it
 * synthesises anywhere, without credentials, and deploys into whichever account the CLI targets.
 */
export class RelanceStack extends Stack {
  public readonly data: Data;
  public readonly api: Api;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Country used to read phone numbers written without an international prefix.
    const defaultCountry = String(this.node.tryGetContext(DEFAULT_COUNTRY_CONTEXT) ?? 'FR');
    if (!/^[A-Z]{2}$/.test(defaultCountry)) {
      throw new Error(
        `Context "${DEFAULT_COUNTRY_CONTEXT}" must be an ISO 3166-1 alpha-2 code such as FR, got "${defaultCountry}"`,
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

    // Then how marketers and tills reach it: the HTTP API, its authorizer and one function per
    // handler, each allowed to touch only what it serves.
    this.api = new Api(this, 'Api', { data: this.data, environment });

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
  }
}
