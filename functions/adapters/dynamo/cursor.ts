import { validationError } from '../../domain/shared/errors';

/** What each attribute of a page's last key must be: a fixed value or a pattern. */
export type CursorShape = Record<string, string | RegExp>;

/** A page's last key, given to callers as an opaque token. */
export const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * Reads back a cursor this list gave. Anything else — not base64 JSON, another list's key, an
 * attribute too many or of another form — is a 400 on `query.cursor`, never a key handed to DynamoDB
 * as it came: a forged cursor can only point inside the list it claims to be from.
 */
export function decodeCursor(cursor: string, shape: CursorShape): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const key = parsed as Record<string, unknown> | undefined;
  const ok =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).length === Object.keys(shape).length &&
    Object.entries(shape).every(([name, rule]) => {
      const v = key[name];
      return (
        typeof v === 'string' && v.length <= 1024 && (typeof rule === 'string' ? v === rule : rule.test(v))
      );
    });
  if (!ok) throw validationError([{ path: 'query.cursor', message: 'Not a cursor of this list' }]);
  return key as Record<string, string>;
}
