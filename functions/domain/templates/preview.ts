import * as z from 'zod';
import { emailSchema, storeIdSchema } from '../contacts/contact';
import type { ContactRepository } from '../contacts/ports';
import { offerSchema } from '../coupons/coupon';
import type { Company } from '../shared/company';
import { notFound, validationError } from '../shared/errors';
import type { Clock } from '../shared/ports';
import type { CompiledSms } from '../sms/render';
import { compileSmsTemplate, estimateSms, sampleSmsVars } from '../sms/templates';
import type { StoreRepository } from '../stores/ports';
import { templateCompiler } from './catalog';
import { pickLocale } from './locales';
import type { TemplateSource } from './ports';
import { contactVars, prepareEmail, renderEmail, storeVars } from './render';

export const previewSchema = z
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
export type PreviewInput = z.infer<typeof previewSchema>;

/** The fields of a contact a preview uses. */
interface PreviewContact {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  locale?: string;
  homeStoreId?: string;
}

export interface PreviewDeps {
  templates: TemplateSource;
  contacts: Pick<ContactRepository, 'get'>;
  stores: Pick<StoreRepository, 'get'>;
  clock: Clock;
  company: Company;
  timeZone: string;
  /** SMS parts above which a preview warns (SMS_MAX_SEGMENTS). */
  smsMaxSegments: number;
  /** The short links' base (SHORT_LINK_BASE_URL), when not the public one. */
  shortLinkBase?: string;
}

/** Who a preview is for: a stored contact (contactId), or the given fields over `defaults`; and their shop. */
async function recipient(deps: PreviewDeps, input: PreviewInput, defaults: PreviewContact) {
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
}

/**
 * A template as a contact would get it (`baseUrl`: where its links point). The email: rendered
 * with sample links and a sample coupon when an offer is given. The SMS: its links at the length
 * of real short links, measured (GSM-7 or UCS-2, characters, segments), with warnings above
 * `smsMaxSegments`.
 */
export async function previewTemplate(deps: PreviewDeps, name: string, input: PreviewInput, baseUrl: string) {
  return input.channel === 'sms'
    ? previewSms(deps, name, input, baseUrl)
    : previewEmail(deps, name, input, baseUrl);
}

async function previewSms(deps: PreviewDeps, name: string, input: PreviewInput, baseUrl: string) {
  const content = await compileSmsTemplate(deps.templates, name);
  const { contact, store } = await recipient(deps, input, { id: 'preview' });
  const locale = pickLocale(
    Object.keys(content.byLocale),
    input.locale ?? contact.locale,
    content.defaultLocale,
  );
  const { byLocale, warnings } = await estimateSms(
    { defaultLocale: locale, byLocale: { [locale]: content.byLocale[locale] as CompiledSms } },
    (l) =>
      sampleSmsVars(l, {
        company: deps.company,
        ...(input.offer ? { offer: input.offer } : {}),
        ...(input.event ? { event: input.event } : {}),
        contact: contactVars({ id: 'preview', firstName: contact.firstName, lastName: contact.lastName }),
        ...(store ? { store: storeVars(store, l) } : {}),
        now: deps.clock.now(),
        timeZone: deps.timeZone,
      }),
    deps.shortLinkBase ?? baseUrl,
    deps.smsMaxSegments,
  );
  return {
    locale,
    channel: 'sms' as const,
    ...byLocale[locale],
    maxSegments: deps.smsMaxSegments,
    warnings,
  };
}

async function previewEmail(deps: PreviewDeps, name: string, input: PreviewInput, base: string) {
  const compiled = await templateCompiler(deps.templates)(name);
  const { contact, store } = await recipient(deps, input, {
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
  const template = compiled.byLocale[locale];
  if (!template) throw notFound('Template locale');
  const offer = input.offer;
  const company = deps.company;
  const rendered = await renderEmail(prepareEmail(template), {
    contact: contactVars(contact),
    ...(store ? { store: storeVars(store, locale) } : {}),
    unsubscribeUrl: `${base}/u/preview`,
    viewInBrowserUrl: `${base}/v/preview`,
    company,
    campaign: { id: 'preview', name: 'Preview' },
    ...(input.event ? { event: input.event } : {}),
    ...(offer
      ? {
          coupon: sampleSmsVars(locale, { company, offer, now: deps.clock.now(), timeZone: deps.timeZone })
            .coupon,
        }
      : {}),
  });
  return { locale, ...rendered };
}
