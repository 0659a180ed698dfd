import { type AppDeps, defaultDeps } from '../deps';
import { importContacts } from '../domain/contacts/import';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { contactDeps, importOptions } from '../wiring/contacts';

/** Bulk import from a CSV body: `{ created, updated, rejected: [{ line, errors }] }`. */
export function makeHandler(deps: AppDeps) {
  return httpHandler(
    'contacts-import',
    {
      'POST /v1/contacts/import': async ({ body }) => {
        const result = await importContacts(contactDeps(deps), body as string, importOptions(deps));
        deps.logger.info('Contacts imported', {
          created: result.created,
          updated: result.updated,
          rejected: result.rejected.length,
        });
        return json(200, result);
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
