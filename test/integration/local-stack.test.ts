import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../infra/local/stack';
import { sampleStore } from './helpers';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'relance-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const get = async (url: string, key?: string) => {
  const res = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
  return { status: res.status, body: (await res.json()) as any };
};

describe('the local stack', () => {
  it('persists data in its data directory across restarts, and creates a first key only once', async () => {
    const dataDir = tempDir();
    const first = await startLocalStack({ port: 0, sesPort: 0, dataDir });
    const key = first.createdKey as string;
    expect(key).toMatch(/^rl_/);
    const put = await fetch(`${first.url}/v1/stores/brest`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleStore({ city: 'Brest' })),
    });
    expect(put.status).toBe(201);
    await first.stop();

    const second = await startLocalStack({ port: 0, sesPort: 0, dataDir });
    try {
      expect(second.createdKey).toBeUndefined();
      const stores = await get(`${second.url}/v1/stores`, key);
      expect(stores.status).toBe(200);
      expect(stores.body.items.map((s: { id: string }) => s.id)).toEqual(['brest']);
    } finally {
      await second.stop();
    }
  });

  it('honours a bootstrap key and lists sent messages', async () => {
    const stack = await startLocalStack({
      port: 0,
      sesPort: 0,
      dataDir: ':memory:',
      bootstrapKey: 'my-own-bootstrap-key',
    });
    try {
      expect((await get(`${stack.url}/v1/keys`, 'my-own-bootstrap-key')).status).toBe(200);
      const messages = await get(`${stack.url}/_local/messages`);
      expect(messages).toEqual({ status: 200, body: { items: [] } });
      expect((await fetch(stack.sesUrl)).status).toBe(200);
    } finally {
      await stack.stop();
    }
  });

  it('serves the till page and the script it loads, bundled at boot, as the pages function does in AWS', async () => {
    const stack = await startLocalStack({ port: 0, sesPort: 0, dataDir: ':memory:' });
    try {
      const page = await fetch(`${stack.url}/till`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
      expect(page.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
      const src = /<script src="([^"]+)"><\/script>/.exec(await page.text())?.[1] ?? '';
      expect(src).toMatch(/^assets\/till-[A-Z0-9]{8}\.js$/);

      const script = await fetch(new URL(src, `${stack.url}/till`));
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await script.text()).toContain('v1/coupons/');
      for (const name of [
        'till-00000000.js',
        '..%2Fmanifest.json',
        'manifest.json',
        '%2E%2E%2Fmanifest.json',
      ]) {
        const missing = await fetch(`${stack.url}/assets/${name}`);
        expect(missing.status, name).toBe(404);
        expect(missing.headers.get('cache-control'), name).toBe('no-store');
      }
    } finally {
      await stack.stop();
    }
  });

  it('starts with npm start settings, answers /health, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      env: {
        ...process.env,
        RELANCE_PORT: '0',
        RELANCE_SES_PORT: '0',
        RELANCE_DATA_DIR: tempDir(),
        RELANCE_BOOTSTRAP_KEY: 'sigterm-test-key-0001',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 30_000);
      const check = () => {
        const m = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        } else setTimeout(check, 50);
      };
      check();
    });
    expect((await get(`${url}/health`)).status).toBe(200);
    expect(out).toContain('Mailbox (SES)');
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
