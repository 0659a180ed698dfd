import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { contactInputSchema, contactView, emailSchema, phoneSchema } from '../domain/contacts/contact';
import { eraseContact, upsertContact } from '../domain/contacts/customer-file';
import { badRequest, notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { contactDeps } from '../wiring';

/** The single customer database: upsert by email or phone, look up, erase. */
export function makeHandler(deps: AppDeps) {
  const country = deps.config.DEFAULT_COUNTRY;
  const contacts = contactDeps(deps);
  const inputSchema = contactInputSchema(country);
  const lookupSchema = z.strictObject({
    email: emailSchema.optional(),
    phone: phoneSchema(country).optional(),
  });

  return httpHandler(
    'contacts',
    {
      'PUT /v1/contacts': async ({ body }) => {
        const { contact, created } = await upsertContact(contacts, parseInput(inputSchema, body));
        return json(created ? 201 : 200, contactView(contact));
      },
      'GET /v1/contacts': async ({ query }) => {
        const q = parseInput(lookupSchema, query, 'query');
        const [kind, value] = q.email
          ? (['email', q.email] as const)
          : q.phone
            ? (['phone', q.phone] as const)
            : [];
        if (!kind || !value) {
          throw badRequest('Look a contact up with ?email= or ?phone=', [
            { path: 'query.email', message: 'Give email or phone' },
          ]);
        }
        const id = await deps.contacts.ownerOf(kind, value);
        const contact = id ? await deps.contacts.get(id) : undefined;
        if (!contact) throw notFound('Contact');
        return json(200, contactView(contact));
      },
      'GET /v1/contacts/{id}': async ({ params }) => {
        const contact = await deps.contacts.get(params.id ?? '');
        if (!contact) throw notFound('Contact');
        return json(200, contactView(contact));
      },
      'DELETE /v1/contacts/{id}': async ({ params }) => {
        await eraseContact(contacts, params.id ?? '');
        return { status: 204 };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
