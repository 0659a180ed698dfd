import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/contacts/contact';
import type { SuppressionList } from '../../domain/contacts/ports';
import { allKeyedHashes, type Keyring, keyedHash } from '../../domain/shared/hashing';
import { batchGet } from './batch';
import { key } from './table';

/** An email address is suppressed for email, a phone number for SMS. */
const CHANNEL_OF = { email: 'email', phone: 'sms' } as const satisfies Record<string, Channel>;

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly keyringSource: Keyring | (() => Promise<Keyring>),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The keyring is read when first needed, so functions that never hash never fetch the secret. */
  private keyring(): Promise<Keyring> {
    const source = this.keyringSource;
    return typeof source === 'function' ? source() : Promise.resolve(source);
  }

  async suppressedChannels(ids: { email?: string; phone?: string }): Promise<Channel[]> {
    return (await this.suppressedChannelsMany([ids]))[0] ?? [];
  }

  async suppressedChannelsMany(list: { email?: string; phone?: string }[]): Promise<Channel[][]> {
    const keyring = await this.keyring();
    const wanted = list.map((ids) =>
      (['email', 'phone'] as const).flatMap((kind) => {
        const value = ids[kind];
        return value
          ? allKeyedHashes(keyring, value).map((hash) => ({ hash, channel: CHANNEL_OF[kind] }))
          : [];
      }),
    );
    const keys = wanted.flat().map((w) => key.suppression(w.hash));
    if (keys.length === 0) return list.map(() => []);
    const found = new Set((await batchGet(this.doc, this.table, keys)).map((i) => i.hash as string));
    return wanted.map((w) => [...new Set(w.filter((x) => found.has(x.hash)).map((x) => x.channel))]);
  }

  async suppress(ids: { email?: string; phone?: string }, reason: string): Promise<void> {
    for (const kind of ['email', 'phone'] as const) {
      const value = ids[kind];
      if (!value) continue;
      const hash = keyedHash(await this.keyring(), value);
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.suppression(hash),
          UpdateExpression:
            'SET #t = :t, #h = :h, #c = :c, #r = list_append(if_not_exists(#r, :empty), :r), #f = if_not_exists(#f, :at)',
          ExpressionAttributeNames: {
            '#t': 'type',
            '#h': 'hash',
            '#c': 'channel',
            '#r': 'reasons',
            '#f': 'firstAt',
          },
          ExpressionAttributeValues: {
            ':t': 'suppression',
            ':h': hash,
            ':c': CHANNEL_OF[kind],
            ':r': [{ reason, at: this.now().toISOString() }],
            ':empty': [],
            ':at': this.now().toISOString(),
          },
        }),
      );
    }
  }
}
