import type { SendFailureKind } from '../domain/shared/messaging';

/** What the AWS SDK v3 puts on a service or network error. */
interface SdkError {
  name?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Classifies a provider's SDK error by its name (`kinds`); an unknown one is
 * transient when the fault is the service's or the network's (retrying may
 * work), and permanent when it is the request's. Shared by the SES and SMS
 * adapters, each with its own table of names.
 */
export function classifySdkError(err: unknown, kinds: Record<string, SendFailureKind>): SendFailureKind {
  const e = err as SdkError;
  const known = e.name ? kinds[e.name] : undefined;
  if (known) return known;
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) return 'transient';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /ECONN|ETIMEDOUT|socket/i.test(String(err))) {
    return 'transient';
  }
  return 'permanent';
}
