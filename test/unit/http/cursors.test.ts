import { describe, expect, it } from 'vitest';
import { AppError } from '../../../functions/domain/shared/errors';
import { keyringFromSecret } from '../../../functions/domain/shared/hashing';
import { cursors } from '../../../functions/http/cursors';

const ring = keyringFromSecret('cursor-test-secret-cursor-test-secret-01');
const pages = cursors(async () => ring);

async function refused(p: Promise<unknown>) {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(400);
  expect((err as AppError).issues[0]?.path).toBe('query.cursor');
}

describe('cursors', () => {
  it('gives back the store’s cursor of its own list, and nothing for none', async () => {
    const sealed = await pages.seal('report:cmp_1', 'eyJwayI6IkNBTVBBSUdOI2NtcF8xIn0');
    expect(sealed).not.toContain('eyJwayI6IkNBTVBBSUdOI2NtcF8xIn0.');
    expect(await pages.open('report:cmp_1', sealed)).toBe('eyJwayI6IkNBTVBBSUdOI2NtcF8xIn0');
    expect(await pages.seal('x', undefined)).toBeUndefined();
    expect(await pages.open('x', undefined)).toBeUndefined();
    expect(await pages.open('x', '')).toBeUndefined();
  });

  it('refuses a cursor of another list, a forged or altered one, with a 400 on query.cursor', async () => {
    const sealed = (await pages.seal('report:cmp_1', '12')) as string;
    await refused(pages.open('report:cmp_2', sealed));
    await refused(pages.open('report:cmp_1', 'zzzz'));
    await refused(pages.open('report:cmp_1', 'eyJhIjoxfQ'));
    const [kid, payload, sig] = sealed.split('.');
    const other = Buffer.from(JSON.stringify({ l: 'report:cmp_1', c: '13' })).toString('base64url');
    await refused(pages.open('report:cmp_1', `${kid}.${other}.${sig}`));
    await refused(pages.open('report:cmp_1', `${kid}.${payload}.${sig}x`));
  });
});
