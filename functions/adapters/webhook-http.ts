import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookPoster } from '../domain/webhooks/delivery';
import { canonicalHost, isPublicAddress } from '../domain/webhooks/webhook';

export interface PosterOptions {
  /** The local stack: loopback receivers are allowed (test endpoints on this machine). */
  allowLoopback?: boolean;
  /** The resolver (Node's by default); tests give one that answers what they need. */
  lookup?: typeof dnsLookup;
}

const isLoopback = (address: string) => address === '::1' || /^127\./.test(address);

/** Why an address may not be reached, or undefined when it may. */
function refusal(address: string, opts: PosterOptions): string | undefined {
  if (isPublicAddress(address)) return undefined;
  if (opts.allowLoopback && isLoopback(address)) return undefined;
  return `${address} is not a public address`;
}

/**
 * A resolver that refuses every answer with a non-public address. The connection is made to the
 * address it checked — the check and the connection share one resolution, so a name that changes
 * its answer between them (DNS rebinding) cannot slip through.
 */
function guardedLookup(opts: PosterOptions): LookupFunction {
  const resolve = opts.lookup ?? dnsLookup;
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, '', 0);
      const addresses = found as unknown as LookupAddress[];
      const bad = addresses.map((a) => refusal(a.address, opts)).find(Boolean);
      if (bad || addresses.length === 0) {
        const e = Object.assign(new Error(`${hostname}: ${bad ?? 'no address'}`), { code: 'EPRIVATE' });
        return callback(e, '', 0);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs a delivery: a timeout on the whole exchange, redirects not followed (a 3xx is an answer,
 * and a failed one: a receiver must give its final URL), the response body discarded unread so a
 * receiver cannot make us download anything, and only ever to a public address — an IP literal is
 * checked before connecting, a name when it is resolved. A request that gets no answer resolves
 * with the reason instead of throwing.
 */
export function fetchPoster(timeoutMs: number, opts: PosterOptions = {}): WebhookPoster {
  const lookup = guardedLookup(opts);
  return (url, body, headers) =>
    new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return resolve({ error: 'Request failed: not a valid URL' });
      }
      const host = canonicalHost(target.hostname);
      const literal = isIP(host) ? refusal(host, opts) : undefined;
      if (literal) return resolve({ error: `Request failed: ${literal}` });
      if (target.protocol !== 'https:' && target.protocol !== 'http:')
        return resolve({ error: 'Request failed: not an http(s) URL' });
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const done = (r: { status: number } | { error: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
        },
        (res) => {
          done({ status: res.statusCode ?? 0 });
          // The status is all we read: the body is never downloaded, the connection is closed.
          res.destroy();
          req.destroy();
        },
      );
      const timer = setTimeout(() => {
        done({ error: `No answer within ${Math.round(timeoutMs / 1000)} s` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err) => done({ error: describeFetchError(err, timeoutMs) }));
      req.end(body);
    });
}

/** A short, log-safe reason for a request that got no answer. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `No answer within ${Math.round(timeoutMs / 1000)} s`;
  if (e?.code === 'EPRIVATE') return `Request failed: ${e.message}`.slice(0, 300);
  const reason = e?.cause?.code ?? e?.cause?.message ?? e?.code ?? e?.message ?? String(err);
  return `Request failed: ${reason}`.slice(0, 300);
}
