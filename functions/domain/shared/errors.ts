import type { ZodError } from 'zod';

/** One field at fault, as returned to API callers in `issues`. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * An error the caller can act on. It carries its HTTP status so that one
 * middleware maps every domain failure to a response, and anything that is not
 * an AppError becomes an opaque 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    readonly headers: Record<string, string> = {},
    /** More fields for the response body (what a 409 conflicts with, say). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, issues: Issue[] = []) =>
  new AppError(400, 'bad_request', message, issues);
export const validationError = (issues: Issue[], message = 'The request is not valid') =>
  new AppError(400, 'validation_error', message, issues);
export const unauthorized = () =>
  new AppError(401, 'unauthorized', 'A valid API key is required: Authorization: Bearer <key>');
export const forbidden = (message = 'This API key is not allowed to call this route') =>
  new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);
export const conflict = (message: string, issues: Issue[] = []) =>
  new AppError(409, 'conflict', message, issues);
export const payloadTooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `The request body is larger than ${limit} bytes`);
export const unsupportedMediaType = (expected: string) =>
  new AppError(415, 'unsupported_media_type', `The request body must be ${expected}`);

/** Turns zod's issues into the API's `{ path, message }` list (dotted paths, prefixed if given). */
export function zodIssues(error: ZodError, prefix?: string): Issue[] {
  const join = (path: PropertyKey[]) =>
    [...(prefix ? [prefix] : []), ...path.map(String)].join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    // An unknown field is reported at the field itself, so the caller sees which one to remove.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ path: join([...issue.path, k]), message: 'Unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** Another request changed the same record every time this one tried: retrying the request will do. */
export const busy = (what: string) => new AppError(503, 'busy', `${what}; try again`);
