import type { WebhookPoster } from '../domain/webhooks/delivery';

/**
 * POSTs a delivery with Node's fetch: a timeout on the whole exchange
 * (AbortSignal.timeout), redirects not followed (a 3xx is an answer, and a
 * failed one: a receiver must give its final URL), and the response body
 * discarded unread so a receiver cannot make us download anything. A request
 * that gets no answer resolves with the reason instead of throwing.
 */
export function fetchPoster(timeoutMs: number, fetchImpl: typeof fetch = fetch): WebhookPoster {
  return async (url, body, headers) => {
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        body,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status };
    } catch (err) {
      return { error: describeFetchError(err, timeoutMs) };
    }
  };
}

/** A short, log-safe reason for a request that got no answer. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `No answer within ${Math.round(timeoutMs / 1000)} s`;
  const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return `Request failed: ${reason}`.slice(0, 300);
}
