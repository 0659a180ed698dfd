import type { z } from 'zod';
import { validationError, zodIssues } from './errors';

/** Parses untrusted input with a schema, throwing a 400 that names every field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error, prefix));
  return result.data;
}
