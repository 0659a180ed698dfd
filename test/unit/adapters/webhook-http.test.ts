import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPoster } from '../../../functions/adapters/webhook-http';

/** A receiver on this machine, counting what reaches it. */
let server: Server;
let port = 0;
const received: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push(`${req.headers.host} ${body}`);
      res.writeHead(req.url === '/moved' ? 302 : 204, req.url === '/moved' ? { location: '/x' } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A resolver answering from a table, as a DNS server under an attacker's control would. */
function resolver(answers: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = ((host: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) => {
    calls.push(host);
    const found = answers[host];
    if (!found) return cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(
      null,
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as never;
  return { lookup, calls };
}

describe('fetchPoster', () => {
  it('refuses a name that resolves to a private address, before sending anything', async () => {
    const before = received.length;
    const { lookup, calls } = resolver({ 'hooks.rebind.test': ['127.0.0.1'] });
    const post = fetchPoster(2000, { lookup });
    const r = await post(`http://hooks.rebind.test:${port}/hook`, '{"a":1}', {});
    expect(r).toEqual({ error: expect.stringContaining('127.0.0.1 is not a public address') });
    expect(calls).toEqual(['hooks.rebind.test']);
    expect(received.length).toBe(before);
  });

  it('refuses a name when any of its answers is special (one public, one the metadata service)', async () => {
    const { lookup } = resolver({ 'mixed.test': ['93.184.215.14', '169.254.169.254'] });
    const r = await fetchPoster(2000, { lookup })('https://mixed.test/hook', '{}', {});
    expect(r).toEqual({ error: expect.stringContaining('169.254.169.254 is not a public address') });
  });

  it.each(['127.0.0.1', '[::1]', '169.254.169.254', '[64:ff9b::a9fe:a9fe]', '198.18.0.1'])(
    'refuses the address literal %s without resolving anything',
    async (host) => {
      const { lookup, calls } = resolver({});
      const r = await fetchPoster(2000, { lookup })(`https://${host}/hook`, '{}', {});
      expect(r).toEqual({ error: expect.stringMatching(/is not a public address/) });
      expect(calls).toEqual([]);
    },
  );

  it('connects to the address it checked: the name is resolved once, by the guard', async () => {
    const { lookup, calls } = resolver({ 'receiver.local.test': ['127.0.0.1'] });
    const post = fetchPoster(2000, { lookup, allowLoopback: true });
    const r = await post(`http://receiver.local.test:${port}/hook`, '{"ok":true}', {
      'content-type': 'application/json',
    });
    expect(r).toEqual({ status: 204 });
    expect(calls).toEqual(['receiver.local.test']);
    expect(received.at(-1)).toBe(`receiver.local.test:${port} {"ok":true}`);
  });

  it('does not follow a redirect: a 3xx is the answer', async () => {
    const before = received.length;
    const r = await fetchPoster(2000, { allowLoopback: true })(`http://127.0.0.1:${port}/moved`, '{}', {});
    expect(r).toEqual({ status: 302 });
    expect(received.length).toBe(before + 1);
  });

  it('gives the reason when nobody answers', async () => {
    const { lookup } = resolver({});
    const r = await fetchPoster(2000, { lookup })('https://nowhere.test/hook', '{}', {});
    expect(r).toEqual({ error: expect.stringContaining('ENOTFOUND') });
  });
});
