import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { AppError, conflict } from '../../../functions/domain/shared/errors';
import {
  type ApiRequest,
  type HttpOptions,
  httpHandler,
  json,
  lazyHandler,
  type RouteImpl,
} from '../../../functions/http/api';

const logger = new Logger({ serviceName: 'relance-test', logLevel: 'SILENT' });
const options = (over: Partial<HttpOptions> = {}): HttpOptions => ({
  logger,
  maxJsonBytes: 1024,
  maxCsvBytes: 2048,
  ...over,
});

type Authorizer = Record<string, unknown> | null;

interface EventOptions {
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
  /** The authorizer's context; `null` for none. Defaults to a marketer key. */
  auth?: Authorizer;
  params?: Record<string, string>;
  query?: Record<string, string>;
}

const MARKETER = { keyId: 'k_marketer', role: 'marketer' };

/** An API Gateway HTTP API (payload 2.0) event, as the gateway would send it. */
function event(routeKey: string, o: EventOptions = {}): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const auth = o.auth === undefined ? MARKETER : o.auth;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(o.query ?? {}).toString(),
    headers: {
      host: 'api.example.com',
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    ...(o.params ? { pathParameters: o.params } : {}),
    ...(o.query ? { queryStringParameters: o.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'vitest' },
      requestId: 'req-123',
      routeKey,
      stage: '$default',
      time: '10/Mar/2025:09:00:00 +0000',
      timeEpoch: 1741597200000,
      ...(auth ? { authorizer: { lambda: auth } } : {}),
    },
    isBase64Encoded: o.base64 ?? false,
    ...(o.body !== undefined ? { body: o.body } : {}),
  } as unknown as APIGatewayProxyEventV2;
}

const context = {} as Context;

/** A handler for the keys function whose routes record what they receive. */
function keysHandler(over: Partial<Record<string, RouteImpl>> = {}, opts = options()) {
  const seen: ApiRequest[] = [];
  const record =
    (res: () => ReturnType<RouteImpl>): RouteImpl =>
    async (req) => {
      seen.push(req);
      return res();
    };
  const impls: Record<string, RouteImpl> = {
    'POST /v1/keys': record(async () => json(201, { ok: true, body: seen.at(-1)?.body })),
    'GET /v1/keys': record(async () => json(200, { items: [] })),
    'DELETE /v1/keys/{id}': record(async () => ({ status: 204 })),
  };
  for (const [k, v] of Object.entries(over)) if (v) impls[k] = record(() => v(seen.at(-1) as ApiRequest));
  return { handler: httpHandler('keys', impls, opts), seen };
}

async function call(handler: ReturnType<typeof httpHandler>, e: APIGatewayProxyEventV2) {
  const res = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  return { ...res, json: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : undefined };
}

describe('httpHandler: authorisation', () => {
  it('answers 401 with the error shape when the authorizer context is missing', async () => {
    const { handler, seen } = keysHandler();
    const res = await call(handler, event('GET /v1/keys', { auth: null }));
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(res.json).toEqual({
      error: 'unauthorized',
      message: expect.stringContaining('Bearer'),
      issues: [],
    });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['without a role', { keyId: 'k_1' }],
    ['without a key id', { role: 'marketer' }],
    ['with a non-string key id', { keyId: 42, role: 'marketer' }],
  ])('answers 401 for an authorizer context %s', async (_what, auth) => {
    const { handler } = keysHandler();
    const res = await call(handler, event('GET /v1/keys', { auth }));
    expect(res.statusCode).toBe(401);
    expect(res.json?.error).toBe('unauthorized');
  });

  it('answers 403 to a store key on a marketer route, without calling it', async () => {
    const { handler, seen } = keysHandler();
    const res = await call(
      handler,
      event('GET /v1/keys', { auth: { keyId: 'k_till', role: 'store', storeId: 'paris' } }),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json).toEqual({
      error: 'forbidden',
      message: expect.stringContaining('GET /v1/keys'),
      issues: [],
    });
    expect(seen).toHaveLength(0);
  });

  it('passes the principal, path parameters and query to the route', async () => {
    const { handler, seen } = keysHandler();
    const res = await call(
      handler,
      event('DELETE /v1/keys/{id}', { params: { id: 'k_9' }, query: { dry: '1' } }),
    );
    expect(res.statusCode).toBe(204);
    expect(res.body).toBeUndefined();
    expect(seen[0]?.principal).toEqual({ keyId: 'k_marketer', role: 'marketer' });
    expect(seen[0]?.params).toEqual({ id: 'k_9' });
    expect(seen[0]?.query).toEqual({ dry: '1' });
    expect(seen[0]?.body).toBeUndefined();
  });

  it('lets a public route through without an authorizer', async () => {
    const handler = httpHandler(
      'health',
      { 'GET /health': async () => json(200, { status: 'ok' }) },
      options(),
    );
    const res = await call(handler, event('GET /health', { auth: null }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
  });

  it('answers 404 for a route this function does not serve', async () => {
    const { handler } = keysHandler();
    const res = await call(handler, event('GET /v1/contacts'));
    expect(res.statusCode).toBe(404);
    expect(res.json?.error).toBe('not_found');
  });
});

describe('httpHandler: bodies', () => {
  it('parses a JSON body', async () => {
    const { handler, seen } = keysHandler();
    const res = await call(handler, event('POST /v1/keys', { body: '{"role":"marketer"}' }));
    expect(res.statusCode).toBe(201);
    expect(seen[0]?.body).toEqual({ role: 'marketer' });
    expect(res.json).toEqual({ ok: true, body: { role: 'marketer' } });
  });

  it('decodes a base64 body', async () => {
    const { handler, seen } = keysHandler();
    const body = Buffer.from('{"label":"Café"}', 'utf8').toString('base64');
    const res = await call(handler, event('POST /v1/keys', { body, base64: true }));
    expect(res.statusCode).toBe(201);
    expect(seen[0]?.body).toEqual({ label: 'Café' });
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const { handler, seen } = keysHandler();
    const res = await call(handler, event('POST /v1/keys', { body: '{"role": "marketer",' }));
    expect(res.statusCode).toBe(400);
    expect(res.json).toEqual({
      error: 'invalid_json',
      message: 'The request body is not valid JSON',
      issues: [{ path: '(body)', message: expect.any(String) }],
    });
    expect(seen).toHaveLength(0);
  });

  it('answers 400 for an empty JSON body', async () => {
    const { handler } = keysHandler();
    for (const body of ['', '   ']) {
      const res = await call(handler, event('POST /v1/keys', { body }));
      expect(res.statusCode).toBe(400);
      expect(res.json?.issues).toEqual([{ path: '(body)', message: 'Required' }]);
    }
    const res = await call(handler, { ...event('POST /v1/keys'), body: undefined });
    expect(res.statusCode).toBe(400);
  });

  it('answers 413 for a body over maxJsonBytes, counted in bytes', async () => {
    const { handler, seen } = keysHandler({}, options({ maxJsonBytes: 20 }));
    const fits = await call(handler, event('POST /v1/keys', { body: '{"a":"0123456789ab"}' }));
    expect(fits.statusCode).toBe(201);
    const over = await call(handler, event('POST /v1/keys', { body: '{"a":"0123456789abc"}' }));
    expect(over.statusCode).toBe(413);
    expect(over.json?.error).toBe('payload_too_large');
    // 15 characters but 22 bytes in UTF-8.
    const body = '{"a":"ééééééé"}';
    expect([body.length, Buffer.byteLength(body)]).toEqual([15, 22]);
    const multibyte = await call(handler, event('POST /v1/keys', { body }));
    expect(multibyte.statusCode).toBe(413);
    expect(seen).toHaveLength(1);
  });

  it('checks the size of a base64 body once decoded', async () => {
    const { handler } = keysHandler({}, options({ maxJsonBytes: 20 }));
    const body = Buffer.from('{"a":"0123456789ab"}').toString('base64');
    expect(body.length).toBeGreaterThan(20);
    expect((await call(handler, event('POST /v1/keys', { body, base64: true }))).statusCode).toBe(201);
  });

  it('answers 415 for a JSON route given another content type', async () => {
    const { handler, seen } = keysHandler();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv']) {
      const res = await call(
        handler,
        event('POST /v1/keys', { body: '{}', headers: { 'content-type': type } }),
      );
      expect(res.statusCode).toBe(415);
      expect(res.json?.error).toBe('unsupported_media_type');
    }
    expect(seen).toHaveLength(0);
  });

  it('accepts application/json with parameters and any header case', async () => {
    const { handler } = keysHandler();
    const res = await call(
      handler,
      event('POST /v1/keys', { body: '{}', headers: { 'Content-Type': 'Application/JSON; charset=utf-8' } }),
    );
    expect(res.statusCode).toBe(201);
  });

  it('hands a CSV body over as its bytes (the importer decodes them), refusing JSON and applying maxCsvBytes', async () => {
    const seen: unknown[] = [];
    const handler = httpHandler(
      'contacts-import',
      {
        'POST /v1/contacts/import': async ({ body }) => {
          seen.push(body);
          return json(200, { ok: true });
        },
      },
      options({ maxCsvBytes: 40, maxJsonBytes: 5 }),
    );
    const csv = 'email\na@example.com\n';
    const ok = await call(
      handler,
      event('POST /v1/contacts/import', { body: csv, headers: { 'content-type': 'text/csv' } }),
    );
    expect(ok.statusCode).toBe(200);
    expect(seen).toEqual([Buffer.from(csv)]);
    const asJson = await call(
      handler,
      event('POST /v1/contacts/import', { body: csv, headers: { 'content-type': 'application/json' } }),
    );
    expect(asJson.statusCode).toBe(415);
    const tooBig = await call(
      handler,
      event('POST /v1/contacts/import', { body: csv.repeat(3), headers: { 'content-type': 'text/csv' } }),
    );
    expect(tooBig.statusCode).toBe(413);
  });
});

describe('httpHandler: errors and responses', () => {
  it('keeps the status, code, issues and headers of an AppError', async () => {
    const { handler } = keysHandler({
      'GET /v1/keys': async () => {
        throw new AppError(429, 'too_many', 'Slow down', [{ path: 'code', message: 'Too many attempts' }], {
          'retry-after': '60',
        });
      },
    });
    const res = await call(handler, event('GET /v1/keys'));
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('60');
    expect(res.json).toEqual({
      error: 'too_many',
      message: 'Slow down',
      issues: [{ path: 'code', message: 'Too many attempts' }],
    });
  });

  it('maps a thrown conflict to 409', async () => {
    const { handler } = keysHandler({
      'POST /v1/keys': async () => {
        throw conflict('Taken', [{ path: 'email', message: 'Already used' }]);
      },
    });
    const res = await call(handler, event('POST /v1/keys', { body: '{}' }));
    expect(res.statusCode).toBe(409);
    expect(res.json).toMatchObject({
      error: 'conflict',
      issues: [{ path: 'email', message: 'Already used' }],
    });
  });

  it('answers 500 internal_error to a plain Error, logs it, and leaks nothing', async () => {
    const errorLog = vi.spyOn(logger, 'error');
    const { handler } = keysHandler({
      'GET /v1/keys': async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.12:8000 secret-table-name');
      },
    });
    const res = await call(handler, event('GET /v1/keys'));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({
      error: 'internal_error',
      message: expect.any(String),
      issues: [],
      requestId: 'req-123',
    });
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(res.body).not.toContain('secret-table-name');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    expect(errorLog).toHaveBeenCalledTimes(1);
    errorLog.mockRestore();
  });

  it('answers 500 to a thrown non-Error value', async () => {
    const { handler } = keysHandler({
      'GET /v1/keys': async () => {
        throw 'a string';
      },
    });
    const res = await call(handler, event('GET /v1/keys'));
    expect(res.statusCode).toBe(500);
    expect(res.json?.error).toBe('internal_error');
  });

  it('answers a string body as text/plain and merges the route headers', async () => {
    const { handler } = keysHandler({
      'GET /v1/keys': async () => ({ status: 200, body: 'hello', headers: { 'cache-control': 'no-store' } }),
    });
    const raw = (await handler(event('GET /v1/keys'), context)) as APIGatewayProxyStructuredResultV2;
    expect(raw).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'hello',
    });
  });
});

describe('httpHandler: construction', () => {
  const impls = (): Record<string, RouteImpl> => ({
    'POST /v1/keys': async () => json(201, {}),
    'GET /v1/keys': async () => json(200, {}),
    'DELETE /v1/keys/{id}': async () => ({ status: 204 }),
  });

  it('throws for an implementation of a route that is not in the table', () => {
    expect(() =>
      httpHandler('keys', { ...impls(), 'PUT /v1/keys/{id}': async () => json(200, {}) }, options()),
    ).toThrow(/PUT \/v1\/keys\/\{id\} is not in the route table/);
  });

  it('throws for a route of another function', () => {
    expect(() =>
      httpHandler('keys', { ...impls(), 'GET /health': async () => json(200, {}) }, options()),
    ).toThrow(/not in the route table/);
  });

  it('throws when a route of the function has no implementation', () => {
    const { 'GET /v1/keys': _dropped, ...rest } = impls();
    expect(() => httpHandler('keys', rest, options())).toThrow(
      /GET \/v1\/keys has no implementation in keys/,
    );
  });

  it('builds with exactly the routes of the table', () => {
    expect(typeof httpHandler('keys', impls(), options())).toBe('function');
  });
});

describe('lazyHandler', () => {
  it('builds the handler once, on first use, and shares it between concurrent calls', async () => {
    const make = vi.fn(async () => async (e: number) => e * 2);
    const handler = lazyHandler(make);
    expect(make).not.toHaveBeenCalled();
    expect(await Promise.all([handler(1, context), handler(2, context)])).toEqual([2, 4]);
    expect(await handler(3, context)).toBe(6);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('builds again after a failed build instead of failing every later call', async () => {
    const make = vi
      .fn<() => Promise<(e: number) => Promise<number>>>()
      .mockRejectedValueOnce(new Error('Secrets Manager throttled'))
      .mockResolvedValue(async (e: number) => e + 1);
    const handler = lazyHandler(make);
    await expect(handler(1, context)).rejects.toThrow('Secrets Manager throttled');
    expect(await handler(1, context)).toBe(2);
    expect(make).toHaveBeenCalledTimes(2);
  });
});
