import { isReservedName } from '../contacts/contact';
import type { Issue } from '../shared/errors';

/**
 * Matching a file's header to fields. Marketers export from Excel, tills and other CRMs: columns are
 * called "E-mail", "Adresse e-mail", "Courriel" or "Mail", "N° carte de fidélité", "Montant TTC (€)".
 * Each field has French and English names; a header is compared after folding (lower case, accents,
 * spaces, "_", "-", ".", "/", "°", "º", apostrophes, parentheses, ":" and "*" removed, and a "(€)"
 * unit dropped), so "Prénom", "prenom", "PRÉNOM " and "first_name" all match. The `mapping` option
 * names the others.
 */

/** A header name folded for comparison: `N° de carte (fidélité)` → `ndecartefidelite`. */
export function foldHeader(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\((?:€|eur|euros?)\)|\[(?:€|eur|euros?)\]|€/g, '')
    .replace(/[\s_\-./°º'’‘`´():*]/g, '');
}

const EMAIL = [
  'E-mail',
  'Email',
  'Courriel',
  'Mail',
  'Adresse mail',
  'Adresse e-mail',
  'Adresse électronique',
  'Adresse courriel',
  'E-mail address',
  'Mail address',
] as const;
const PHONE = [
  'Téléphone',
  'Tel',
  'Tél',
  'Téléphone portable',
  'Tél portable',
  'Tél mobile',
  'Portable',
  'Mobile',
  'GSM',
  'Numéro de téléphone',
  'N° de téléphone',
  'N° téléphone',
  'N° tel',
  'Numéro de portable',
  'Phone',
  'Telephone',
  'Phone number',
  'Mobile phone',
  'Mobile number',
  'Cell',
  'Cell phone',
] as const;
const CUSTOMER_REF = [
  'N° carte de fidélité',
  'N° de carte de fidélité',
  'Numéro de carte de fidélité',
  'Numéro de carte',
  'N° carte',
  'N° de carte',
  'Carte fidélité',
  'Carte de fidélité',
  'Code client',
  'N° client',
  'Nº client',
  'No client',
  'Num client',
  'Numéro client',
  'Numéro de client',
  'Référence client',
  'Réf client',
  'Identifiant client',
  'Id client',
  'Loyalty card',
  'Loyalty card number',
  'Card number',
  'Customer ref',
  'Customer reference',
  'Customer number',
  'Customer ID',
  'Customer code',
] as const;

/**
 * The fields of a contacts file and their other names. The technical names (`email_consent`,
 * `homeStoreId`, `first_name`… as the first import accepted) match too: each field's own name is one
 * of its names.
 */
export const CONTACT_COLUMNS = {
  email: EMAIL,
  phone: PHONE,
  firstName: ['Prénom', 'First name', 'Given name', 'Forename'],
  lastName: ['Nom', 'Nom de famille', 'Last name', 'Surname', 'Family name'],
  locale: ['Langue', 'Language', 'Locale', 'Lang'],
  homeStoreId: [
    'Magasin',
    'Boutique',
    'Magasin de référence',
    'Boutique de référence',
    'Magasin habituel',
    'Code magasin',
    'Shop',
    'Store',
    'Home store',
    'Home shop',
    'Store id',
  ],
  tags: ['Tags', 'Tag', 'Étiquettes', 'Étiquette', 'Segments'],
  email_consent: [
    'Consentement e-mail',
    'Consentement mail',
    'Opt-in e-mail',
    'Optin email',
    'Accepte e-mail',
    'Accepte les e-mails',
    'Accepte mail',
    'Newsletter',
    'Email opt-in',
    'Email consent',
  ],
  email_consent_source: [
    'Source consentement e-mail',
    'Source du consentement e-mail',
    'Origine consentement e-mail',
    'Email consent source',
    'Email opt-in source',
  ],
  email_consent_at: [
    'Date consentement e-mail',
    'Date de consentement e-mail',
    'Date du consentement e-mail',
    'Date opt-in e-mail',
    'Email consent date',
    'Email opt-in date',
  ],
  sms_consent: [
    'Consentement SMS',
    'Opt-in SMS',
    'Optin SMS',
    'Accepte SMS',
    'Accepte les SMS',
    'SMS opt-in',
    'SMS consent',
  ],
  sms_consent_source: [
    'Source consentement SMS',
    'Source du consentement SMS',
    'Origine consentement SMS',
    'SMS consent source',
    'SMS opt-in source',
  ],
  sms_consent_at: [
    'Date consentement SMS',
    'Date de consentement SMS',
    'Date du consentement SMS',
    'Date opt-in SMS',
    'SMS consent date',
    'SMS opt-in date',
  ],
  customerRef: CUSTOMER_REF,
  birthDate: [
    'Date de naissance',
    'Naissance',
    'Né le',
    'Née le',
    'Anniversaire',
    'Birth date',
    'Birthday',
    'Date of birth',
    'DOB',
  ],
  timeZone: ['Fuseau horaire', 'Fuseau', 'Time zone', 'TZ'],
} as const satisfies Record<string, readonly string[]>;
export type ContactField = keyof typeof CONTACT_COLUMNS;

/**
 * The fields of a receipts file (till exports). `time` is an optional separate time column: the
 * caller joins it to `at` (`14/03/2025` + `09:30` → `14/03/2025 09:30`, which parseDate reads).
 */
export const RECEIPT_COLUMNS = {
  receiptRef: [
    'N° ticket',
    'N° de ticket',
    'Numéro de ticket',
    'Numéro ticket',
    'No ticket',
    'Ticket',
    'Réf ticket',
    'Référence ticket',
    'Référence',
    'Réf',
    'Ref',
    'N° transaction',
    'N° commande',
    'Commande',
    'N° facture',
    'Facture',
    'Receipt',
    'Receipt ref',
    'Receipt number',
    'Receipt id',
    'Transaction',
    'Transaction id',
    'Order',
    'Order id',
    'Order number',
  ],
  storeId: [
    'Magasin',
    'Boutique',
    'Code magasin',
    'Code boutique',
    'N° magasin',
    'Point de vente',
    'PDV',
    'Shop',
    'Store',
    'Store id',
    'Store code',
    'Shop id',
  ],
  at: [
    'Date',
    'Date et heure',
    'Date/heure',
    'Date heure',
    'Horodatage',
    'Date ticket',
    'Date du ticket',
    'Date de vente',
    'Date achat',
    "Date d'achat",
    'Timestamp',
    'Datetime',
    'Date time',
    'Purchase date',
    'Sale date',
    'Transaction date',
  ],
  time: ['Heure', 'Heure ticket', 'Heure du ticket', "Heure d'achat", 'Heure de vente', 'Time'],
  amount: [
    'Montant',
    'Montant TTC',
    'Montant total',
    'Montant payé',
    'Total',
    'Total TTC',
    'Prix total',
    'CA',
    'CA TTC',
    "Chiffre d'affaires",
    'Net à payer',
    'Amount',
    'Total amount',
    'Total paid',
  ],
  currency: ['Devise', 'Monnaie', 'Currency'],
  customerRef: CUSTOMER_REF,
  email: EMAIL,
  phone: PHONE,
  contactId: ['Contact', 'Contact id', 'Id contact'],
  channel: ['Canal', 'Canal de vente', 'Channel', 'Sales channel'],
  couponCode: [
    'Code promo',
    'Coupon',
    'Code coupon',
    'Bon de réduction',
    'Code de réduction',
    'Code réduction',
    'Promo code',
    'Coupon code',
    'Voucher',
    'Discount code',
  ],
  items: [
    'Articles',
    'Nb articles',
    "Nb d'articles",
    "Nombre d'articles",
    'Quantité',
    'Qté',
    'Items',
    'Item count',
    'Quantity',
    'Qty',
  ],
} as const satisfies Record<string, readonly string[]>;
export type ReceiptField = keyof typeof RECEIPT_COLUMNS;

export type AttributeType = 'string' | 'number' | 'boolean';

/** What one column of the header is. */
export type HeaderCell<F extends string> =
  | { kind: 'field'; field: F }
  | { kind: 'attribute'; name: string; type: AttributeType }
  | { kind: 'ignored' };

export interface MatchOptions {
  /**
   * Header text (as in the file; compared folded) → field, `ignore`, or (with `attributes`) an
   * `attr.<name>[:type]`; wins over the built-in names. Plain strings, as the option arrives in JSON:
   * each value is checked here, and an unknown one is an issue.
   */
  mapping?: Record<string, string>;
  /** Columns that match no field are ignored instead of refused. */
  ignoreUnknown?: boolean;
  /** Whether `attr.<name>[:number|:boolean]` columns are allowed (contacts). */
  attributes?: boolean;
}

const ATTRIBUTE = /^(?:attr|attribute|attributes)\.([A-Za-z0-9_]{1,40})(?::(string|number|boolean))?$/i;
const ATTRIBUTE_SYNTAX = 'attr.<name>[:number|:boolean]';

/** Each table's folded names, built once. */
const indexes = new WeakMap<object, Map<string, string>>();

function indexOf(columns: Record<string, readonly string[]>): Map<string, string> {
  let index = indexes.get(columns);
  if (!index) {
    index = new Map();
    for (const [field, names] of Object.entries(columns)) {
      for (const name of [field, ...names]) {
        const folded = foldHeader(name);
        const taken = index.get(folded);
        if (taken && taken !== field) throw new Error(`"${name}" names both ${taken} and ${field}`);
        index.set(folded, field);
      }
    }
    indexes.set(columns, index);
  }
  return index;
}

/**
 * Reads a header: each column is a field, an attribute (`attr.<name>[:number|:boolean]`, when
 * `attributes`) or ignored. `mapping` wins over the built-in names; its keys are header texts as in
 * the file, compared folded. Every problem is an issue naming the column (`header.<name>`) or the
 * mapping entry (`options.mapping.<header>`) and saying what is expected: a mapping to an unknown
 * field, an unknown column (unless `ignoreUnknown`), a field given twice, a reserved attribute name.
 * A column without a name is ignored: nothing could map it. Which fields are required is the
 * caller's to check.
 */
export function matchHeader<F extends string>(
  header: string[],
  columns: Record<F, readonly string[]>,
  opts: MatchOptions = {},
): { cells: HeaderCell<F>[]; issues: Issue[] } {
  const index = indexOf(columns);
  const fields = Object.keys(columns) as F[];
  const fieldByFolded = new Map(fields.map((f) => [foldHeader(f), f]));
  const issues: Issue[] = [];
  const attributeCell = (name: string, path: string): HeaderCell<F> | undefined => {
    const m = ATTRIBUTE.exec(name);
    if (!m?.[1]) return undefined;
    if (isReservedName(m[1])) {
      issues.push({
        path,
        message: `"${m[1]}" is a reserved name: choose another attribute name, e.g. attr.loyalty_points:number`,
      });
      return { kind: 'ignored' };
    }
    return { kind: 'attribute', name: m[1], type: (m[2]?.toLowerCase() ?? 'string') as AttributeType };
  };
  const choices = `${fields.join(', ')}${opts.attributes ? `, ${ATTRIBUTE_SYNTAX}` : ''}`;

  const mapping = new Map<string, HeaderCell<F>>();
  for (const [key, target] of Object.entries(opts.mapping ?? {})) {
    const path = `options.mapping.${key}`;
    const field = fieldByFolded.get(foldHeader(target));
    const cell: HeaderCell<F> | undefined =
      target === 'ignore'
        ? { kind: 'ignored' }
        : field
          ? { kind: 'field', field }
          : opts.attributes
            ? attributeCell(target, path)
            : undefined;
    if (!cell) {
      issues.push({
        path,
        message: `Unknown field "${target}": map a column to one of ${choices}, or "ignore" (e.g. "mapping": {"${key}": "${fields[0]}"})`,
      });
      continue;
    }
    mapping.set(foldHeader(key), cell);
  }

  const cells = header.map((raw): HeaderCell<F> => {
    const name = raw.trim();
    const path = `header.${name || '(empty)'}`;
    const folded = foldHeader(name);
    const mapped = mapping.get(folded);
    if (mapped) return mapped;
    if (folded === '') return { kind: 'ignored' };
    if (opts.attributes) {
      const attribute = attributeCell(name, path);
      if (attribute) return attribute;
      if (/^attr(?:ibutes?)?\./i.test(name)) {
        issues.push({
          path,
          message: `Attribute columns are ${ATTRIBUTE_SYNTAX}, a name of 1-40 letters, digits or "_" (e.g. attr.loyalty_points:number)`,
        });
        return { kind: 'ignored' };
      }
    }
    const field = index.get(folded) as F | undefined;
    if (field) return { kind: 'field', field };
    if (opts.ignoreUnknown) return { kind: 'ignored' };
    const example = columns[fields[0] as F]?.[0];
    issues.push({
      path,
      message: `Unknown column "${name}": expected one of ${choices}${example ? ` (or their French or English names, such as "${example}")` : ''}; name its field with "mapping": {"${name}": "<field>"}, or give "ignoreUnknown": true to skip it`,
    });
    return { kind: 'ignored' };
  });

  const seen = new Map<string, string>();
  cells.forEach((cell, i) => {
    const key =
      cell.kind === 'field' ? cell.field : cell.kind === 'attribute' ? `attr.${cell.name}` : undefined;
    if (!key) return;
    const name = header[i]?.trim() ?? '';
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, name);
      return;
    }
    issues.push({
      path: `header.${name || '(empty)'}`,
      message: `"${first}" and "${name}" are both the ${key} column: keep one, or skip this one with "mapping": {"${name}": "ignore"}`,
    });
  });
  return { cells, issues };
}
