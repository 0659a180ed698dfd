import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
  validationError,
  zodIssues,
} from '../../../../functions/domain/shared/errors';
import { parseInput } from '../../../../functions/domain/shared/validation';

const schema = z.strictObject({
  name: z.string(),
  address: z.strictObject({ city: z.string(), lines: z.array(z.string()) }).optional(),
});

function issues(input: unknown, prefix?: string) {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a failure');
  return zodIssues(r.error, prefix);
}

describe('zodIssues', () => {
  it('joins nested paths with dots, array indexes included', () => {
    expect(issues({ name: 'a', address: { city: 1, lines: ['ok', 2] } })).toEqual([
      { path: 'address.city', message: expect.any(String) },
      { path: 'address.lines.1', message: expect.any(String) },
    ]);
  });

  it('prefixes every path when asked', () => {
    expect(issues({ address: { city: 'x', lines: [] } }, 'query').map((i) => i.path)).toEqual(['query.name']);
  });

  it('reports each unknown field at its own path with "Unknown field"', () => {
    expect(issues({ name: 'a', colour: 'red', size: 3 })).toEqual([
      { path: 'colour', message: 'Unknown field' },
      { path: 'size', message: 'Unknown field' },
    ]);
    expect(issues({ name: 'a', address: { city: 'x', lines: [], zip: '1' } }, 'body')).toEqual([
      { path: 'body.address.zip', message: 'Unknown field' },
    ]);
  });

  it('names the body itself when the issue has no path', () => {
    const r = schema.safeParse('not an object');
    expect(r.success).toBe(false);
    if (!r.success) expect(zodIssues(r.error).map((i) => i.path)).toEqual(['(body)']);
  });

  it('uses the prefix alone for a root issue when one is given', () => {
    const r = schema.safeParse(42);
    expect(r.success).toBe(false);
    if (!r.success) expect(zodIssues(r.error, 'query').map((i) => i.path)).toEqual(['query']);
  });
});

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(schema, { name: 'a' })).toEqual({ name: 'a' });
  });

  it('throws a 400 validation_error listing every field at fault', () => {
    let caught: unknown;
    try {
      parseInput(schema, { extra: 1 }, 'body');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const e = caught as AppError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('validation_error');
    expect(e.issues.map((i) => i.path).sort()).toEqual(['body.extra', 'body.name']);
  });
});

describe('error helpers', () => {
  it.each([
    [badRequest('x'), 400, 'bad_request'],
    [validationError([]), 400, 'validation_error'],
    [unauthorized(), 401, 'unauthorized'],
    [forbidden(), 403, 'forbidden'],
    [notFound('Contact'), 404, 'not_found'],
    [conflict('x'), 409, 'conflict'],
    [payloadTooLarge(10), 413, 'payload_too_large'],
    [unsupportedMediaType('text/csv'), 415, 'unsupported_media_type'],
  ])('%# maps to its status and code', (err, status, code) => {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.name).toBe('AppError');
  });

  it('words messages for the caller', () => {
    expect(notFound('Contact').message).toBe('Contact was not found');
    expect(payloadTooLarge(1024).message).toContain('1024');
  });
});
