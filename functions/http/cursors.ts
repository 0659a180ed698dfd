import { validationError } from '../domain/shared/errors';
import type { Keyring } from '../domain/shared/hashing';
import { signToken, verifyToken } from '../domain/shared/tokens';

/**
 * Page cursors as the API gives them: the store's own cursor, signed (HMAC under the keyring) with
 * the list it belongs to, so a cursor can be neither forged nor carried from one list to another
 * (another campaign's report, another endpoint's log). A bad one is a 400 on `query.cursor`.
 */
export const cursors = (keyring: () => Promise<Keyring>) => ({
  async seal(list: string, cursor: string | undefined): Promise<string | undefined> {
    if (cursor === undefined) return undefined;
    return signToken(await keyring(), 'cursor', { l: list, c: cursor });
  },
  async open(list: string, token: string | undefined): Promise<string | undefined> {
    if (token === undefined || token === '') return undefined;
    const data = verifyToken<{ l: string; c: string }>(await keyring(), 'cursor', token);
    if (!data || data.l !== list || typeof data.c !== 'string')
      throw validationError([
        { path: 'query.cursor', message: 'Not a cursor of this list: give the `next` it answered' },
      ]);
    return data.c;
  },
});
