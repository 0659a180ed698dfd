import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack';

export interface TestStack extends LocalStack {
  /** The marketer key every test stack boots with. */
  key: string;
  call(
    method: string,
    path: string,
    opts?: CallOptions,
    // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export interface CallOptions {
  key?: string | null;
  json?: unknown;
  body?: string;
  type?: string;
}

/**
 * A local stack on its own tables in the shared emulators, with a marketer
 * key, and a small client for its HTTP API.
 */
export async function startTestStack(opts: LocalStackOptions = {}): Promise<TestStack> {
  const key = `test-${randomBytes(12).toString('hex')}`;
  const stack = await startLocalStack({
    port: 0,
    dataDir: ':memory:',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sesEndpoint: inject('sesEndpoint'),
    tablePrefix: `t${randomBytes(6).toString('hex')}`,
    bootstrapKey: key,
    ...opts,
  });
  const call: TestStack['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    const k = o.key === undefined ? key : o.key;
    if (k !== null) headers.authorization = `Bearer ${k}`;
    let body: string | undefined = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    }
    if (o.type) headers['content-type'] = o.type;
    const res = await fetch(stack.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return { ...stack, key, call };
}

export const sampleStore = (over: Record<string, unknown> = {}) => ({
  name: 'Paris Oberkampf',
  address: '112 rue Oberkampf',
  postcode: '75011',
  city: 'Paris',
  country: 'FR',
  ...over,
});

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until a campaign reaches one of the given statuses and returns it. */
export function waitForCampaign(s: TestStack, id: string, statuses = ['sent']) {
  return waitFor(
    async () => {
      const res = await s.call('GET', `/v1/campaigns/${id}`);
      return statuses.includes(res.body.status) ? res.body : undefined;
    },
    30_000,
    `campaign ${id} to be ${statuses.join(' or ')}`,
  );
}

/** Emails in the local SES mailbox sent to one address. */
export async function mailTo(s: TestStack, address: string) {
  const res = await s.call('GET', '/_local/messages', { key: null });
  return (
    res.body.items as {
      to: string;
      subject: string;
      html: string;
      text: string;
      headers: Record<string, string>;
    }[]
  ).filter((m) => m.to === address);
}

export const consent = (status: 'granted' | 'denied' = 'granted') => ({
  status,
  source: 'test',
  at: '2026-01-01T00:00:00Z',
});

/** The id of the (first) contact that has a phone number, through the API's look-up. */
export async function idByPhone(s: TestStack, phone: string): Promise<string | undefined> {
  const res = await s.call('GET', `/v1/contacts?phone=${encodeURIComponent(phone)}`);
  return res.status === 200 ? (res.body.items[0]?.id as string) : undefined;
}
