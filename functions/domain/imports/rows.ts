import { emailSchema, normalisePhone, type PurchaseChannel } from '../contacts/contact';
import type { ReceiptLine } from '../purchases/record-receipts';
import type { Issue } from '../shared/errors';
import { parseAmount } from './amounts';
import type { ContactField, HeaderCell, ReceiptField } from './columns';
import { foldHeader } from './columns';
import { type DateFormat, parseBirthDate, parseDate } from './dates';

/** Yes/no words of French and English files: consent columns and boolean attributes. */
const YES_NO: Record<string, 'granted' | 'denied'> = {
  granted: 'granted',
  yes: 'granted',
  y: 'granted',
  true: 'granted',
  '1': 'granted',
  oui: 'granted',
  o: 'granted',
  x: 'granted',
  denied: 'denied',
  no: 'denied',
  n: 'denied',
  false: 'denied',
  '0': 'denied',
  non: 'denied',
};

const yesNo = (raw: string) => YES_NO[foldHeader(raw)];

/** What one line of a file becomes: its input, the errors that refuse it and the warnings it passes with. */
export interface RowResult<T> {
  value?: T;
  errors: Issue[];
  warnings: string[];
}

export interface RowContext {
  dateFormat: DateFormat;
  timeZone: string;
  defaultCountry: string;
  now: Date;
}

function fields<F extends string>(cells: HeaderCell<F>[], record: string[]) {
  const values: Partial<Record<F, string>> = {};
  const attributes: { name: string; type: string; value: string }[] = [];
  cells.forEach((cell, i) => {
    const value = record[i]?.trim();
    if (!value) return;
    if (cell.kind === 'field') values[cell.field] = value;
    else if (cell.kind === 'attribute') attributes.push({ name: cell.name, type: cell.type, value });
  });
  return { values, attributes };
}

/**
 * A line of a customer file as the JSON the API takes (so both go through one schema), read
 * leniently: a phone that is not a valid number is left out with a warning when the line has a
 * valid email (the customer is not lost for it); dates in the file's format; consent in yes/no
 * words of French or English.
 */
export function contactRow(
  cells: HeaderCell<ContactField>[],
  record: string[],
  ctx: RowContext,
): RowResult<Record<string, unknown>> {
  const errors: Issue[] = [];
  const warnings: string[] = [];
  const { values, attributes } = fields(cells, record);
  const attrs: Record<string, string | number | boolean> = {};
  for (const a of attributes) {
    const path = `attr.${a.name}`;
    if (a.type === 'number') {
      const n = parseAmount(a.value);
      if ('amount' in n) attrs[a.name] = n.amount;
      else {
        const plain = Number(a.value.replace(',', '.'));
        if (a.value.trim() !== '' && Number.isFinite(plain)) attrs[a.name] = plain;
        else errors.push({ path, message: `"${a.value}" is not a number` });
      }
    } else if (a.type === 'boolean') {
      const b = yesNo(a.value);
      if (b) attrs[a.name] = b === 'granted';
      else errors.push({ path, message: `"${a.value}" is not yes or no (oui/non, true/false, 1/0)` });
    } else attrs[a.name] = a.value;
  }

  const email = values.email;
  const emailOk = email !== undefined && emailSchema.safeParse(email).success;
  let phone: string | undefined;
  if (values.phone) {
    phone = normalisePhone(values.phone, ctx.defaultCountry);
    if (!phone) {
      const message = `"${values.phone}" is not a valid phone number (default country ${ctx.defaultCountry})`;
      if (emailOk) warnings.push(`phone: ${message}: imported without it`);
      else errors.push({ path: 'phone', message });
    }
  }

  const consent: Record<string, unknown> = {};
  for (const channel of ['email', 'sms'] as const) {
    const raw = values[`${channel}_consent`];
    if (!raw) continue;
    const status = yesNo(raw);
    if (!status) {
      errors.push({
        path: `${channel}_consent`,
        message: `"${raw}" is not yes or no (oui/non, granted/denied)`,
      });
      continue;
    }
    const atRaw = values[`${channel}_consent_at`];
    let at = ctx.now.toISOString();
    if (atRaw) {
      const parsed = parseDate(atRaw, ctx.dateFormat, ctx.timeZone);
      if ('error' in parsed) {
        errors.push({ path: `${channel}_consent_at`, message: parsed.error });
        continue;
      }
      at = parsed.at;
    }
    consent[channel] = { status, source: values[`${channel}_consent_source`] ?? 'import', at };
  }

  let birthDate: string | undefined;
  if (values.birthDate) {
    const parsed = parseBirthDate(values.birthDate, ctx.dateFormat, ctx.now);
    if ('error' in parsed) errors.push({ path: 'birthDate', message: parsed.error });
    else birthDate = parsed.date;
  }

  const input: Record<string, unknown> = {
    email,
    phone,
    firstName: values.firstName,
    lastName: values.lastName,
    locale: values.locale,
    homeStoreId: values.homeStoreId,
    customerRef: values.customerRef,
    birthDate,
    timeZone: values.timeZone,
    tags: values.tags
      ?.split(/[|;,]/)
      .map((t) => t.trim())
      .filter(Boolean),
    attributes: Object.keys(attrs).length > 0 ? attrs : undefined,
    consent: Object.keys(consent).length > 0 ? consent : undefined,
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  if (input.email === undefined && input.phone === undefined && errors.length === 0)
    errors.push({ path: 'email', message: 'A customer needs an email or a phone number' });
  return { value: input, errors, warnings };
}

const CHANNELS: Record<string, PurchaseChannel> = {
  store: 'store',
  magasin: 'store',
  boutique: 'store',
  caisse: 'store',
  shop: 'store',
  web: 'web',
  internet: 'web',
  enligne: 'web',
  online: 'web',
  ecommerce: 'web',
  site: 'web',
  phone: 'phone',
  telephone: 'phone',
  tel: 'phone',
};

export interface ReceiptRowContext extends RowContext {
  /** A shop by its id or its name, as tills write either; its time zone. */
  shopOf: (value: string) => { id: string; timeZone: string } | undefined;
  currency: string;
}

/**
 * A line of a till export as a receipt: the shop (by id or name), the receipt reference, the date
 * (and a separate time column), the amount (decimal comma or point), the currency (the stack's when
 * the file has none), the channel (`store` by default), the customer however the till names them,
 * and the coupon and item count when given.
 */
export function receiptRow(
  cells: HeaderCell<ReceiptField>[],
  record: string[],
  line: number,
  ctx: ReceiptRowContext,
): RowResult<ReceiptLine> {
  const errors: Issue[] = [];
  const warnings: string[] = [];
  const { values } = fields(cells, record);
  const need = (f: ReceiptField, what: string) => {
    if (!values[f]) errors.push({ path: f, message: `Give the ${what}` });
    return values[f];
  };
  const ref = need('receiptRef', 'receipt reference');
  const shopValue = need('storeId', 'shop');
  const atRaw = need('at', 'date of the receipt');
  const amountRaw = need('amount', 'amount');
  const shop = shopValue ? ctx.shopOf(shopValue) : undefined;
  if (shopValue && !shop) errors.push({ path: 'storeId', message: `Unknown shop "${shopValue}"` });
  let at: string | undefined;
  if (atRaw) {
    const parsed = parseDate(
      values.time ? `${atRaw} ${values.time}` : atRaw,
      ctx.dateFormat,
      shop?.timeZone ?? ctx.timeZone,
    );
    if ('error' in parsed) errors.push({ path: 'at', message: parsed.error });
    else at = parsed.at;
  }
  let amount: number | undefined;
  if (amountRaw) {
    const parsed = parseAmount(amountRaw);
    if ('error' in parsed) errors.push({ path: 'amount', message: parsed.error });
    else amount = parsed.amount;
  }
  const currency = (values.currency ?? ctx.currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    errors.push({ path: 'currency', message: `"${currency}" is not a currency code such as EUR` });
  let channel: PurchaseChannel = 'store';
  if (values.channel) {
    const c = CHANNELS[foldHeader(values.channel)];
    if (c) channel = c;
    else
      errors.push({
        path: 'channel',
        message: `"${values.channel}" is not store, web or phone (magasin, web, téléphone)`,
      });
  }
  let items: number | undefined;
  if (values.items) {
    items = Number(values.items.replace(',', '.'));
    if (!Number.isInteger(items) || items < 0) {
      errors.push({ path: 'items', message: `"${values.items}" is not a number of items` });
      items = undefined;
    }
  }
  const customer: ReceiptLine['customer'] = {};
  if (values.contactId) customer.contactId = values.contactId;
  if (values.customerRef) customer.customerRef = values.customerRef;
  if (values.email) {
    const e = emailSchema.safeParse(values.email);
    if (e.success) customer.email = e.data;
    else warnings.push(`email: "${values.email}" is not a valid address: not used to find the customer`);
  }
  if (values.phone) {
    const p = normalisePhone(values.phone, ctx.defaultCountry);
    if (p) customer.phone = p;
    else warnings.push(`phone: "${values.phone}" is not a valid phone number: not used to find the customer`);
  }
  if (ref && ref.length > 100)
    errors.push({ path: 'receiptRef', message: 'A receipt reference is 100 characters at most' });
  if (errors.length > 0 || !ref || !shop || !at || amount === undefined) return { errors, warnings };
  return {
    value: {
      line,
      storeId: shop.id,
      ref,
      at,
      amount,
      currency,
      channel,
      customer,
      ...(values.couponCode ? { couponCode: values.couponCode } : {}),
      ...(items !== undefined ? { items } : {}),
    },
    errors,
    warnings,
  };
}
