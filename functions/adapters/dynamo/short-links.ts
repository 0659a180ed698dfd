import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ShortLinkRepository } from '../../domain/sms/ports';
import type { ShortLink } from '../../domain/sms/short-links';
import { conditional, key, stripKeys } from './table';

/** Short links live in the main table and expire (TTL) with the raw events they produce. */
export class DynamoShortLinkRepository implements ShortLinkRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
  ) {}

  async create(link: ShortLink): Promise<boolean> {
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key.shortLink(link.code),
            type: 'short-link',
            ...link,
            // As long as the events it produces, and a month past the coupon it leads to.
            expiresAt: Math.max(
              Math.floor(link.sentAt / 1000) + this.ttlDays * 86_400,
              link.keepUntil ? Math.floor(Date.parse(link.keepUntil) / 1000) + 30 * 86_400 : 0,
            ),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(code: string): Promise<ShortLink | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.shortLink(code) }));
    if (!res.Item) return undefined;
    const { expiresAt: _ttl, keepUntil: _keep, ...item } = res.Item;
    return stripKeys<ShortLink>(item);
  }
}
