import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EVENTS_TABLE, MAIN_TABLE } from '../../functions/adapters/dynamo/table';
import type { RelanceFunction } from '../function';

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/** Actions on one item of the main table, addressed by its full key: no index, no query, no scan. */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem';

/**
 * Actions addressed by key: one item (`ItemAction`), or the items of one partition (`Query`). With
 * `dynamodb:LeadingKeys`, IAM checks the partition key of each, so a pattern (`WEBHOOK#*`) confines
 * them to one kind of item.
 */
export type KeyedAction = ItemAction | 'dynamodb:Query';

/** The main table's global secondary indexes, by name (`gsi1`). */
export type MainTableIndex = (typeof MAIN_TABLE.indexes)[number]['name'];

/**
 * What a function may do with the main table's items: read them (indexes included), read and write
 * them, or only the keyed actions listed, on the table itself and none of its indexes (unless
 * `GrantMainTableOptions.queryIndexes` names some).
 */
export type MainTableAccess = 'read' | 'readWrite' | readonly KeyedAction[];

/** What narrows, or widens, a list of keyed actions (see `Data.grantMainTable`). */
export interface GrantMainTableOptions {
  /**
   * The partition keys (patterns, `SHORT#*`) of the only items the actions may touch, enforced by
   * IAM (`dynamodb:LeadingKeys`).
   */
  readonly leadingKeys?: readonly string[];
  /**
   * Indexes the function may query too, each by its own ARN (no `index/*` wildcard). The leading
   * keys do not apply to them: an index's partition key is not the table's.
   */
  readonly queryIndexes?: readonly MainTableIndex[];
}

/**
 * Everything Relance keeps: the main table, the events table and the HMAC keyring.
 *
 * Key names come from `functions/adapters/dynamo/table.ts`, the same definitions the adapters and
 * the local stack use, so the deployed tables cannot drift from the code that reads them.
 *
 * Both tables are encrypted with the AWS-managed key (`aws/dynamodb`) rather than a customer-managed
 * one: the data is protected at rest by KMS and every use of the key is logged in CloudTrail, with no
 * key policy to get wrong, no monthly key cost and no risk of locking the data away by disabling or
 * deleting a key. Access control is IAM's job, and each function gets only the actions it needs.
 */
export class Data extends Construct {
  /**
   * Contacts, stores, API keys, campaigns, send records, coupons, counters. Its stream carries the
   * old and new image of every change, from which the redemptions worker learns what the till did
   * to a coupon (see `Coupons`).
   */
  public readonly table: dynamodb.Table;
  /** Raw tracking events; they expire on their own. Its stream carries each new item's image. */
  public readonly eventsTable: dynamodb.Table;
  /** The HMAC keyring (see `functions/domain/hashing.ts`). */
  public readonly keyring: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // The single customer database, designed from its access patterns: one partition/sort key
    // pair plus one generic index. It is the system of record, so it has point-in-time recovery
    // and survives the deletion of the stack.
    this.table = new dynamodb.Table(this, 'MainTable', {
      partitionKey: stringKey(MAIN_TABLE.partitionKey),
      sortKey: stringKey(MAIN_TABLE.sortKey),
      // Expires the per-minute counters of failed coupon look-ups; no record carries the attribute.
      timeToLiveAttribute: MAIN_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Both images: a coupon's redemption is a change from `issued` to `redeemed`, its void the
      // reverse, and undoing one needs the redemption that the new image no longer carries.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    for (const index of MAIN_TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Raw opens, clicks, deliveries and bounces. DynamoDB deletes each event once its `expiresAt`
    // (epoch seconds) has passed; what outlives them is the per-campaign counters in the main table.
    this.eventsTable = new dynamodb.Table(this, 'EventsTable', {
      partitionKey: stringKey(EVENTS_TABLE.partitionKey),
      sortKey: stringKey(EVENTS_TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: EVENTS_TABLE.ttlAttribute,
      // Every new item's image goes to the table's stream, from which the engagement aggregator
      // derives the unique marks and the counters (see `Sending`). The new image is all it reads.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      // Short-lived, high-churn personal data: it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.eventsTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Raw tracking events expire through TTL and are summarised in per-campaign counters kept in the ' +
        'main table, which has point-in-time recovery; continuous backups of this high-churn table would ' +
        'cost more than the raw events are worth.',
    });

    // The HMAC keyring signing tracking tokens and hashing erased contacts' addresses. It starts as
    // one random key (read as key id `k1`). It is retained: losing it would void every signed link
    // and every suppression kept as a keyed hash, letting erased contacts be mailed again.
    this.keyring = new secretsmanager.Secret(this, 'Keyring', {
      description: 'Relance HMAC keyring: a random key, or JSON {"current": id, "keys": {id: key}}',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.keyring).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The keyring rotates by adding a key under a new id to its JSON and making it "current" ' +
        '(functions/domain/hashing.ts): old keys must stay readable so that existing tokens and hashes ' +
        'still verify, which a Secrets Manager rotation replacing the value would break.',
    });
  }

  /**
   * Lets a function read, or read and write, the main table's items, its indexes included, and
   * acknowledges the one wildcard this takes (the table's index ARNs) on the function's role. Given a
   * list of keyed actions instead, allows only those, on the table's ARN: no index, hence no wildcard
   * to acknowledge; given `leadingKeys` (`SHORT#*`), only on the items whose partition key matches
   * one of them; and given `queryIndexes`, Query on those indexes, each named by its ARN.
   */
  grantMainTable(fn: RelanceFunction, access: MainTableAccess, options: GrantMainTableOptions = {}): void {
    const { leadingKeys, queryIndexes } = options;
    if (typeof access !== 'string') {
      if (access.length === 0) throw new Error('grantMainTable: name at least one keyed action');
      Grant.addToPrincipal({
        grantee: fn,
        actions: [...access],
        resourceArns: [this.table.tableArn],
        ...(leadingKeys
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } } }
          : {}),
      });
      if (queryIndexes && queryIndexes.length > 0) {
        Grant.addToPrincipal({
          grantee: fn,
          actions: ['dynamodb:Query'],
          resourceArns: queryIndexes.map((index) => `${this.table.tableArn}/index/${index}`),
        });
      }
      return;
    }
    if (leadingKeys || queryIndexes) {
      throw new Error('grantMainTable: leadingKeys and queryIndexes only go with a list of keyed actions');
    }
    if (access === 'read') this.table.grants.readData(fn);
    else this.table.grants.readWriteData(fn);
    const tableLogicalId = Stack.of(this).getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
    Validations.of(fn.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason:
        "Queries on the main table's global secondary indexes (gsi1 lists API keys, stores, contacts and campaigns) " +
        "need permission on the table's index ARNs; the wildcard covers only this table's indexes.",
    });
  }
}
