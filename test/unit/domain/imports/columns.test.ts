import { describe, expect, it } from 'vitest';
import {
  CONTACT_COLUMNS,
  foldHeader,
  type HeaderCell,
  type MatchOptions,
  matchHeader,
  RECEIPT_COLUMNS,
} from '../../../../functions/domain/imports/columns';

const fieldsOf = <F extends string>(cells: HeaderCell<F>[]) =>
  cells.map((c) =>
    c.kind === 'field' ? c.field : c.kind === 'attribute' ? `attr.${c.name}:${c.type}` : '-',
  );

const contacts = (header: string[], opts: MatchOptions = {}) =>
  matchHeader(header, CONTACT_COLUMNS, { attributes: true, ...opts });
const receipts = (header: string[], opts: MatchOptions = {}) => matchHeader(header, RECEIPT_COLUMNS, opts);

describe('foldHeader', () => {
  it.each([
    ['Prénom', 'prenom'],
    ['  PRÉNOM ', 'prenom'],
    ['first_name', 'firstname'],
    ['E-mail', 'email'],
    ['N° de carte', 'ndecarte'],
    ['Nº client', 'nclient'],
    ["Date d'achat", 'datedachat'],
    ['Date d’achat', 'datedachat'],
    ['Date / heure', 'dateheure'],
    ['Tél.', 'tel'],
    ['Montant TTC (€)', 'montantttc'],
    ['Montant (EUR)', 'montant'],
    ['Email :', 'email'],
    ['Email*', 'email'],
    ['Étiquettes', 'etiquettes'],
    ['Lœuvre', 'lœuvre'],
    ['\uFEFFemail', 'email'],
  ])('folds %j to %j', (name, folded) => {
    expect(foldHeader(name)).toBe(folded);
  });
});

describe('matchHeader with CONTACT_COLUMNS', () => {
  it('reads a French header with accents, capitals and odd spacing', () => {
    const { cells, issues } = contacts([
      '  Adresse E-mail ',
      'PRÉNOM',
      'Nom',
      'Tél. portable',
      'N° carte de fidélité',
      'Date de naissance',
      'Consentement e-mail',
      'Date  consentement e-mail',
      'Consentement SMS',
      'Magasin de référence',
      'Étiquettes',
      'Langue',
      'Fuseau horaire',
    ]);
    expect(issues).toEqual([]);
    expect(fieldsOf(cells)).toEqual([
      'email',
      'firstName',
      'lastName',
      'phone',
      'customerRef',
      'birthDate',
      'email_consent',
      'email_consent_at',
      'sms_consent',
      'homeStoreId',
      'tags',
      'locale',
      'timeZone',
    ]);
  });

  it.each([
    ['email', ['E-mail', 'Email', 'Courriel', 'Adresse mail', 'Adresse e-mail', 'Mail', 'email']],
    [
      'phone',
      [
        'Téléphone',
        'Tel',
        'Tél',
        'Portable',
        'Mobile',
        'GSM',
        'Numéro de téléphone',
        'Phone',
        'Cell',
        'phone',
      ],
    ],
    ['firstName', ['Prénom', 'First name', 'Given name', 'firstName', 'first_name', 'first-name']],
    ['lastName', ['Nom', 'Nom de famille', 'Last name', 'Surname', 'Family name', 'last_name']],
    ['locale', ['Langue', 'Language', 'Locale']],
    [
      'homeStoreId',
      ['Magasin', 'Boutique', 'Magasin de référence', 'Shop', 'Store', 'Home store', 'home_store_id'],
    ],
    ['tags', ['Tags', 'Étiquettes', 'Segments']],
    [
      'email_consent',
      [
        'Consentement e-mail',
        'Consentement email',
        'Opt-in email',
        'Accepte email',
        'Newsletter',
        'Email opt-in',
      ],
    ],
    ['email_consent_source', ['email_consent_source', 'Source consentement e-mail']],
    ['email_consent_at', ['email_consent_at', 'Date consentement e-mail', 'Date de consentement email']],
    ['sms_consent', ['Consentement SMS', 'Opt-in SMS', 'Accepte SMS', 'sms_consent']],
    ['sms_consent_source', ['sms_consent_source', 'Source consentement SMS']],
    ['sms_consent_at', ['sms_consent_at', 'Date consentement SMS']],
    [
      'customerRef',
      [
        'N° carte de fidélité',
        'Numéro de carte',
        'Carte fidélité',
        'Code client',
        'N° client',
        'Référence client',
        'Loyalty card',
        'Customer ref',
        'Customer number',
        'Customer ID',
        'customer_ref',
      ],
    ],
    [
      'birthDate',
      ['Date de naissance', 'Naissance', 'Birth date', 'Birthday', 'Date of birth', 'DOB', 'birth_date'],
    ],
    ['timeZone', ['Fuseau horaire', 'Time zone', 'timezone', 'time_zone']],
  ] as const)('reads %s from %j', (field, names) => {
    for (const name of names) {
      expect(contacts([name]), name).toEqual({ cells: [{ kind: 'field', field }], issues: [] });
    }
  });

  it('keeps the header of the first CSV import working', () => {
    const header =
      'email,phone,first_name,lastName,locale,home_store_id,timeZone,tags,email_consent,email_consent_source,email_consent_at,sms_consent,sms_consent_source,sms_consent_at'.split(
        ',',
      );
    const { cells, issues } = contacts(header);
    expect(issues).toEqual([]);
    expect(fieldsOf(cells)).toEqual([
      'email',
      'phone',
      'firstName',
      'lastName',
      'locale',
      'homeStoreId',
      'timeZone',
      'tags',
      'email_consent',
      'email_consent_source',
      'email_consent_at',
      'sms_consent',
      'sms_consent_source',
      'sms_consent_at',
    ]);
  });

  it('reads attribute columns and their types', () => {
    const { cells, issues } = contacts([
      'email',
      'attr.points:number',
      'attr.vip:Boolean',
      'attr.note',
      'attribute.x:string',
    ]);
    expect(issues).toEqual([]);
    expect(cells.slice(1)).toEqual([
      { kind: 'attribute', name: 'points', type: 'number' },
      { kind: 'attribute', name: 'vip', type: 'boolean' },
      { kind: 'attribute', name: 'note', type: 'string' },
      { kind: 'attribute', name: 'x', type: 'string' },
    ]);
  });

  it('refuses reserved attribute names', () => {
    const { issues } = contacts(['email', 'attr.constructor', 'attr.__proto__:number', 'attr.toString']);
    expect(issues).toEqual([
      {
        path: 'header.attr.constructor',
        message:
          '"constructor" is a reserved name: choose another attribute name, e.g. attr.loyalty_points:number',
      },
      {
        path: 'header.attr.__proto__:number',
        message:
          '"__proto__" is a reserved name: choose another attribute name, e.g. attr.loyalty_points:number',
      },
      {
        path: 'header.attr.toString',
        message:
          '"toString" is a reserved name: choose another attribute name, e.g. attr.loyalty_points:number',
      },
    ]);
  });

  it('explains the attribute syntax when an attribute column is misspelt', () => {
    expect(contacts(['attr.points fidélité', 'attr.x:date']).issues).toEqual([
      {
        path: 'header.attr.points fidélité',
        message:
          'Attribute columns are attr.<name>[:number|:boolean], a name of 1-40 letters, digits or "_" (e.g. attr.loyalty_points:number)',
      },
      {
        path: 'header.attr.x:date',
        message:
          'Attribute columns are attr.<name>[:number|:boolean], a name of 1-40 letters, digits or "_" (e.g. attr.loyalty_points:number)',
      },
    ]);
  });

  it('treats attribute columns as unknown where attributes are not allowed', () => {
    const { issues } = matchHeader(['email', 'attr.points'], CONTACT_COLUMNS, {});
    expect(issues.map((i) => i.path)).toEqual(['header.attr.points']);
    expect(issues[0]?.message).not.toContain('attr.<name>');
  });

  it('refuses an unknown column, listing the fields and how to skip it', () => {
    const { cells, issues } = contacts(['E-mail', 'Code postal']);
    expect(cells[1]).toEqual({ kind: 'ignored' });
    expect(issues).toEqual([
      {
        path: 'header.Code postal',
        message:
          'Unknown column "Code postal": expected one of email, phone, firstName, lastName, locale, homeStoreId, tags, email_consent, email_consent_source, email_consent_at, sms_consent, sms_consent_source, sms_consent_at, customerRef, birthDate, timeZone, attr.<name>[:number|:boolean] (or their French or English names, such as "E-mail"); name its field with "mapping": {"Code postal": "<field>"}, or give "ignoreUnknown": true to skip it',
      },
    ]);
  });

  it('skips unknown columns with ignoreUnknown', () => {
    expect(contacts(['E-mail', 'Code postal', 'Ville'], { ignoreUnknown: true })).toEqual({
      cells: [{ kind: 'field', field: 'email' }, { kind: 'ignored' }, { kind: 'ignored' }],
      issues: [],
    });
  });

  it('ignores columns without a name (Excel leaves them after the last one)', () => {
    expect(contacts(['E-mail', 'Prénom', '', '  '])).toEqual({
      cells: [
        { kind: 'field', field: 'email' },
        { kind: 'field', field: 'firstName' },
        { kind: 'ignored' },
        { kind: 'ignored' },
      ],
      issues: [],
    });
  });

  it('refuses a field given twice, naming both columns and the way out', () => {
    const { issues } = contacts(['E-mail', 'Prénom', 'Mail', 'attr.points', 'attr.points:number']);
    expect(issues).toEqual([
      {
        path: 'header.Mail',
        message:
          '"E-mail" and "Mail" are both the email column: keep one, or skip this one with "mapping": {"Mail": "ignore"}',
      },
      {
        path: 'header.attr.points:number',
        message:
          '"attr.points" and "attr.points:number" are both the attr.points column: keep one, or skip this one with "mapping": {"attr.points:number": "ignore"}',
      },
    ]);
  });

  describe('the mapping option', () => {
    it('wins over the built-in names, its keys matched folded', () => {
      const { cells, issues } = contacts(['Nom', 'Nom complet', 'Tél. fixe', 'Portable', 'Code Postal'], {
        mapping: {
          nom: 'firstName',
          'Nom complet': 'lastName',
          'tel fixe': 'ignore',
          'CODE POSTAL ': 'ignore',
        },
      });
      expect(issues).toEqual([]);
      expect(fieldsOf(cells)).toEqual(['firstName', 'lastName', '-', 'phone', '-']);
    });

    it('accepts field names written in another case or with "_"', () => {
      const { cells } = contacts(['Col A', 'Col B'], {
        mapping: { 'Col A': 'EMAIL', 'Col B': 'first_name' },
      });
      expect(fieldsOf(cells)).toEqual(['email', 'firstName']);
    });

    it('maps a column to an attribute', () => {
      const { cells, issues } = contacts(['E-mail', 'Points fidélité'], {
        mapping: { 'Points fidélité': 'attr.points:number' },
      });
      expect(issues).toEqual([]);
      expect(cells[1]).toEqual({ kind: 'attribute', name: 'points', type: 'number' });
    });

    it('refuses a mapping to an unknown field, listing the valid ones', () => {
      const { issues } = contacts(['E-mail', 'Ville'], { mapping: { Ville: 'city' } });
      expect(issues[0]).toEqual({
        path: 'options.mapping.Ville',
        message:
          'Unknown field "city": map a column to one of email, phone, firstName, lastName, locale, homeStoreId, tags, email_consent, email_consent_source, email_consent_at, sms_consent, sms_consent_source, sms_consent_at, customerRef, birthDate, timeZone, attr.<name>[:number|:boolean], or "ignore" (e.g. "mapping": {"Ville": "email"})',
      });
      // The column itself is still unknown.
      expect(issues[1]?.path).toBe('header.Ville');
    });

    it('refuses a mapping to a reserved attribute name', () => {
      const { issues } = contacts(['Col'], { mapping: { Col: 'attr.constructor' } });
      expect(issues[0]).toEqual({
        path: 'options.mapping.Col',
        message:
          '"constructor" is a reserved name: choose another attribute name, e.g. attr.loyalty_points:number',
      });
    });

    it('sees a field given twice through the mapping', () => {
      const { issues } = contacts(['E-mail', 'Autre mail'], { mapping: { 'Autre mail': 'email' } });
      expect(issues.map((i) => i.path)).toEqual(['header.Autre mail']);
    });
  });
});

describe('matchHeader with RECEIPT_COLUMNS', () => {
  it('reads a French till export', () => {
    const { cells, issues } = receipts([
      'N° ticket',
      'Code magasin',
      'Date',
      'Heure',
      'Montant TTC (€)',
      'Devise',
      'N° client',
      'E-mail',
      'Téléphone',
      'Code promo',
      'Nb articles',
      'Canal',
      'Contact',
    ]);
    expect(issues).toEqual([]);
    expect(fieldsOf(cells)).toEqual([
      'receiptRef',
      'storeId',
      'at',
      'time',
      'amount',
      'currency',
      'customerRef',
      'email',
      'phone',
      'couponCode',
      'items',
      'channel',
      'contactId',
    ]);
  });

  it.each([
    [
      'receiptRef',
      [
        'N° ticket',
        'Numéro de ticket',
        'Ticket',
        'Référence',
        'Receipt',
        'Receipt ref',
        'Transaction',
        'Order',
        'receipt_ref',
      ],
    ],
    ['storeId', ['Magasin', 'Boutique', 'Code magasin', 'Shop', 'Store', 'store_id']],
    [
      'at',
      [
        'Date',
        'Date et heure',
        'Date/heure',
        'Date / heure',
        'Horodatage',
        'Date ticket',
        'Timestamp',
        'Datetime',
        'at',
      ],
    ],
    ['time', ['Heure', 'Time']],
    [
      'amount',
      ['Montant', 'Montant TTC', 'Total', 'Total TTC', 'CA', 'Amount', 'Total amount', 'Montant (€)'],
    ],
    ['currency', ['Devise', 'Currency']],
    ['customerRef', ['N° carte de fidélité', 'Code client', 'Customer ID']],
    ['contactId', ['Contact', 'Contact id', 'contact_id']],
    ['channel', ['Canal', 'Channel']],
    ['couponCode', ['Code promo', 'Coupon', 'Code coupon', 'Bon de réduction', 'coupon_code']],
    ['items', ['Articles', 'Nb articles', 'Quantité', 'Qté', 'Items', 'Item count']],
  ] as const)('reads %s from %j', (field, names) => {
    for (const name of names) {
      expect(receipts([name]), name).toEqual({ cells: [{ kind: 'field', field }], issues: [] });
    }
  });

  it('has no attribute columns unless asked', () => {
    expect(receipts(['N° ticket', 'attr.x']).issues.map((i) => i.path)).toEqual(['header.attr.x']);
  });
});

describe('the synonym tables', () => {
  it.each([
    ['CONTACT_COLUMNS', CONTACT_COLUMNS],
    ['RECEIPT_COLUMNS', RECEIPT_COLUMNS],
  ] as const)(
    '%s: every name of every field reads as that field, and no name folds to two fields',
    (_, columns) => {
      const owners = new Map<string, string>();
      for (const [field, names] of Object.entries(columns)) {
        for (const name of [field, ...names]) {
          const folded = foldHeader(name);
          expect(owners.get(folded) ?? field, `${name} → ${owners.get(folded)} and ${field}`).toBe(field);
          owners.set(folded, field);
          const { cells } = matchHeader([name], columns as Record<string, readonly string[]>);
          expect(cells, name).toEqual([{ kind: 'field', field }]);
        }
      }
    },
  );
});
