import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { createImportSchema, importView } from '../domain/imports/job';
import { createImport, importStatus, rejectedCsv } from '../domain/imports/runner';
import { parseInput } from '../domain/shared/validation';
import { httpHandler, json, lazyHandler } from '../http/api';
import { cursors } from '../http/cursors';
import { httpOptions } from '../http/options';
import { importJobDeps } from '../wiring/imports';

const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const csvQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
});

/**
 * Imports of files of any size, as jobs: `POST /v1/imports` answers the job and the URL its file is
 * PUT to; the upload starts the worker; `GET /v1/imports/{id}` says how far it is;
 * `rejected.csv` gives back the lines it refused, as they were, with their errors.
 */
export function makeHandler(deps: AppDeps) {
  const jobs = importJobDeps(deps);
  const pages = cursors(deps.keyring);
  return httpHandler(
    'imports',
    {
      'POST /v1/imports': async ({ body }) =>
        json(201, await createImport(jobs, parseInput(createImportSchema, body))),
      'GET /v1/imports': async ({ query }) => {
        const q = parseInput(listQuery, query, 'query');
        const now = deps.clock.now();
        return json(200, { items: (await deps.imports.recent(q.limit)).map((j) => importView(j, now)) });
      },
      'GET /v1/imports/{id}': async ({ params }) => json(200, await importStatus(jobs, params.id ?? '')),
      'GET /v1/imports/{id}/rejected.csv': async ({ params, query }) => {
        const q = parseInput(csvQuery, query, 'query');
        const list = `import:${params.id ?? ''}`;
        const page = await rejectedCsv(jobs, params.id ?? '', await pages.open(list, q.cursor));
        const next = await pages.seal(list, page.next);
        return {
          status: 200,
          body: page.csv,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${params.id}-rejected.csv"`,
            ...(next
              ? {
                  'x-next-cursor': next,
                  link: `</v1/imports/${params.id}/rejected.csv?cursor=${next}>; rel="next"`,
                }
              : {}),
          },
        };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
