import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { type RouteDef, routeKey } from '../../functions/routes';

/** A Lambda HTTP handler as API Gateway calls it. */
export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;
export type AuthorizerLambda = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<{ isAuthorized: boolean; context?: Record<string, unknown> }>;

/** Extra routes served by the local stack only (`/_local/...`), answered directly. */
export type LocalRoute = (
  req: IncomingMessage,
  url: URL,
) => Promise<{ status: number; body: unknown; type?: string }>;

export interface GatewayOptions {
  routes: readonly RouteDef[];
  handlers: Record<string, HttpLambda>;
  authorizer: AuthorizerLambda;
  local?: Record<string, LocalRoute>;
  /** API Gateway's own payload limit. */
  maxBodyBytes?: number;
}

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  params: string[];
}

function compile(def: RouteDef): CompiledRoute {
  const params: string[] = [];
  const pattern = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { def, regex: new RegExp(`^${pattern}$`), params };
}

/** Static segments win over parameters, as in API Gateway (`/v1/contacts/import` before `/v1/contacts/{id}`). */
const specificity = (r: CompiledRoute) => r.params.length;

/** API Gateway answers `{"message":"Unauthorized"}`; the local stack adds the API's error fields around it. */
const UNAUTHORIZED = {
  error: 'unauthorized',
  message: 'Unauthorized',
  issues: [{ path: 'header.authorization', message: 'Give a valid API key: Authorization: Bearer <key>' }],
};

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|csv))/i;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'relance-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:relance-local',
    memoryLimitInMB: '512',
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    // Generous on purpose: dynalite is far slower than DynamoDB, and the local stack should not fail
    // a request (a 10,000-row import, say) that the deployed API, with its 29 s limit, completes easily.
    getRemainingTimeInMillis: () => 120_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/**
 * An HTTP server that behaves like the deployed HTTP API: it matches the same
 * route table, runs the same Lambda authorizer (missing header or an
 * "Unauthorized" throw → 401), turns each request into an API Gateway v2
 * payload and hands it to the same handler module that runs in Lambda.
 */
export function createGateway(opts: GatewayOptions): Server {
  const compiled = opts.routes.map(compile).sort((a, b) => specificity(a) - specificity(b));
  const limit = opts.maxBodyBytes ?? 10 * 1024 * 1024;

  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const local = opts.local?.[`${method} ${url.pathname}`];
      if (local) {
        const out = await local(req, url);
        return send(res, out.status, out.body, out.type ? { 'content-type': out.type } : {});
      }
      const match = compiled
        .filter((r) => r.def.method === method)
        .map((r) => ({ r, m: r.regex.exec(url.pathname) }))
        .find((x) => x.m);
      if (!match?.m) return send(res, 404, { message: 'Not Found' });
      const { def, params } = match.r;
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(
          params.map((p, i) => [p, decodeURIComponent(match.m?.[i + 1] ?? '')]),
        );
      } catch {
        // As API Gateway: a path that is not valid percent-encoding never reaches a function.
        return send(res, 400, {
          error: 'bad_request',
          message: 'The path is not valid percent-encoding',
          issues: [{ path: '(path)', message: 'Malformed percent-encoding' }],
        });
      }

      const raw = await readBody(req, limit);
      if (raw === 'too_large') return send(res, 413, { message: 'Request Entity Too Large' });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      // API Gateway adds these; links in messages are built from them.
      headers['x-forwarded-proto'] ??= 'http';
      headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '127.0.0.1';
      // Text stays text, unless its bytes are not UTF-8 (a Windows-1252 CSV): those travel as base64, so
      // the handler sees the bytes the client sent.
      const isText =
        raw.length === 0 || (TEXT_TYPES.test(headers['content-type'] ?? 'text/plain') && isUtf8(raw));
      const requestId = randomUUID();
      const now = new Date();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: routeKey(def),
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
        ...(params.length ? { pathParameters } : {}),
        requestContext: {
          accountId: 'local',
          apiId: 'local',
          // The gateway's own address, as API Gateway gives its own domain: never the caller's Host.
          domainName: ownAddress(req),
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: routeKey(def),
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
        isBase64Encoded: !isText,
        ...(raw.length ? { body: isText ? raw.toString('utf8') : raw.toString('base64') } : {}),
      };

      if (def.auth !== 'public') {
        const authorization = headers.authorization;
        if (!authorization) return send(res, 401, UNAUTHORIZED);
        let verdict: Awaited<ReturnType<AuthorizerLambda>>;
        try {
          verdict = await opts.authorizer({
            version: '2.0',
            type: 'REQUEST',
            routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${url.pathname}`,
            identitySource: [authorization],
            routeKey: event.routeKey,
            rawPath: event.rawPath,
            rawQueryString: event.rawQueryString,
            headers,
            requestContext: event.requestContext,
          } as APIGatewayRequestAuthorizerEventV2);
        } catch (err) {
          if ((err as Error).message === 'Unauthorized') return send(res, 401, UNAUTHORIZED);
          throw err;
        }
        if (!verdict.isAuthorized) return send(res, 403, { message: 'Forbidden' });
        (event.requestContext as unknown as { authorizer: unknown }).authorizer = {
          lambda: verdict.context ?? {},
        };
      }

      const handler = opts.handlers[def.fn];
      if (!handler) return send(res, 500, { message: `No handler for ${def.fn}` });
      const result = await handler(event, lambdaContext(requestId));
      const out: APIGatewayProxyStructuredResultV2 =
        typeof result === 'string'
          ? { statusCode: 200, body: result }
          : (result as APIGatewayProxyStructuredResultV2);
      const outHeaders = Object.fromEntries(
        Object.entries(out.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      res.writeHead(out.statusCode ?? 200, outHeaders);
      res.end(out.body ? Buffer.from(out.body, out.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (err) {
      console.error('[relance] gateway error:', err);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  });
}

/** The address this server answers on (`127.0.0.1:3000`). */
function ownAddress(req: IncomingMessage): string {
  const a = req.socket.localAddress ?? '127.0.0.1';
  return `${a.includes(':') && !a.startsWith('::ffff:') ? `[${a}]` : a.replace(/^::ffff:/, '')}:${req.socket.localPort}`;
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
