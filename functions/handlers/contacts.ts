import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import {
  contactInputSchema,
  contactView,
  customerRefSchema,
  emailSchema,
  phoneSchema,
} from '../domain/contacts/contact';
import {
  contactsWithPhone,
  eraseContact,
  findByCustomerRef,
  findContact,
  upsertContact,
} from '../domain/contacts/customer-file';
import { badRequest, notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { contactDeps } from '../wiring/contacts';

/** The single customer database: upsert by email or phone, look up, erase. */
export function makeHandler(deps: AppDeps) {
  const country = deps.config.DEFAULT_COUNTRY;
  const contacts = contactDeps(deps);
  const inputSchema = contactInputSchema(country);
  const lookupSchema = z.strictObject({
    email: emailSchema.optional(),
    phone: phoneSchema(country).optional(),
    customerRef: customerRefSchema.optional(),
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
        if (q.email) {
          const contact = await findContact(contacts, q.email);
          if (!contact) throw notFound('Contact');
          return json(200, contactView(contact));
        }
        if (q.customerRef) {
          const contact = await findByCustomerRef(contacts, q.customerRef);
          if (!contact) throw notFound('Contact');
          return json(200, contactView(contact));
        }
        if (q.phone) {
          // A phone may be shared (a household): every contact that has it.
          const found = await contactsWithPhone(contacts, q.phone);
          if (found.length === 0) throw notFound('Contact');
          return json(200, { items: found.map(contactView) });
        }
        throw badRequest('Look a contact up with ?email=, ?phone= or ?customerRef=', [
          { path: 'query.email', message: 'Give email, phone or customerRef' },
        ]);
      },
      'GET /v1/contacts/{id}': async ({ params }) => {
        const contact = await deps.contacts.get(params.id ?? '');
        if (!contact || contact.erasingAt) throw notFound('Contact');
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
