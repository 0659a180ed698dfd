import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { Principal, Role } from '../domain/keys/api-keys';
import {
  AppError,
  badRequest,
  forbidden,
  notFound,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
} from '../domain/shared/errors';
import { type FunctionName, type RouteDef, routeKey, routesOf } from '../routes';

/** What a route implementation receives: the parsed request and the caller. */
export interface ApiRequest {
  event: APIGatewayProxyEventV2;
  principal?: Principal;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Parsed JSON, or the bytes of a CSV body (a Buffer). */
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body is binary, given as base64. */
  base64?: boolean;
}

export type RouteImpl = (req: ApiRequest) => Promise<ApiResponse>;

export interface HttpOptions {
  logger: Logger;
  maxJsonBytes: number;
  maxCsvBytes: number;
}

type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/** A transparent 1×1 GIF (base64): the open pixel and the print beacon. */
export const TRANSPARENT_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** A JSON response. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  body,
  headers,
});

/**
 * Builds the Lambda handler for one function from its route implementations.
 * The route table says who may call each route and what its body is; this
 * checks both, parses the body, and maps every error to the API's JSON shape.
 */
export function httpHandler(
  fn: FunctionName,
  impls: Record<string, RouteImpl>,
  opts: HttpOptions,
): LambdaHttpHandler {
  const defs = new Map(routesOf(fn).map((r) => [routeKey(r), r]));
  for (const k of Object.keys(impls))
    if (!defs.has(k)) throw new Error(`Route ${k} is not in the route table`);
  for (const k of defs.keys()) if (!impls[k]) throw new Error(`Route ${k} has no implementation in ${fn}`);

  return (
    middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
      // Every line carries the Lambda context: request id, cold start, function.
      .use(injectLambdaContext(opts.logger))
      .use(errorMiddleware(opts.logger))
      .handler(async (event) => {
        const def = defs.get(event.routeKey);
        const impl = impls[event.routeKey];
        if (!def || !impl) throw notFound('Route');
        const principal = authorize(def, event);
        const params = pathParams(event);
        const body = parseBody(def, event, opts);
        const res = await impl({
          event,
          principal,
          params,
          query: (event.queryStringParameters ?? {}) as Record<string, string>,
          body,
        });
        return toResult(res);
      }) as unknown as LambdaHttpHandler
  );
}

/**
 * Longest path parameter, in UTF-8 bytes: every id, code and token we issue is far shorter, and
 * DynamoDB refuses keys over 2 KB. A longer one names nothing that exists.
 */
export const MAX_PATH_PARAM_BYTES = 512;

/** The route's path parameters; one too long to be anything of ours is a 404, before any read. */
function pathParams(event: APIGatewayProxyEventV2): Record<string, string> {
  const params = (event.pathParameters ?? {}) as Record<string, string>;
  for (const value of Object.values(params)) {
    if (Buffer.byteLength(value, 'utf8') > MAX_PATH_PARAM_BYTES) throw notFound('The resource');
  }
  return params;
}

/** The one place where errors become HTTP responses (middy `onError`). */
export function errorMiddleware(
  logger: Logger,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      request.response = errorResult(request.error, request.event, logger);
    },
  };
}

/** The caller, as the authorizer described it; 401 without one, 403 when its role may not call the route. */
function authorize(def: RouteDef, event: APIGatewayProxyEventV2): Principal | undefined {
  if (def.auth === 'public') return undefined;
  const ctx = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer
    ?.lambda;
  const role = ctx?.role as Role | undefined;
  if (!ctx || !role || typeof ctx.keyId !== 'string') throw unauthorized();
  if (!def.auth.includes(role)) throw forbidden(`A ${role} key cannot call ${routeKey(def)}`);
  return {
    keyId: ctx.keyId,
    role,
    ...(typeof ctx.storeId === 'string' && ctx.storeId ? { storeId: ctx.storeId } : {}),
  };
}

function parseBody(def: RouteDef, event: APIGatewayProxyEventV2, opts: HttpOptions): unknown {
  if (!def.body) return undefined;
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const limit = def.body === 'csv' ? opts.maxCsvBytes : opts.maxJsonBytes;
  if (bytes.length > limit) throw payloadTooLarge(limit);
  const type = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (def.body === 'csv') {
    if (type && type !== 'text/csv' && type !== 'text/plain' && type !== 'application/octet-stream')
      throw unsupportedMediaType('text/csv');
    // The bytes as sent: a file's encoding is found from them, never guessed by decoding here.
    return bytes;
  }
  const text = bytes.toString('utf8');
  if (type && type !== 'application/json') throw unsupportedMediaType('application/json');
  if (text.trim() === '')
    throw badRequest('The request body must be a JSON object', [{ path: '(body)', message: 'Required' }]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError(400, 'invalid_json', 'The request body is not valid JSON', [
      { path: '(body)', message: (err as Error).message },
    ]);
  }
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function toResult(res: ApiResponse): APIGatewayProxyResultV2 {
  if (res.body === undefined) return { statusCode: res.status, headers: res.headers };
  if (res.base64)
    return { statusCode: res.status, headers: res.headers, body: String(res.body), isBase64Encoded: true };
  if (typeof res.body === 'string') {
    return {
      statusCode: res.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...res.headers },
      body: res.body,
    };
  }
  return {
    statusCode: res.status,
    headers: { 'content-type': 'application/json', ...res.headers },
    body: JSON.stringify(res.body),
  };
}

/** Known errors keep their status and detail; anything else is logged and answered 500 without internals. */
export function errorResult(
  err: unknown,
  event: APIGatewayProxyEventV2,
  logger: Logger,
): APIGatewayProxyResultV2 {
  if (err instanceof AppError) {
    if (err.status >= 500) logger.warn('Request failed', { status: err.status, code: err.code });
    return toResult(
      json(
        err.status,
        { error: err.code, message: err.message, issues: err.issues, ...err.extra },
        err.headers,
      ),
    );
  }
  logger.error('Unhandled error', { error: err as Error, routeKey: event.routeKey });
  return toResult(
    json(500, {
      error: 'internal_error',
      message: 'Something went wrong on our side; the request can be retried',
      issues: [],
      requestId: event.requestContext?.requestId,
    }),
  );
}

export { lazyHandler } from '../memo';

/**
 * The public base URL links in messages and pages are built on: PUBLIC_BASE_URL, which the CDK
 * stack sets on every function (the `publicBaseUrl` context, or the API's own URL) and the local
 * stack sets to its own address. Never a request header: `Host` and `X-Forwarded-*` are the
 * caller's to write, and a link built on them would send customers wherever an attacker says.
 * Without a configured one, API Gateway's own domain for the request (set by API Gateway, not by
 * the caller), over https.
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2, configured?: string): string {
  if (configured) return configured.replace(/\/$/, '');
  const host = event.requestContext.domainName;
  if (!host) throw new Error('Set PUBLIC_BASE_URL: links cannot be built without it');
  const stage = event.requestContext.stage;
  return `https://${host}${stage && stage !== '$default' ? `/${stage}` : ''}`;
}
