import * as z from 'zod';
import { fileTemplateCompiler } from '../adapters/templates';
import { type AppDeps, defaultDeps } from '../deps';
import { emailSchema, storeIdSchema } from '../domain/contacts';
import { notFound, validationError } from '../domain/errors';
import { listTemplates } from '../domain/templates/catalog';
import { pickLocale } from '../domain/templates/locales';
import { prepareEmail, renderEmail, storeVars } from '../domain/templates/render';
import { parseInput } from '../domain/validation';
import { httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
import { httpOptions } from '../http/options';

const previewSchema = z
  .strictObject({
    contactId: z.string().min(1).max(100).optional(),
    contact: z
      .strictObject({
        firstName: z.string().max(100).optional(),
        lastName: z.string().max(100).optional(),
        email: emailSchema.optional(),
        locale: z.string().max(10).optional(),
        homeStoreId: storeIdSchema.optional(),
      })
      .optional(),
    locale: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/)
      .optional(),
    event: z
      .strictObject({
        title: z.string().optional(),
        date: z.string().optional(),
        description: z.string().optional(),
      })
      .optional(),
  })
  .refine((b) => !(b.contactId && b.contact), {
    message: 'Give contactId or contact, not both',
    path: ['contact'],
  });

/** The email templates: what exists, and how one renders for a given contact. */
export function makeHandler(deps: AppDeps) {
  const dir = deps.config.TEMPLATES_DIR;
  const compile = fileTemplateCompiler(dir);
  return httpHandler(
    'templates',
    {
      'GET /v1/templates': async () => json(200, { items: await listTemplates(dir) }),
      'POST /v1/templates/{name}/preview': async ({ params, body, event }) => {
        const input = parseInput(previewSchema, body);
        const compiled = await compile(params.name ?? '');
        let contact: {
          id: string;
          firstName?: string;
          lastName?: string;
          email?: string;
          locale?: string;
          homeStoreId?: string;
        } = {
          id: 'preview',
          firstName: 'Camille',
          lastName: 'Martin',
          email: 'camille.martin@example.com',
          ...input.contact,
        };
        if (input.contactId) {
          const found = await deps.contacts.get(input.contactId);
          if (!found)
            throw validationError([{ path: 'contactId', message: `Unknown contact "${input.contactId}"` }]);
          contact = found;
        }
        const locale = pickLocale(
          Object.keys(compiled.byLocale),
          input.locale ?? contact.locale,
          compiled.defaultLocale,
        );
        const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
        if (contact.homeStoreId && !store) throw notFound('Store');
        const base = publicBaseUrl(event, deps.config.PUBLIC_BASE_URL);
        const template = compiled.byLocale[locale];
        if (!template) throw notFound('Template locale');
        const rendered = await renderEmail(prepareEmail(template), {
          contact,
          ...(store ? { store: storeVars(store, locale) } : {}),
          unsubscribeUrl: `${base}/u/preview`,
          viewInBrowserUrl: `${base}/v/preview`,
          company: { name: deps.config.COMPANY_NAME, address: deps.config.COMPANY_ADDRESS },
          campaign: { id: 'preview', name: 'Preview' },
          ...(input.event ? { event: input.event } : {}),
        });
        return json(200, { locale, ...rendered });
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
