import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../infra/cli/keys';
import { sampleStore, startTestStack, type TestStack } from './helpers';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/lille', { json: sampleStore({ city: 'Lille' }) });
});
afterAll(() => s?.stop());

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const secretIn = (text: string) => /\b(rl_[A-Za-z0-9_-]{43})\b/.exec(text)?.[1];

describe('npm run keys', () => {
  it('creates a store key through the API, and the key works', async () => {
    const res = await run(['create', '--role', 'store', '--store', 'lille', '--url', s.url, '--key', s.key]);
    expect(res.code).toBe(0);
    const secret = secretIn(res.out);
    expect(secret).toBeDefined();
    expect((await s.call('GET', '/v1/stores', { key: secret as string })).status).toBe(403);
    const listed = await run(['list', '--url', s.url], { RELANCE_API_KEY: s.key });
    expect(listed.out).toContain('store\tlille');
    expect(listed.out).not.toContain(secret);
  });

  it('writes a first marketer key straight into the table', async () => {
    const res = await run([
      'create',
      '--role',
      'marketer',
      '--table',
      s.deps.config.TABLE_NAME,
      '--endpoint',
      s.dynamoEndpoint,
      '--region',
      'eu-west-3',
    ]);
    expect(res.code).toBe(0);
    const secret = secretIn(res.out) as string;
    expect((await s.call('GET', '/v1/stores', { key: secret })).status).toBe(200);
    const id = /key (k_\w+)/.exec(res.out)?.[1] as string;
    const revoked = await run(['revoke', id, '--url', s.url, '--key', s.key]);
    expect(revoked.code).toBe(0);
    expect((await s.call('GET', '/v1/stores', { key: secret })).status).toBe(401);
  });

  it('explains what is wrong', async () => {
    const noStore = await run(['create', '--role', 'store', '--url', s.url, '--key', s.key]);
    expect(noStore.code).toBe(1);
    expect(noStore.err).toContain('storeId');
    const noKey = await run(['create', '--role', 'marketer', '--url', s.url]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('RELANCE_API_KEY');
    const badKey = await run(['list', '--url', s.url, '--key', 'rl_wrong-wrong-wrong']);
    expect(badKey.code).toBe(1);
    expect(badKey.err).toContain('401');
    expect((await run(['frobnicate', '--url', s.url, '--key', s.key])).code).toBe(2);
  });
});
