import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { importNow } from '../domain/imports/engine';
import { importOptionsSchema } from '../domain/imports/job';
import { charsetFromContentType } from '../domain/imports/text';
import { validationError } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { header, httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { importEngineDeps } from '../wiring/imports';

/** The options of a file sent as a body, in the query string (`mapping` as JSON). */
const queryOptions = z
  .strictObject({
    separator: z.string().optional(),
    charset: z.string().optional(),
    dateFormat: z.string().optional(),
    ignoreUnknown: z.enum(['true', 'false']).optional(),
    defaultCountry: z.string().optional(),
    timeZone: z.string().optional(),
    mapping: z.string().max(10_000).optional(),
  })
  .transform((q, ctx) => {
    let mapping: unknown;
    if (q.mapping) {
      try {
        mapping = JSON.parse(q.mapping);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['mapping'],
          message: 'Give the mapping as JSON: {"Code client":"customerRef"}',
        });
        return z.NEVER;
      }
    }
    return {
      ...(q.separator ? { separator: q.separator === 'tab' ? '\t' : q.separator } : {}),
      ...(q.charset ? { charset: q.charset } : {}),
      ...(q.dateFormat ? { dateFormat: q.dateFormat } : {}),
      ...(q.ignoreUnknown ? { ignoreUnknown: q.ignoreUnknown === 'true' } : {}),
      ...(q.defaultCountry ? { defaultCountry: q.defaultCountry } : {}),
      ...(q.timeZone ? { timeZone: q.timeZone } : {}),
      ...(mapping !== undefined ? { mapping } : {}),
    };
  });

/**
 * A small customer file sent as the request body, imported at once: the same reading as an import
 * job (separator, encoding, French or English columns, dates, lenient lines), for files up to
 * MAX_CSV_BYTES. Larger files go through POST /v1/imports.
 */
export function makeHandler(deps: AppDeps) {
  const engine = importEngineDeps(deps);
  return httpHandler(
    'contacts-import',
    {
      'POST /v1/contacts/import': async ({ body, query, event }) => {
        const bytes = body as Buffer;
        if (bytes.length === 0 || bytes.toString('utf8').trim() === '')
          throw validationError([{ path: '(body)', message: 'The CSV body is empty' }]);
        const options = parseInput(importOptionsSchema, parseInput(queryOptions, query, 'query'), 'query');
        const result = await importNow(
          engine,
          bytes,
          'contacts',
          options,
          charsetFromContentType(header(event, 'content-type')),
        );
        deps.logger.info('Contacts imported', {
          created: result.created,
          updated: result.updated,
          rejected: result.rejected.length,
          warnings: result.warnings.length,
        });
        return json(200, result);
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
