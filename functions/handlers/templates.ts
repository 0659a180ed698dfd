import * as z from 'zod';
import { fileTemplateCompiler } from '../adapters/templates';
import { type AppDeps, defaultDeps } from '../deps';
import { emailSchema, storeIdSchema } from '../domain/contacts/contact';
import { offerSchema } from '../domain/coupons/coupon';
import { notFound, validationError } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import type { CompiledSms } from '../domain/sms/render';
import { compileSmsTemplate, estimateSms, listSmsTemplates, sampleSmsVars } from '../domain/sms/templates';
import { listTemplates } from '../domain/templates/catalog';
import { pickLocale } from '../domain/templates/locales';
import { prepareEmail, renderEmail, storeVars } from '../domain/templates/render';
import { type ApiRequest, httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
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
    /** Which template of this name: the email (default) or the SMS (templates/sms). */
    channel: z.enum(['email', 'sms']).default('email'),
    /** An offer, to see the coupon in the message (and measure the SMS with it). */
    offer: offerSchema.optional(),
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

/** The fields of a contact a preview uses. */
interface PreviewContact {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  locale?: string;
  homeStoreId?: string;
}

/** The email and SMS templates: what exists, and how one renders for a given contact. */
export function makeHandler(deps: AppDeps) {
  const dir = deps.config.TEMPLATES_DIR;
  const smsDir = deps.config.SMS_TEMPLATES_DIR;
  const compile = fileTemplateCompiler(dir);
  const company = { name: deps.config.COMPANY_NAME, address: deps.config.COMPANY_ADDRESS };

  /** Who a preview is for: a stored contact (contactId), or the given fields over `defaults`; and their shop. */
  const recipient = async (input: z.infer<typeof previewSchema>, defaults: PreviewContact) => {
    let contact: PreviewContact = { ...defaults, ...input.contact };
    if (input.contactId) {
      const found = await deps.contacts.get(input.contactId);
      if (!found)
        throw validationError([{ path: 'contactId', message: `Unknown contact "${input.contactId}"` }]);
      contact = found;
    }
    const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
    if (contact.homeStoreId && !store) throw notFound('Store');
    return { contact, store };
  };

  /**
   * An SMS as a contact would get it, with its links at the length of real short links, measured:
   * GSM-7 or UCS-2, characters, segments, and warnings above SMS_MAX_SEGMENTS.
   */
  const previewSms = async (
    input: z.infer<typeof previewSchema>,
    name: string,
    event: ApiRequest['event'],
  ) => {
    const content = await compileSmsTemplate(smsDir, name);
    const { contact, store } = await recipient(input, { id: 'preview' });
    const locale = pickLocale(
      Object.keys(content.byLocale),
      input.locale ?? contact.locale,
      content.defaultLocale,
    );
    const { byLocale, warnings } = await estimateSms(
      { defaultLocale: locale, byLocale: { [locale]: content.byLocale[locale] as CompiledSms } },
      (l) =>
        sampleSmsVars(l, {
          company,
          ...(input.offer ? { offer: input.offer } : {}),
          ...(input.event ? { event: input.event } : {}),
          contact: {
            id: 'preview',
            ...(contact.firstName ? { firstName: contact.firstName } : {}),
            ...(contact.lastName ? { lastName: contact.lastName } : {}),
          },
          ...(store ? { store: storeVars(store, l) } : {}),
          now: deps.clock.now(),
        }),
      deps.smsPolicy.shortLinkBase ?? publicBaseUrl(event, deps.config.PUBLIC_BASE_URL),
      deps.config.SMS_MAX_SEGMENTS,
    );
    return {
      locale,
      channel: 'sms',
      ...byLocale[locale],
      maxSegments: deps.config.SMS_MAX_SEGMENTS,
      warnings,
    };
  };

  return httpHandler(
    'templates',
    {
      'GET /v1/templates': async () =>
        json(200, { items: await listTemplates(dir), sms: await listSmsTemplates(smsDir) }),
      'POST /v1/templates/{name}/preview': async ({ params, body, event }) => {
        const input = parseInput(previewSchema, body);
        if (input.channel === 'sms') return json(200, await previewSms(input, params.name ?? '', event));
        const compiled = await compile(params.name ?? '');
        const { contact, store } = await recipient(input, {
          id: 'preview',
          firstName: 'Camille',
          lastName: 'Martin',
          email: 'camille.martin@example.com',
        });
        const locale = pickLocale(
          Object.keys(compiled.byLocale),
          input.locale ?? contact.locale,
          compiled.defaultLocale,
        );
        const base = publicBaseUrl(event, deps.config.PUBLIC_BASE_URL);
        const template = compiled.byLocale[locale];
        if (!template) throw notFound('Template locale');
        const offer = input.offer;
        const rendered = await renderEmail(prepareEmail(template), {
          contact,
          ...(store ? { store: storeVars(store, locale) } : {}),
          unsubscribeUrl: `${base}/u/preview`,
          viewInBrowserUrl: `${base}/v/preview`,
          company,
          campaign: { id: 'preview', name: 'Preview' },
          ...(input.event ? { event: input.event } : {}),
          ...(offer
            ? { coupon: sampleSmsVars(locale, { company, offer, now: deps.clock.now() }).coupon }
            : {}),
        });
        return json(200, { locale, ...rendered });
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
